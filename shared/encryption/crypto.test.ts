import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, bytesSource, concat, openAllChunks, sealChunks } from './chunks.ts';
import { openRecord, sealRecord } from './envelope.ts';
import { CryptoError } from './errors.ts';
import {
  deriveDataKeys,
  generateKey,
  importWrappingKey,
  keyEncryptionKey,
  unwrapKey,
  wrapKey,
} from './keys.ts';
import { passphraseKeyMaterial } from './passphraseKey.ts';
import { formatRecoveryKey, parseRecoveryKey } from './recoveryKey.ts';
import { blindIndex } from './blindIndex.ts';
import { randomBytes, utf8 } from './webCrypto.ts';
import { rejectionCode } from '../testing/rejectionCode.ts';

const codeOf = (work: Promise<unknown>) => rejectionCode(work, CryptoError);

async function sealedAll(
  key: Awaited<ReturnType<typeof deriveDataKeys>>,
  id: string,
  data: Uint8Array,
) {
  const chunks: Uint8Array[] = [];
  for await (const chunk of sealChunks(key.attachment, id, bytesSource(data))) chunks.push(chunk);
  return chunks;
}

describe('record envelope', () => {
  it('round-trips and refuses another table, id or version, and any changed byte', async () => {
    const keys = await deriveDataKeys(generateKey(), 1);
    const slot = { table: 'entities', id: 'e1', version: 'v2' };
    const plain = utf8('{"name":"Ana Popescu"}');
    const sealed = await sealRecord(keys.record, slot, plain);
    expect(await openRecord(keys.record, slot, sealed)).toEqual(plain);
    expect(await codeOf(openRecord(keys.record, { ...slot, id: 'e2' }, sealed))).toBe('tampered');
    expect(await codeOf(openRecord(keys.record, { ...slot, table: 'notes' }, sealed))).toBe(
      'tampered',
    );
    expect(await codeOf(openRecord(keys.record, { ...slot, version: 'v3' }, sealed))).toBe(
      'tampered',
    );
    const other = await deriveDataKeys(generateKey(), 2);
    expect(await codeOf(openRecord(other.record, slot, sealed))).toBe('tampered');
    await fc.assert(
      fc.asyncProperty(
        fc.nat(sealed.length - 1),
        fc.integer({ min: 1, max: 255 }),
        async (i, x) => {
          const changed = sealed.slice();
          changed[i] ^= x;
          expect(await codeOf(openRecord(keys.record, slot, changed))).toBe('tampered');
        },
      ),
      { numRuns: 50 },
    );
  });

  it('uses a fresh nonce on every write', async () => {
    const keys = await deriveDataKeys(generateKey(), 1);
    const slot = { table: 'cases', id: 'c', version: '' };
    const a = await sealRecord(keys.record, slot, utf8('same'));
    const b = await sealRecord(keys.record, slot, utf8('same'));
    expect(a).not.toEqual(b);
  });
});

describe('attachment chunks', () => {
  const data = randomBytes(2 * CHUNK_BYTES + 1234);

  it('round-trips a multi-chunk file and an empty one', async () => {
    const keys = await deriveDataKeys(generateKey(), 1);
    const chunks = await sealedAll(keys, 'a1', data);
    expect(chunks).toHaveLength(3);
    const opened = await openAllChunks(keys.attachment, 'a1', bytesSource(concat(chunks)));
    // Compared by hand: vitest's deep equality walks a 2 MiB array element by element, slowly.
    expect(opened.length === data.length && opened.every((byte, i) => byte === data[i])).toBe(true);
    const empty = await sealedAll(keys, 'a0', new Uint8Array(0));
    expect(await openAllChunks(keys.attachment, 'a0', bytesSource(concat(empty)))).toEqual(
      new Uint8Array(0),
    );
  });

  it('detects truncation at a chunk boundary or inside a chunk, reordering and another id', async () => {
    const keys = await deriveDataKeys(generateKey(), 1);
    const [c0, c1, c2] = await sealedAll(keys, 'a1', data);
    const open = (parts: Uint8Array[], id = 'a1') =>
      codeOf(openAllChunks(keys.attachment, id, bytesSource(concat(parts))));
    expect(await open([c0!, c1!])).toBe('tampered');
    expect(await open([c0!, c1!, c2!.subarray(0, 100)])).toBe('tampered');
    expect(await open([c1!, c0!, c2!])).toBe('tampered');
    expect(await open([c0!, c1!, c2!], 'a2')).toBe('tampered');
    expect(await open([c0!, c1!, c2!])).toBeUndefined();
  });
});

