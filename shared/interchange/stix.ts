/**
 * STIX 2.1 bundles (OASIS STIX Version 2.1, 10 June 2021) ↔ Tessera cases. CERTs and threat
 * intelligence platforms share actors, indicators and sightings as a bundle:
 * `{"type": "bundle", "id": "bundle--UUID", "objects": [...]}`. The mapping, both ways (the table
 * in docs/interchange-anx-stix.md says what is lost):
 *
 *   identity (individual)            ↔ Person
 *   identity (organization, group)   ↔ Organization (Company and PublicBody export as organization)
 *   identity (other classes)         ↔ LegalEntity
 *   threat-actor                     ↔ LegalEntity (id kept: exports as threat-actor again)
 *   intrusion-set                    ↔ Organization (id kept: exports as intrusion-set again)
 *   indicator                        ↔ Note; the pattern is kept verbatim in `notes`
 *   location                         ↔ Address
 *   relationship                     ↔ an FtM relationship whose kebab-case name is the
 *                                      relationship_type (ownership, family…) when the ends fit,
 *                                      else UnknownLink with the relationship_type as its role
 *   sighting                         ↔ Event (first/last seen, count) + UnknownLink "sighting-of"
 *                                      from the event to what was sighted
 *   anything else                    → skipped, one ImportIssue per type
 *
 * Ids: an imported record's id IS its STIX id (`identity--UUID` fits Tessera's id grammar), so
 * the source id is kept and a re-export gives the object back under the same id; records from
 * elsewhere get a stable UUID v5 (stixIds.ts). The import path may namespace ids per case; the
 * export still finds the STIX id at the end of a namespaced id.
 *
 * Markings: TLP marking definitions (TLP 1.0 ids of the STIX 2.1 specification §7.2.1.4, and any
 * definition named "TLP:…" such as TLP 2.0's) become the record's TLP; the most restrictive one
 * wins, granular markings included (applied to the whole record). A record without one gets the
 * default markings, as the FtM import gives. Export writes the TLP 1.0 definitions (TLP:CLEAR is
 * written as TLP:WHITE) and, for AMBER+STRICT, TLP:AMBER plus a statement "TLP:AMBER+STRICT" so a
 * TLP 1.0 reader still sees AMBER and a Tessera reader gets AMBER+STRICT back.
 *
 * Grading: `confidence` ↔ information credibility by the Admiralty scale of STIX 2.1 Appendix A
 * (80–100 → 1 … 0–19 → 5; 1 → 90, 2 → 70, 3 → 50, 4 → 30, 5 → 10, 6 → no confidence); source
 * reliability has no STIX property and stays F on import.
 */
import type { CaseFile } from '../caseFile.ts';
import type {
  EntityRecord,
  Grading,
  InformationCredibility,
  Markings,
  Tlp,
} from '../model/index.ts';
import {
  captionOf,
  DEFAULT_MARKINGS,
  EDGE_SCHEMATA,
  edgeEnds,
  getSchema,
  hlcToIso,
  isEdgeSchema,
  parseDate,
  TLP_LEVELS,
} from '../model/index.ts';
import { assertNotTooLarge, InterchangeError } from './importError.ts';
import type { ImportedEntity } from './importedCase.ts';
import { buildImportedCase, recordIdFrom, RECORD_ID_PATTERN } from './importedCase.ts';
import { STIX_ID_PATTERN, stixIdFor, stixIdIn, uuidV5 } from './stixIds.ts';
import type { ImportIssue, ImportOptions, InterchangeFormat, InterchangeImport } from './types.ts';

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
type StixObject = { readonly [key: string]: Json } & { readonly type: string; readonly id: string };

// ---------------------------------------------------------------------------------------------
// Markings

