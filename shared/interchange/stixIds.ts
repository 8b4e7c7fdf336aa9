/**
 * STIX identifiers (`type--UUID`, STIX 2.1 §2.9) for Tessera records. An export must give the
 * same record the same STIX id every time, so that a CERT that received an earlier bundle sees a
 * new version of the same object, not a new object: the UUID is a name-based UUID version 5
 * (RFC 9562 §5.5: SHA-1 of a namespace and the name, with the version and variant bits set) of the
 * record id under Tessera's own namespace. A record whose id already ends in a STIX id of the
 * right type (it came from a STIX bundle, perhaps namespaced by the import) keeps that id.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** Tessera's UUID namespace for STIX ids (a fixed random UUID; never change it). */
export const TESSERA_STIX_NAMESPACE = '6c1f3e0a-8d52-4b7e-a9c4-2f5d7b1e9a36';

const UUID =
  '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}';
/** The identifier pattern of the STIX 2.1 JSON schema (common/identifier.json). */
export const STIX_ID_PATTERN = new RegExp(`^[a-z][a-z0-9-]+[a-z0-9]--${UUID}$`);
const STIX_ID_SUFFIX = new RegExp(`([a-z][a-z0-9-]+[a-z0-9])--(${UUID})$`);

function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/** RFC 9562 UUID version 5 of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string = TESSERA_STIX_NAMESPACE): string {
  const ns = uuidBytes(namespace);
  const text = utf8ToBytes(name);
  const input = new Uint8Array(ns.length + text.length);
  input.set(ns);
  input.set(text, ns.length);
  const bytes = sha1(input).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytesToHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The STIX id a record id ends with (`…identity--UUID`), or undefined. */
export function stixIdIn(recordId: string): { type: string; id: string } | undefined {
  const match = STIX_ID_SUFFIX.exec(recordId);
  if (!match) return undefined;
  // The leftmost match: a type with a namespace prefix glued on ("anx-identity--…") is not a
  // STIX type, and stixIdFor then mints a new id rather than borrowing a wrong one.
  return { type: match[1]!, id: `${match[1]!}--${match[2]!.toLowerCase()}` };
}

/** The STIX id of a record exported as `type`: its own when it has one, else stable from its id. */
export function stixIdFor(type: string, recordId: string): string {
  const own = stixIdIn(recordId);
  if (own && own.type === type) return own.id;
  return `${type}--${uuidV5(`${type}:${recordId}`)}`;
}
