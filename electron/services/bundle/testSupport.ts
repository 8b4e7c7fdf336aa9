/**
 * Test support (not used by the app): identities with cheap scrypt parameters, and a raw sealer
 * that signs an arbitrary container and arbitrary extra stanzas, to build the malicious-sender
 * bundles of the attack tests.
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { IdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { ed25519Sign, decodeAgeRecipient } from '../identity/keys.ts';
import { PassphraseProtector } from '../identity/protector.ts';
import { IdentityStore, type UnlockedIdentity } from '../identity/store.ts';
import {
  AGE_INTRO,
  buildHeader,
  newFileKey,
  parseHeader,
  payloadKey,
  type Stanza,
  stanzaText,
  StreamEncryptor,
  unwrapX25519,
  wrapX25519,
} from './age.ts';
import { outerSignedMessage, signatureStanzaLine } from './seal.ts';

export const TEST_PASSPHRASE = 'correct horse battery staple';

export function testProtector(passphrase = TEST_PASSPHRASE): PassphraseProtector {
  return new PassphraseProtector(() => passphrase, { logN: 10, r: 8, p: 1 });
}

export async function makeAgency(
  root: string,
  name: string,
): Promise<{ store: IdentityStore; card: IdentityCard; identity: UnlockedIdentity; dir: string }> {
  const dir = path.join(root, name.replace(/\W+/g, '-').toLowerCase());
  const store = new IdentityStore(dir, testProtector());
  const card = await store.create({ agencyName: name });
  return { store, card, identity: await store.unlock(), dir };
}

/** An age file of `plaintext` to `recipients`, with extra stanzas, signed (or not) as `signer`. */
export async function sealRaw(options: {
  plaintext: Buffer;
  recipients: readonly IdentityCard[];
  signer?: UnlockedIdentity;
  bundleId?: string;
  extraStanzas?: readonly Stanza[];
  out: string;
}): Promise<void> {
  const fileKey = newFileKey();
  const stanzas: Stanza[] = [
    ...options.recipients.map((card) => wrapX25519(fileKey, decodeAgeRecipient(card.ageRecipient))),
    ...(options.extraStanzas ?? []),
  ];
  const nonce = crypto.randomBytes(16);
  const chunks: Buffer[] = [nonce];
  const encryptor = new StreamEncryptor(payloadKey(fileKey, nonce));
  encryptor.update(options.plaintext, chunks);
  encryptor.final(chunks);
  const payload = Buffer.concat(chunks);
  if (options.signer) {
    const keyId = options.signer.card.keyId;
    const bundleId = options.bundleId ?? '01HZZZZZZZZZZZZZZZZZZZZZZZ';
    const before = Buffer.from(`${AGE_INTRO}${stanzas.map(stanzaText).join('')}`);
    const message = outerSignedMessage(
      before,
      signatureStanzaLine(keyId, bundleId),
      crypto.createHash('sha256').update(payload).digest(),
    );
    stanzas.push({
      type: 'tessera-sig',
      args: ['1', keyId, bundleId],
      body: ed25519Sign(options.signer.secrets.signingSeed, message),
    });
  }
  const { header } = buildHeader(stanzas, fileKey);
  await fs.writeFile(options.out, Buffer.concat([header, payload]));
}

/**
 * Copies the bundle `file` to `out` with its payload changed by `mutate` and the outer signature
 * made again by `signer` over the changed payload: an authentic bundle whose content the sender
 * (malicious or broken) got wrong, so checks after the signature can be tested. `recipient` opens
 * the file key, which the header MAC needs.
 */
export async function resignPayload(options: {
  file: string;
  out: string;
  mutate: (payload: Buffer) => void;
  signer: UnlockedIdentity;
  recipient: UnlockedIdentity;
}): Promise<void> {
  const bytes = await fs.readFile(options.file);
  const header = parseHeader(bytes, { maxStanzas: 64, maxBytes: 32 * 1024 });
  const fileKey = unwrapX25519(header.stanzas, options.recipient.secrets.ageSecret);
  if (!fileKey) throw new Error('resignPayload: the recipient cannot open this bundle');
  const payload = Buffer.from(bytes.subarray(header.length));
  options.mutate(payload);
  const stanzas = header.stanzas.slice(0, -1);
  const [, keyId, bundleId] = header.stanzas.at(-1)!.args;
  const message = outerSignedMessage(
    Buffer.from(`${AGE_INTRO}${stanzas.map(stanzaText).join('')}`),
    signatureStanzaLine(keyId!, bundleId!),
    crypto.createHash('sha256').update(payload).digest(),
  );
  const signature: Stanza = {
    type: 'tessera-sig',
    args: ['1', keyId!, bundleId!],
    body: ed25519Sign(options.signer.secrets.signingSeed, message),
  };
  const rebuilt = buildHeader([...stanzas, signature], fileKey);
  await fs.writeFile(options.out, Buffer.concat([rebuilt.header, payload]));
}