/** The TLP 1.0 marking definitions of STIX 2.1 §7.2.1.4, exactly as the specification lists them. */
const TLP1 = {
  CLEAR: { id: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', tlp: 'white' },
  GREEN: { id: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', tlp: 'green' },
  AMBER: { id: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', tlp: 'amber' },
  RED: { id: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', tlp: 'red' },
} as const;
const TLP1_CREATED = '2017-01-20T00:00:00.000Z';
const AMBER_STRICT_STATEMENT = 'TLP:AMBER+STRICT';
const AMBER_STRICT_ID = `marking-definition--${uuidV5('tessera:tlp:amber+strict')}`;

/** "TLP:AMBER+STRICT", "amber", "TLP:WHITE"… → Tessera TLP (WHITE is CLEAR's TLP 1.0 name). */
function tlpFromText(text: string): Tlp | undefined {
  const label = text
    .trim()
    .toUpperCase()
    .replace(/^TLP:\s*/, '');
  if (label === 'WHITE') return 'CLEAR';
  return (TLP_LEVELS as readonly string[]).includes(label) ? (label as Tlp) : undefined;
}

function tlpOfDefinition(object: StixObject): Tlp | 'statement' | undefined {
  const definition = object.definition;
  const inner =
    typeof definition === 'object' && definition !== null && !Array.isArray(definition)
      ? (definition as { readonly [key: string]: Json })
      : {};
  if (object.definition_type === 'tlp' && typeof inner.tlp === 'string')
    return tlpFromText(inner.tlp);
  if (typeof inner.statement === 'string') return tlpFromText(inner.statement) ?? 'statement';
  if (typeof object.name === 'string' && /^TLP:/i.test(object.name))
    return tlpFromText(object.name);
  return undefined;
}

const restrictiveness = (tlp: Tlp) => TLP_LEVELS.indexOf(tlp);

// ---------------------------------------------------------------------------------------------
// Reading values

const asString = (value: Json | undefined): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

const asStrings = (value: Json | undefined): string[] =>
  Array.isArray(value)
    ? (value as Json[]).flatMap((item) => asString(item) ?? [])
    : asString(value) !== undefined
      ? [asString(value)!]
      : [];

const has = (values: readonly string[]) => values.length > 0;

/** `notes` lines for properties FtM has no place for: "first_seen: 2016-01-01T00:00:00Z". */
function noteLines(object: StixObject, keys: readonly string[]): string[] {
  return keys.flatMap((key) => asStrings(object[key]).map((value) => `${key}: ${value}`));
}

/** Admiralty information credibility from a STIX confidence (STIX 2.1 Appendix A). */
function credibilityFrom(confidence: Json | undefined): InformationCredibility | undefined {
  if (typeof confidence !== 'number' || !Number.isFinite(confidence)) return undefined;
  if (confidence < 0 || confidence > 100) return undefined;
  if (confidence >= 80) return '1';
  if (confidence >= 60) return '2';
  if (confidence >= 40) return '3';
  if (confidence >= 20) return '4';
  return '5';
}

const CONFIDENCE_OF: Readonly<Record<InformationCredibility, number | undefined>> = {
  '1': 90,
  '2': 70,
  '3': 50,
  '4': 30,
  '5': 10,
  '6': undefined,
};

/** An FtM relationship type's STIX relationship_type: "Ownership" → "ownership". */
const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

// ---------------------------------------------------------------------------------------------
// Import

interface Reader {
  readonly issues: ImportIssue[];
  readonly objects: Map<string, StixObject>;
  readonly markings: Map<string, Tlp | 'statement' | undefined>;
  readonly reported: Set<string>;
}

function reportOnce(reader: Reader, key: string, issue: ImportIssue): void {
  if (reader.reported.has(key)) return;
  reader.reported.add(key);
  reader.issues.push(issue);
}

function markingsOf(object: StixObject, reader: Reader): Markings {
  const refs = asStrings(object.object_marking_refs);
  const granular = Array.isArray(object.granular_markings)
    ? (object.granular_markings as Json[]).flatMap((marking) =>
        typeof marking === 'object' && marking !== null && !Array.isArray(marking)
          ? asStrings((marking as { readonly [key: string]: Json }).marking_ref)
          : [],
      )
    : [];
  if (granular.length > 0) {
    reader.issues.push({
      code: 'stix.granular-marking',
      message:
        'granular markings apply to single properties in STIX; the most restrictive TLP among them was applied to the whole record',
      where: object.id,
    });
  }
  let tlp: Tlp | undefined;
  for (const ref of [...refs, ...granular]) {
    const known = reader.markings.get(ref);
    if (known === 'statement') {
      const statement = reader.objects.get(ref)?.definition;
      reportOnce(reader, `statement ${ref}`, {
        code: 'stix.marking-statement',
        message: `the statement marking ${JSON.stringify(
          typeof statement === 'object' && statement !== null && !Array.isArray(statement)
            ? (asString((statement as { readonly [key: string]: Json }).statement) ?? '')
            : '',
        ).slice(0, 300)} has no Tessera equivalent and was not kept`,
        where: ref,
      });
    } else if (known === undefined) {
      reportOnce(reader, `unknown ${ref}`, {
        code: 'stix.marking-unknown',
        message: `marking ${ref} is neither a TLP marking nor defined in the bundle; the default markings apply`,
        where: ref,
      });
    } else if (tlp === undefined || restrictiveness(known) > restrictiveness(tlp)) {
      tlp = known;
    }
  }
  return tlp === undefined ? DEFAULT_MARKINGS : { ...DEFAULT_MARKINGS, tlp };
}

/** Properties every SDO maps the same way. */
function commonProperties(object: StixObject): Record<string, string[]> {
  const urls = Array.isArray(object.external_references)
    ? (object.external_references as Json[]).flatMap((ref) =>
        typeof ref === 'object' && ref !== null && !Array.isArray(ref)
          ? asStrings((ref as { readonly [key: string]: Json }).url)
          : [],
      )
    : [];
  return {
    name: asStrings(object.name),
    description: asStrings(object.description),
    alias: asStrings(object.aliases),
    keywords: asStrings(object.labels),
    sourceUrl: urls,
  };
}

const IDENTITY_SCHEMA: Readonly<Record<string, string>> = {
  individual: 'Person',
  organization: 'Organization',
  group: 'Organization',
};

/** The FtM entity for one node SDO; undefined for a type this mapping does not take. */
function nodeEntity(
  object: StixObject,
): { schema: string; properties: Record<string, string[]> } | undefined {
  const common = commonProperties(object);
  switch (object.type) {
    case 'identity': {
      const schema = IDENTITY_SCHEMA[asString(object.identity_class) ?? ''] ?? 'LegalEntity';
      return {
        schema,
        properties: {
          ...common,
          sector: schema === 'LegalEntity' ? [] : asStrings(object.sectors),
          keywords: [...common.keywords!, ...asStrings(object.roles)],
          notes: noteLines(object, ['contact_information']),
        },
      };
    }
    case 'threat-actor':
      return {
        schema: 'LegalEntity',
        properties: {
          ...common,
          keywords: [...common.keywords!, ...asStrings(object.threat_actor_types)],
          notes: noteLines(object, [
            'roles',
            'goals',
            'sophistication',
            'resource_level',
            'primary_motivation',
            'secondary_motivations',
            'personal_motivations',
            'first_seen',
            'last_seen',
          ]),
        },
      };
    case 'intrusion-set':
      return {
        schema: 'Organization',
        properties: {
          ...common,
          notes: noteLines(object, [
            'goals',
            'resource_level',
            'primary_motivation',
            'secondary_motivations',
            'first_seen',
            'last_seen',
          ]),
        },
      };
    case 'indicator': {
      const pattern = asString(object.pattern);
      return {
        schema: 'Note',
        properties: {
          ...common,
          name: has(common.name!) ? common.name! : pattern ? [pattern] : [],
          keywords: [...common.keywords!, ...asStrings(object.indicator_types)],
          notes: [
            ...(pattern
              ? [`pattern (${asString(object.pattern_type) ?? 'stix'}): ${pattern}`]
              : []),
            ...noteLines(object, ['pattern_version', 'valid_from', 'valid_until']),
          ],
        },
      };
    }
    case 'location': {
      const parts = ['street_address', 'city', 'postal_code', 'region', 'country'].flatMap((key) =>
        asStrings(object[key]),
      );
      return {
        schema: 'Address',
        properties: {
          ...common,
          full: parts.length > 0 ? [parts.join(', ')] : common.name!,
          street: asStrings(object.street_address),
          city: asStrings(object.city),
          region: asStrings(object.region),
          postalCode: asStrings(object.postal_code),
          country: asStrings(object.country).map((code) => code.toLowerCase()),
          latitude: asStrings(object.latitude),
          longitude: asStrings(object.longitude),
        },
      };
    }
    default:
      return undefined;
  }
}

/** An FtM relationship type named by a STIX relationship_type whose ends accept these entities. */
function edgeSchemaFor(
  relationshipType: string,
  sourceSchema: string,
  targetSchema: string,
): string | undefined {
  const name = EDGE_SCHEMATA.find((edge) => kebab(edge) === relationshipType);
  if (!name || name === 'UnknownLink') return undefined;
  const schema = getSchema(name);
  const edge = schema.edge!;
  const fits = (end: string, entity: string) =>
    getSchema(entity).isA(schema.getProperty(end).getRange());
  return fits(edge.source, sourceSchema) && fits(edge.target, targetSchema) ? name : undefined;
}

function readBundle(text: string): unknown[] {
  assertNotTooLarge(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InterchangeError('stix.not-json', 'not a STIX bundle: the file is not JSON');
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    (json as { type?: unknown }).type !== 'bundle' ||
    !Array.isArray((json as { objects?: unknown }).objects)
  ) {
    throw new InterchangeError(
      'stix.not-a-bundle',
      'not a STIX bundle: expected {"type": "bundle", "objects": [...]}',
    );
  }
  return (json as { objects: unknown[] }).objects;
}

function isStixObject(value: unknown): value is StixObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { id?: unknown }).id === 'string' &&
    STIX_ID_PATTERN.test((value as { id: string }).id)
  );
}

const NOT_REPORTED = new Set(['marking-definition']);

export function importStix(text: string, options: ImportOptions): InterchangeImport {
  const raw = readBundle(text);
  const reader: Reader = {
    issues: [],
    objects: new Map(),
    markings: new Map(),
    reported: new Set(),
  };
  raw.forEach((value, index) => {
    if (!isStixObject(value)) {
      reader.issues.push({
        code: 'stix.bad-object',
        message: 'not a STIX object (a type and a valid type--UUID id are required); skipped',
        where: `objects[${index}]`,
      });
      return;
    }
    const earlier = reader.objects.get(value.id);
    // Several versions of one object may travel together (STIX 2.1 §3.6); the newest counts.
    if (earlier && (asString(earlier.modified) ?? '') >= (asString(value.modified) ?? '')) return;
    reader.objects.set(value.id, value);
  });
  for (const tlp of Object.keys(TLP1) as (keyof typeof TLP1)[])
    reader.markings.set(TLP1[tlp].id, tlp);
  for (const object of reader.objects.values()) {
    if (object.type === 'marking-definition')
      reader.markings.set(object.id, tlpOfDefinition(object));
  }

  const taken = new Set<string>();
  const recordIds = new Map<string, string>();
  const recordIdOf = (stixId: string) => {
    let id = recordIds.get(stixId);
    if (id === undefined) {
      id =
        RECORD_ID_PATTERN.test(stixId) && !taken.has(stixId)
          ? stixId
          : recordIdFrom('stix-', stixId, taken);
      taken.add(id);
      recordIds.set(stixId, id);
    }
    return id;
  };
  const creatorName = (object: StixObject) => {
    const creator = reader.objects.get(asString(object.created_by_ref) ?? '');
    return creator ? asString(creator.name) : undefined;
  };
  const entityBase = (object: StixObject) => {
    const credibility = credibilityFrom(object.confidence);
    const creator = creatorName(object);
    const grading: Grading | undefined = credibility
      ? { source: 'F', information: credibility }
      : undefined;
    return {
      markings: markingsOf(object, reader),
      ...(grading ? { grading } : {}),
      source: `STIX 2.1 bundle${creator ? `, created by ${creator}` : ''}`,
      where: object.id,
    };
  };

  const entities: ImportedEntity[] = [];
  const schemaOf = new Map<string, string>();
  const skipped = new Map<string, { count: number; first: string }>();
  for (const object of reader.objects.values()) {
    const node = nodeEntity(object);
    if (node) {
      entities.push({ id: recordIdOf(object.id), ...node, ...entityBase(object) });
      schemaOf.set(object.id, node.schema);
    } else if (
      !['relationship', 'sighting'].includes(object.type) &&
      !NOT_REPORTED.has(object.type)
    ) {
      const entry = skipped.get(object.type) ?? { count: 0, first: object.id };
      skipped.set(object.type, { ...entry, count: entry.count + 1 });
    }
  }
  for (const [type, { count, first }] of skipped) {
    reader.issues.push({
      code: 'stix.skipped-type',
      message: `${count} ${type} object${count === 1 ? '' : 's'} not imported: Tessera has no equivalent`,
      where: first,
    });
  }

  const endsMissing = (object: StixObject, refs: readonly string[]) => {
    const missing = refs.filter((ref) => !schemaOf.has(ref));
    if (missing.length === 0) return false;
    reader.issues.push({
      code: 'stix.end-not-imported',
      message: `${object.type} not imported: ${missing.join(', ')} is not in the bundle or was not imported`,
      where: object.id,
    });
    return true;
  };
  const dates = (object: StixObject, start: string, end: string) => ({
    startDate: asStrings(object[start]),
    endDate: asStrings(object[end]),
  });

  for (const object of reader.objects.values()) {
    if (object.type === 'relationship') {
      const source = asString(object.source_ref) ?? '';
      const target = asString(object.target_ref) ?? '';
      const type = asString(object.relationship_type) ?? 'related-to';
      if (endsMissing(object, [source, target])) continue;
      const schema = edgeSchemaFor(type, schemaOf.get(source)!, schemaOf.get(target)!);
      const edge = schema ? getSchema(schema).edge! : undefined;
      entities.push({
        id: recordIdOf(object.id),
        schema: schema ?? 'UnknownLink',
        properties: {
          [edge?.source ?? 'subject']: [recordIdOf(source)],
          [edge?.target ?? 'object']: [recordIdOf(target)],
          ...(schema ? {} : { role: [type] }),
          description: asStrings(object.description),
          ...dates(object, 'start_time', 'stop_time'),
        },
        ...entityBase(object),
      });
    } else if (object.type === 'sighting') {
      const of = asString(object.sighting_of_ref) ?? '';
      const where = asStrings(object.where_sighted_refs);
      if (endsMissing(object, [of, ...where])) continue;
      if (has(asStrings(object.observed_data_refs))) {
        reader.issues.push({
          code: 'stix.observed-data-dropped',
          message: 'the sighting refers to observed data, which Tessera does not import',
          where: object.id,
        });
      }
      const event = recordIdOf(object.id);
      const base = entityBase(object);
      const count = asString(object.count);
      const sighted = reader.objects.get(of);
      const ofName = sighted ? (asString(sighted.name) ?? sighted.type) : of;
      entities.push({
        id: event,
        schema: 'Event',
        properties: {
          name: [`Sighting of ${ofName}`],
          description: asStrings(object.description),
          summary: count ? [`seen ${count} time${count === '1' ? '' : 's'}`] : [],
          involved: where.filter((ref) => schemaOf.get(ref) !== 'Address').map(recordIdOf),
          addressEntity: where.filter((ref) => schemaOf.get(ref) === 'Address').map(recordIdOf),
          ...dates(object, 'first_seen', 'last_seen'),
        },
        ...base,
      });
      entities.push({
        id: recordIdFrom('', `${event}.of`, taken),
        schema: 'UnknownLink',
        properties: { subject: [event], object: [recordIdOf(of)], role: ['sighting-of'] },
        ...base,
      });
    }
  }
  const file = buildImportedCase(
    { format: 'stix', sourceLabel: 'STIX 2.1 bundle', entities },
    options,
    reader.issues,
  );
  return { file, issues: reader.issues };
}

// ---------------------------------------------------------------------------------------------
// Export

type Out = Record<string, unknown>;

const first = (entity: EntityRecord, name: string) => entity.properties[name]?.[0];
const all = (entity: EntityRecord, name: string) => [...(entity.properties[name] ?? [])];
const nonEmpty = (values: readonly string[]) => (values.length > 0 ? values : undefined);

const STIX_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/**
 * A STIX timestamp for an FtM date: as written when it already is one (a microsecond stays),
 * else the first (or last) millisecond of the span it names ("2024-03"); undefined for no date.
 */
function timestamp(value: string | undefined, end = false): string | undefined {
  if (value !== undefined && STIX_TIMESTAMP.test(value) && parseDate(value)) return value;
  const date = value === undefined ? undefined : parseDate(value);
  if (!date) return undefined;
  const ms = end ? date.end : date.start;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** The value of a `notes` line written by the import ("valid_from: …"). */
function noteValue(entity: EntityRecord, key: string): string | undefined {
  const prefix = `${key}: `;
  return all(entity, 'notes')
    .find((line) => line.startsWith(prefix))
    ?.slice(prefix.length);
}

/** True when both are timestamps and `a` is earlier than `b`. */
const before = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && Date.parse(a) < Date.parse(b);

const PATTERN_LINE = /^pattern \(([^)]*)\): ([\s\S]+)$/;

/** Which STIX type a record exports as; undefined when STIX has no place for it (it is left out). */
function stixTypeOf(entity: EntityRecord): string | undefined {
  const own = stixIdIn(entity.external?.id ?? entity.id)?.type;
  switch (entity.schema) {
    case 'Person':
      return 'identity';
    case 'Organization':
      return own === 'intrusion-set' || own === 'threat-actor' ? own : 'identity';
    case 'Company':
    case 'PublicBody':
      return 'identity';
    case 'LegalEntity':
      return own === 'threat-actor' ? own : 'identity';
    case 'Address':
      return first(entity, 'country') ||
        first(entity, 'region') ||
        (first(entity, 'latitude') && first(entity, 'longitude'))
        ? 'location'
        : undefined;
    case 'Note':
      return all(entity, 'notes').some((line) => PATTERN_LINE.test(line)) ? 'indicator' : undefined;
    case 'Event':
      return own === 'sighting' ? 'sighting' : undefined;
    default:
      return undefined;
  }
}

function nodeObject(entity: EntityRecord, type: string): Out | undefined {
  const base: Out = {
    name: first(entity, 'name') ?? captionOf(entity.schema, entity.properties),
    description: first(entity, 'description'),
  };
  switch (type) {
    case 'identity':
      return {
        ...base,
        identity_class:
          entity.schema === 'Person'
            ? 'individual'
            : entity.schema === 'LegalEntity'
              ? 'unknown'
              : 'organization',
        sectors: nonEmpty(all(entity, 'sector')),
        contact_information:
          noteValue(entity, 'contact_information') ??
          (nonEmpty([...all(entity, 'email'), ...all(entity, 'phone')])?.join('; ') || undefined),
      };
    case 'threat-actor':
    case 'intrusion-set': {
      // What the import kept as notes lines goes back into its STIX properties.
      const lines = (key: string) =>
        all(entity, 'notes').flatMap((line) =>
          line.startsWith(`${key}: `) ? [line.slice(key.length + 2)] : [],
        );
      const firstSeen = timestamp(noteValue(entity, 'first_seen'));
      const lastSeen = timestamp(noteValue(entity, 'last_seen'));
      return {
        ...base,
        aliases: nonEmpty(all(entity, 'alias')),
        goals: nonEmpty(lines('goals')),
        resource_level: noteValue(entity, 'resource_level'),
        primary_motivation: noteValue(entity, 'primary_motivation'),
        secondary_motivations: nonEmpty(lines('secondary_motivations')),
        first_seen: firstSeen,
        last_seen: before(lastSeen, firstSeen) ? undefined : lastSeen,
        ...(type === 'threat-actor'
          ? {
              roles: nonEmpty(lines('roles')),
              sophistication: noteValue(entity, 'sophistication'),
              personal_motivations: nonEmpty(lines('personal_motivations')),
            }
          : {}),
      };
    }
    case 'location':
      return {
        name: first(entity, 'name'),
        description: first(entity, 'description'),
        street_address: first(entity, 'street'),
        city: first(entity, 'city'),
        region: first(entity, 'region'),
        postal_code: first(entity, 'postalCode'),
        country: first(entity, 'country')?.toUpperCase(),
        ...(first(entity, 'latitude') && first(entity, 'longitude')
          ? {
              latitude: Number(first(entity, 'latitude')),
              longitude: Number(first(entity, 'longitude')),
            }
          : {}),
      };
    case 'indicator': {
      const match = all(entity, 'notes')
        .map((line) => PATTERN_LINE.exec(line))
        .find((found) => found !== null)!;
      return {
        ...base,
        pattern: match[2],
        pattern_type: match[1] || 'stix',
        valid_from: timestamp(noteValue(entity, 'valid_from')) ?? hlcToIso(entity.createdAt),
        valid_until: timestamp(noteValue(entity, 'valid_until')),
      };
    }
    default:
      return undefined;
  }
}

function markingRefs(markings: Markings): string[] {
  switch (markings.tlp) {
    case 'AMBER+STRICT':
      return [TLP1.AMBER.id, AMBER_STRICT_ID];
    default:
      return [TLP1[markings.tlp].id];
  }
}

function markingDefinitions(used: ReadonlySet<string>): Out[] {
  const definitions: Out[] = (Object.keys(TLP1) as (keyof typeof TLP1)[])
    .filter((tlp) => used.has(TLP1[tlp].id))
    .map((tlp) => ({
      type: 'marking-definition',
      spec_version: '2.1',
      id: TLP1[tlp].id,
      created: TLP1_CREATED,
      definition_type: 'tlp',
      name: `TLP:${TLP1[tlp].tlp.toUpperCase()}`,
      definition: { tlp: TLP1[tlp].tlp },
    }));
  if (used.has(AMBER_STRICT_ID)) {
    definitions.push({
      type: 'marking-definition',
      spec_version: '2.1',
      id: AMBER_STRICT_ID,
      created: TLP1_CREATED,
      name: AMBER_STRICT_STATEMENT,
      definition_type: 'statement',
      definition: { statement: AMBER_STRICT_STATEMENT },
    });
  }
  return definitions;
}

/** Drops undefined members so the JSON holds only what is there. */
const compact = (object: Out): Out =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));