describe('key wrapping', () => {
  it('unwraps under the right key only', async () => {
    const master = generateKey();
    const kek = await keyEncryptionKey(generateKey(), 'recovery');
    const wrapped = await wrapKey(kek, master, 'master');
    expect(await unwrapKey(kek, wrapped, 'master')).toEqual(master);
    const wrong = await keyEncryptionKey(generateKey(), 'recovery');
    expect(await codeOf(unwrapKey(wrong, wrapped, 'master'))).toBe('wrong-key');
    // The label is bound: a wrapped master key cannot be passed off as a data key.
    expect(await codeOf(unwrapKey(kek, wrapped, 'data-1'))).toBe('wrong-key');
    const byMaster = await importWrappingKey(master);
    expect(await unwrapKey(byMaster, await wrapKey(byMaster, master, 'x'), 'x')).toEqual(master);
  });

  it('derives passphrase material with Argon2id deterministically per salt', async () => {
    const params = { memoryKiB: 64, iterations: 1, parallelism: 1 };
    const salt = randomBytes(16);
    const a = await passphraseKeyMaterial('correct horse battery', salt, params);
    expect(a).toHaveLength(32);
    expect(await passphraseKeyMaterial('correct horse battery', salt, params)).toEqual(a);
    // NFC: the same letters typed precomposed or decomposed give the same key.
    expect(await passphraseKeyMaterial('Ște', salt, params)).toEqual(
      await passphraseKeyMaterial('S\u0326te', salt, params),
    );
    expect(await passphraseKeyMaterial('correct horse batterY', salt, params)).not.toEqual(a);
  });
});

describe('recovery key', () => {
  it('round-trips in groups of four, forgiving case, spaces and look-alike digits', () => {
    const key = generateKey();
    const text = formatRecoveryKey(key);
    expect(text).toMatch(/^([A-Z2-7]{4}-){13}[A-Z2-7]{4}$/);
    expect(parseRecoveryKey(text)).toEqual(key);
    const sloppy = text.toLowerCase().replace(/-/g, ' ').replace(/o/g, '0');
    expect(parseRecoveryKey(sloppy)).toEqual(key);
  });

  it('refuses a typo by its checksum', () => {
    const text = formatRecoveryKey(generateKey());
    const typo = (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
    expect(() => parseRecoveryKey(typo)).toThrow(expect.objectContaining({ code: 'malformed' }));
    expect(() => parseRecoveryKey('hello')).toThrow(expect.objectContaining({ code: 'malformed' }));
  });
});

describe('blind index', () => {
  it('is deterministic per key, table and field, and differs across keys', () => {
    const k1 = generateKey();
    const k2 = generateKey();
    expect(blindIndex(k1, 'entities', 'schema', 'Person')).toBe(
      blindIndex(k1, 'entities', 'schema', 'Person'),
    );
    expect(blindIndex(k1, 'entities', 'schema', 'Person')).not.toBe(
      blindIndex(k2, 'entities', 'schema', 'Person'),
    );
    expect(blindIndex(k1, 'entities', 'schema', 'Person')).not.toBe(
      blindIndex(k1, 'entities', 'schema', 'Company'),
    );
    expect(blindIndex(k1, 'entities', 'schema', 'Person')).toMatch(/^[\w-]{22}$/);
  });
});