export function exportStix(file: CaseFile): string {
  const live = file.entities.filter((entity) => !entity.deleted);
  const used = new Set<string>();
  const stixIds = new Map<string, string>();
  const taken = new Set<string>();
  const idFor = (type: string, entity: EntityRecord) => {
    let id = stixIdFor(type, entity.external?.id ?? entity.id);
    if (taken.has(id)) id = `${type}--${uuidV5(`${type}:${entity.id}:${entity.caseId}`)}`;
    taken.add(id);
    stixIds.set(entity.id, id);
    return id;
  };
  const common = (entity: EntityRecord, type: string): Out => {
    const refs = markingRefs(entity.markings);
    refs.forEach((ref) => used.add(ref));
    return {
      type,
      spec_version: '2.1',
      id: idFor(type, entity),
      created: hlcToIso(entity.createdAt),
      modified: hlcToIso(entity.updatedAt),
      confidence: CONFIDENCE_OF[entity.grading.information],
      object_marking_refs: refs,
    };
  };

  const objects: Out[] = [];
  const sightings: EntityRecord[] = [];
  for (const entity of live) {
    if (isEdgeSchema(entity.schema)) continue;
    const type = stixTypeOf(entity);
    if (type === 'sighting') sightings.push(entity);
    else if (type) objects.push(compact({ ...common(entity, type), ...nodeObject(entity, type) }));
  }
  // A sighting needs what it sighted: the "sighting-of" link the import made, or any link from it.
  const sightingOf = new Map<string, EntityRecord>();
  for (const entity of live) {
    const ends = isEdgeSchema(entity.schema)
      ? edgeEnds(entity.schema, entity.properties)
      : undefined;
    if (ends && first(entity, 'role') === 'sighting-of') sightingOf.set(ends.source, entity);
  }
  const consumed = new Set<string>();
  for (const entity of sightings) {
    const link = sightingOf.get(entity.id);
    const of = link ? stixIds.get(edgeEnds(link.schema, link.properties)!.target) : undefined;
    if (!of) continue;
    consumed.add(link!.id);
    const where = [...all(entity, 'involved'), ...all(entity, 'addressEntity')].flatMap(
      (id) => stixIds.get(id) ?? [],
    );
    const count = /^seen (\d+) times?$/.exec(first(entity, 'summary') ?? '')?.[1];
    const firstSeen = timestamp(first(entity, 'startDate'));
    const lastSeen = timestamp(first(entity, 'endDate'), true);
    objects.push(
      compact({
        ...common(entity, 'sighting'),
        description: first(entity, 'description'),
        first_seen: firstSeen,
        last_seen: before(lastSeen, firstSeen) ? undefined : lastSeen,
        count: count === undefined ? undefined : Number(count),
        sighting_of_ref: of,
        where_sighted_refs: nonEmpty(where),
      }),
    );
  }
  for (const entity of live) {
    if (!isEdgeSchema(entity.schema) || consumed.has(entity.id)) continue;
    const ends = edgeEnds(entity.schema, entity.properties);
    const source = ends && stixIds.get(ends.source);
    const target = ends && stixIds.get(ends.target);
    if (!source || !target) continue;
    const role = first(entity, 'role');
    const relationshipType =
      entity.schema === 'UnknownLink'
        ? role && /^[a-z0-9-]+$/.test(role)
          ? role
          : 'related-to'
        : kebab(entity.schema);
    const start = timestamp(first(entity, 'startDate') ?? first(entity, 'date'));
    const stop = timestamp(first(entity, 'endDate'), true);
    objects.push(
      compact({
        ...common(entity, 'relationship'),
        relationship_type: relationshipType,
        description:
          first(entity, 'description') ??
          (entity.schema === 'UnknownLink' && role && role !== relationshipType ? role : undefined),
        source_ref: source,
        target_ref: target,
        start_time: start,
        stop_time: start === undefined || before(start, stop) ? stop : undefined,
      }),
    );
  }
  const bundle = {
    type: 'bundle',
    id: `bundle--${uuidV5(`bundle:${file.case.id}`)}`,
    objects: [...markingDefinitions(used), ...objects],
  };
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

/** True for JSON whose top level says `"type": "bundle"` and that holds `"spec_version"` or STIX ids. */
function sniffStix(text: string): boolean {
  const head = text.slice(0, 4096).trimStart();
  if (!head.startsWith('{')) return false;
  return (
    /"type"\s*:\s*"bundle"/.test(head) &&
    /"[a-z][a-z0-9-]*--[0-9a-f]{8}-/i.test(text.slice(0, 65536))
  );
}

export const stixFormat: InterchangeFormat = {
  id: 'stix',
  label: 'STIX 2.1 bundle',
  extensions: ['.json', '.stix', '.stix.json'],
  sniff: sniffStix,
  importText: importStix,
  exportText: exportStix,
};
