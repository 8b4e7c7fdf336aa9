/**
 * Bundle format versions (issue 13, round 9): sealing writes format 2, whose outer signature covers
 * the list of SHA-256 hashes of the payload's 1 MiB ciphertext blocks (a `tessera-blocks` stanza),
 * and opening checks each block against its hash before decrypting any of it, in one pass. Bundles
 * of format 1 (one SHA-256 over the payload; fixtures/v1 was sealed by the format-1 code) still
 * verify and open, and neither format's signature passes for the other's.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Decrypter } from 'age-encryption';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYLOAD_BLOCK_BYTES, parseIdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { ScratchSpace } from '../files/scratch.ts';
import { exportAgeSecretKey, IdentityStore } from '../identity/store.ts';
import { CHUNK_SIZE, parseHeader, type Stanza } from './age.ts';
import type { BundleError } from './errors.ts';
import { type BundleErrorCode } from './errors.ts';
import {
  blockListOf,
  expectBundleError,
  HEADER_LIMITS,
  makeAgency,
  rewriteHeader,
  sealRaw,
  testProtector,
} from './fixtures/testSupport.ts';
import { readSignatureStanza } from '../exchange/bundleOpener.ts';
import { openBundle, verifyBundle } from './open.ts';
import { sealBundle, type SealAttachment } from './seal.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'v1');
const MIB = 1024 * 1024;
const CANARY = 'FORMAT2-CANARY-7c1e';
let root: string;
type Agency = Awaited<ReturnType<typeof makeAgency>>;
let a: Agency;
let b: Agency;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-bundle-versions-'));
  [a, b] = await Promise.all([makeAgency(root, 'Ver A'), makeAgency(root, 'Ver B')]);
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function expectCode(
  promise: Promise<unknown>,
  code: BundleErrorCode,
  message?: RegExp,
): Promise<BundleError> {
  return expectBundleError(promise, [code], message);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** The fixture's agencies: copied, as an identity store may write beside its files. */
async function fixtureAgency(name: string) {
  const dir = path.join(root, `fixture-${name}`);
  await fs.cp(path.join(FIXTURE, `fixture-agency-${name}`), dir, { recursive: true });
  const store = new IdentityStore(dir, testProtector());
  const card = parseIdentityCard(
    JSON.parse(await fs.readFile(path.join(dir, 'identity.json'), 'utf8')),
  );
  return { card, identity: await store.unlock() };
}

/** The attachment the fixture was sealed with (fixtures/v1, sealed by the format-1 code). */
function fixturePhoto(): Buffer {
  const bytes = Buffer.alloc(70_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
}

/** `size` random bytes with the canary every 4 KiB, so that any fragment of plaintext shows. */
function canaryBytes(size: number): Buffer {
  const data = crypto.randomBytes(size);
  for (let at = 0; at + CANARY.length < size; at += 4096) data.write(CANARY, at, 'utf8');
  return data;
}

/** Files under `dir` holding the canary in the clear. */
async function canaryHits(dir: string): Promise<string[]> {
  const hits: string[] = [];
  for (const file of await filesUnder(dir)) {
    const bytes = await fs.readFile(file).catch(() => Buffer.alloc(0));
    if (bytes.includes(CANARY)) hits.push(file);
  }
  return hits;
}

function withVersion(stanza: Stanza, version: string): Stanza {
  return { ...stanza, args: [version, ...stanza.args.slice(1)] };
}

describe('format 1 (sealed before issue 13)', () => {
  it('still verifies and opens, every part as sealed, with one bundle digest', async () => {
    const fa = await fixtureAgency('a');
    const fb = await fixtureAgency('b');
    const file = path.join(FIXTURE, 'v1.tsb');
    const header = parseHeader(await fs.readFile(file), HEADER_LIMITS);
    expect(header.stanzas.at(-1)!.args[0]).toBe('1');
    const verified = await verifyBundle(file, fa.card);
    // SHA-256 of the payload, as the format-1 sealer reported it.
    expect(verified.payloadSha256).toBe(
      '94490f4c1f9c03319d5f72ca90bc4672895296bb81a4e8596261958bc7aaf762',
    );
    const outDir = path.join(root, 'v1-out');
    const opened = await openBundle(file, fb.identity, fa.card, outDir);
    expect(opened.bundleDigest).toBe(verified.bundleDigest);
    expect(opened.manifest.bundleId).toBe('01JBV1F1XTVRE0000000000000');
    expect((await fs.readFile(path.join(outDir, 'photo.jpg'))).equals(fixturePhoto())).toBe(true);
    expect((await fs.readFile(path.join(outDir, 'empty.bin'))).length).toBe(0);
  });

  it('a flipped payload byte is refused by the signature before anything is written', async () => {
    const fa = await fixtureAgency('a');
    const fb = await fixtureAgency('b');
    const bytes = await fs.readFile(path.join(FIXTURE, 'v1.tsb'));
    bytes[bytes.length - 5_000]! ^= 0x04;
    const file = path.join(root, 'v1-flipped.tsb');
    await fs.writeFile(file, bytes);
    await expectCode(verifyBundle(file, fa.card), 'bad-signature');
    const outDir = path.join(root, 'v1-flipped-out');
    await expectCode(openBundle(file, fb.identity, fa.card, outDir), 'bad-signature');
    expect(existsSync(outDir)).toBe(false);
  });

  it('relabelled as format 2, with the right block list added, its signature does not pass', async () => {
    const fa = await fixtureAgency('a');
    const fb = await fixtureAgency('b');
    const source = path.join(FIXTURE, 'v1.tsb');
    const bytes = await fs.readFile(source);
    const header = parseHeader(bytes, HEADER_LIMITS);
    // The list is public knowledge (hashes of the ciphertext): anyone can compute it.
    const list = blockListOf(bytes.subarray(header.length));
    const file = path.join(root, 'v1-as-v2.tsb');
    await rewriteHeader(source, file, fb.identity, (stanzas) => [
      ...stanzas.slice(0, -1),
      list,
      withVersion(stanzas.at(-1)!, '2'),
    ]);
    await expectCode(verifyBundle(file, fa.card), 'bad-signature');
    const outDir = path.join(root, 'v1-as-v2-out');
    await expectCode(openBundle(file, fb.identity, fa.card, outDir), 'bad-signature');
    expect(existsSync(outDir)).toBe(false);
  });
});

/** Sizes around the STREAM chunk and the 1 MiB block edges (a part's framing shifts them). */
const EDGES = [
  0,
  1,
  CHUNK_SIZE - 1,
  CHUNK_SIZE,
  CHUNK_SIZE + 1,
  MIB - 9,
  MIB,
  MIB + 1,
  2 * MIB + 3,
];

describe('format 2 round trip', () => {
  it('random layouts seal as format 2 and open to identical bytes; verify, seal and open agree', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            size: fc.oneof(fc.constantFrom(...EDGES), fc.integer({ min: 0, max: 3 * MIB })),
            fromFile: fc.boolean(),
          }),
          { minLength: 0, maxLength: 4 },
        ),
        fc.constantFrom(0, 1, 100, CHUNK_SIZE),
        async (layout, operationsSize) => {
          const dir = path.join(root, `rt-${run++}`);
          await fs.mkdir(dir);
          const datas = layout.map(({ size }) => crypto.randomBytes(size));
          const attachments: SealAttachment[] = [];
          for (const [i, { fromFile }] of layout.entries()) {
            if (fromFile) {
              const input = path.join(dir, `in-${i}`);
              await fs.writeFile(input, datas[i]!);
              attachments.push({ name: `att-${i}`, path: input });
            } else attachments.push({ name: `att-${i}`, bytes: datas[i]! });
          }
          const operations = crypto.randomBytes(operationsSize);
          const file = path.join(dir, 'b.tsb');
          const sealed = await sealBundle({
            identity: a.identity,
            recipients: [b.card],
            manifestFields: { caseId: 'rt', policyVersion: 'p' },
            operations,
            attachments,
            out: file,
          });
          expect(sealed.format).toBe(2);
          const bytes = await fs.readFile(file);
          const header = parseHeader(bytes, HEADER_LIMITS);
          expect(header.stanzas.at(-2)!.type).toBe('tessera-blocks');
          expect(header.stanzas.at(-1)!.args[0]).toBe('2');
          const cipher = bytes.length - header.length - 16;
          expect(header.stanzas.at(-2)!.body.length).toBe(
            Math.ceil(cipher / PAYLOAD_BLOCK_BYTES) * 32,
          );
          const verified = await verifyBundle(file, a.card);
          expect(verified.bundleDigest).toBe(sealed.bundleDigest);
          expect(verified.payloadSha256).toBe(sealed.payloadSha256);
          const outDir = path.join(dir, 'out');
          const opened = await openBundle(file, b.identity, a.card, outDir);
          expect(opened.bundleDigest).toBe(sealed.bundleDigest);
          expect(opened.operations.equals(operations)).toBe(true);
          for (const [i, data] of datas.entries()) {
            expect((await fs.readFile(path.join(outDir, `att-${i}`))).equals(data)).toBe(true);
          }
          await fs.rm(dir, { recursive: true });
        },
      ),
      { numRuns: 15 },
    );
  });

  it('a part streamed without a length is sealed as format 1, and opens', async () => {
    const data = crypto.randomBytes(MIB + 5);
    const file = path.join(root, 'streamed.tsb');
    const sealed = await sealBundle({
      identity: a.identity,
      recipients: [b.card],
      manifestFields: { caseId: 's', policyVersion: 'p' },
      operations: Buffer.from('{}'),
      attachments: [
        {
          name: 'x.bin',
          stream: Readable.from([data.subarray(0, 7), data.subarray(7)]),
        },
      ],
      out: file,
    });
    expect(sealed.format).toBe(1);
    expect((await verifyBundle(file, a.card)).bundleDigest).toBe(sealed.bundleDigest);
    const opened = await openBundle(file, b.identity, a.card, path.join(root, 'streamed-out'));
    expect(opened.bundleDigest).toBe(sealed.bundleDigest);
    expect((await fs.readFile(path.join(root, 'streamed-out', 'x.bin'))).equals(data)).toBe(true);
  });

  it('a stream with its size stated is format 2; one of another length is refused, nothing left', async () => {
    const data = crypto.randomBytes(2 * MIB + 17);
    const dir = path.join(root, 'sized');
    await fs.mkdir(dir);
    const sealWith = (size: number, out: string) =>
      sealBundle({
        identity: a.identity,
        recipients: [b.card],
        manifestFields: { caseId: 's', policyVersion: 'p' },
        operations: Buffer.from('{}'),
        attachments: [
          {
            name: 'x.bin',
            stream: Readable.from([data.subarray(0, MIB), data.subarray(MIB)]),
            size,
          },
        ],
        out,
      });
    const sealed = await sealWith(data.length, path.join(dir, 'ok.tsb'));
    expect(sealed.format).toBe(2);
    await openBundle(path.join(dir, 'ok.tsb'), b.identity, a.card, path.join(dir, 'out'));
    expect((await fs.readFile(path.join(dir, 'out', 'x.bin'))).equals(data)).toBe(true);
    await expectCode(
      sealWith(data.length + 1, path.join(dir, 'short.tsb')),
      'invalid-input',
      /shorter/,
    );
    await expectCode(
      sealWith(data.length - 1, path.join(dir, 'long.tsb')),
      'invalid-input',
      /longer/,
    );
    expect((await fs.readdir(dir)).sort()).toEqual(['ok.tsb', 'out']);
  });

  it('an attachment that changes size between planning and sealing is refused, nothing left', async () => {
    const dir = path.join(root, 'grow');
    await fs.mkdir(dir);
    const input = path.join(dir, 'in.bin');
    await fs.writeFile(input, crypto.randomBytes(1000));
    const out = path.join(dir, 'out.tsb');
    const sealing = sealBundle({
      identity: a.identity,
      recipients: [b.card],
      manifestFields: { caseId: 'g', policyVersion: 'p' },
      operations: Buffer.alloc(3 * MIB),
      attachments: [{ name: 'in.bin', path: input }],
      out,
    });
    // The operations part (3 MiB) is encrypted first: the attachment grows meanwhile.
    await fs.appendFile(input, 'more');
    await expectCode(sealing, 'invalid-input', /changed while it was being sealed/);
    expect(await fs.readdir(dir)).toEqual(['in.bin']);
  });
});

describe('format 2 tampering: a coded error, nothing decrypted from the bad block, nothing left', () => {
  let file: string;
  let bytes: Buffer;
  let start: number;
  let blocks: number;

  beforeAll(async () => {
    file = path.join(root, 'tamper.tsb');
    await sealBundle({
      identity: a.identity,
      recipients: [b.card],
      manifestFields: { caseId: 'tamper', policyVersion: 'p' },
      operations: Buffer.from(JSON.stringify({ note: CANARY })),
      attachments: [{ name: 'evidence.bin', bytes: canaryBytes(5 * MIB + 4321) }],
      out: file,
    });
    bytes = await fs.readFile(file);
    start = parseHeader(bytes, HEADER_LIMITS).length + 16;
    blocks = Math.ceil((bytes.length - start) / PAYLOAD_BLOCK_BYTES);
    expect(blocks).toBe(6);
  });

  /** Opens `tampered` into a fresh outDir and scratch space: refused, and nothing left. */
  async function refused(name: string, tampered: Buffer, code: BundleErrorCode, message?: RegExp) {
    const dir = path.join(root, `t-${name}`);
    await fs.mkdir(dir);
    const target = path.join(dir, 'bundle.tsb');
    await fs.writeFile(target, tampered);
    await expectCode(verifyBundle(target, a.card), code, message);
    const scratch = await ScratchSpace.create(path.join(dir, 'scratch'));
    const outDir = path.join(dir, 'out');
    await expectCode(openBundle(target, b.identity, a.card, outDir, { scratch }), code, message);
    expect(existsSync(outDir)).toBe(false);
    expect(await filesUnder(scratch.dir)).toEqual([]);
    await scratch.dispose();
    expect(await canaryHits(dir)).toEqual([]);
  }

  it.each([
    ['first', 0],
    ['middle', 3],
    ['last', 5],
  ])('a flipped byte in the %s block: refused at that block by the list', async (_, k) => {
    const tampered = Buffer.from(bytes);
    const at = start + k * PAYLOAD_BLOCK_BYTES + 1000;
    tampered[at]! ^= 0x20;
    // The list check names the block: it refused it before the STREAM cipher saw it.
    await refused(`flip-${k}`, tampered, 'bad-signature', new RegExp(`block ${k} does not match`));
  });

  it('two blocks swapped', async () => {
    const tampered = Buffer.from(bytes);
    const one = start + PAYLOAD_BLOCK_BYTES;
    const two = start + 2 * PAYLOAD_BLOCK_BYTES;
    bytes.copy(tampered, one, two, two + PAYLOAD_BLOCK_BYTES);
    bytes.copy(tampered, two, one, one + PAYLOAD_BLOCK_BYTES);
    await refused('swap', tampered, 'bad-signature', /block 1 does not match/);
  });

  it('cut short, or with bytes appended', async () => {
    await refused('cut', bytes.subarray(0, bytes.length - 100), 'truncated');
    await refused('cut-block', bytes.subarray(0, start + 2 * PAYLOAD_BLOCK_BYTES), 'truncated');
    await refused('extended', Buffer.concat([bytes, Buffer.from('x')]), 'bad-signature');
  });

  async function rewritten(edit: (stanzas: Stanza[]) => Stanza[]): Promise<Buffer> {
    const out = path.join(root, `rewritten-${crypto.randomBytes(4).toString('hex')}.tsb`);
    await rewriteHeader(file, out, b.identity, edit);
    return fs.readFile(out);
  }

  it('one list entry changed (to the hash of other ciphertext): the signature refuses it', async () => {
    const tampered = await rewritten((stanzas) => {
      const list = stanzas.at(-2)!;
      const body = Buffer.from(list.body);
      crypto
        .createHash('sha256')
        .update('other')
        .digest()
        .copy(body, 2 * 32);
      return [...stanzas.slice(0, -2), { ...list, body }, stanzas.at(-1)!];
    });
    await refused('entry', tampered, 'bad-signature');
  });

  it('the list dropped, moved after the signature, or doubled', async () => {
    const dropped = await rewritten((s) => [...s.slice(0, -2), s.at(-1)!]);
    await refused('dropped', dropped, 'malformed', /block-list stanza/);
    const moved = await rewritten((s) => [...s.slice(0, -2), s.at(-1)!, s.at(-2)!]);
    await refused('moved', moved, 'malformed');
    const doubled = await rewritten((s) => [...s.slice(0, -1), s.at(-2)!, s.at(-1)!]);
    await refused('doubled', doubled, 'malformed', /block-list stanza/);
    const first = await rewritten((s) => [s.at(-2)!, ...s.slice(0, -2), s.at(-1)!]);
    await refused('first', first, 'malformed', /block-list stanza/);
  });

  it('its stated length changed', async () => {
    const tampered = await rewritten((stanzas) => {
      const list = stanzas.at(-2)!;
      const length = Number(list.args[1]);
      return [
        ...stanzas.slice(0, -2),
        { ...list, args: [list.args[0]!, String(length - 1)] },
        stanzas.at(-1)!,
      ];
    });
    // Same block count: the file is now one byte longer than the length it states.
    await refused('length', tampered, 'bad-signature');
  });

  it('relabelled as format 1 (the list dropped or kept): does not verify', async () => {
    const kept = await rewritten((s) => [...s.slice(0, -1), withVersion(s.at(-1)!, '1')]);
    await refused('as-v1-kept', kept, 'malformed', /format 1 bundle carries a block list/);
    const dropped = await rewritten((s) => [...s.slice(0, -2), withVersion(s.at(-1)!, '1')]);
    await refused('as-v1', dropped, 'bad-signature');
  });

  it('a format number that does not exist', async () => {
    const three = await rewritten((s) => [...s.slice(0, -1), withVersion(s.at(-1)!, '3')]);
    await refused('v3', three, 'malformed');
    const listThree = await rewritten((s) => [
      ...s.slice(0, -2),
      withVersion(s.at(-2)!, '3'),
      s.at(-1)!,
    ]);
    await refused('list-v3', listThree, 'malformed');
  });
});

describe('age reads format 2', () => {
  it('`age -d` and the age-encryption library decrypt a sealed format-2 bundle', async () => {
    const keyFile = path.join(root, 'b.key');
    await fs.writeFile(keyFile, `${exportAgeSecretKey(b.identity)}\n`, { mode: 0o600 });
    const file = path.join(root, 'interop.tsb');
    const data = crypto.randomBytes(3 * MIB + 11);
    await sealBundle({
      identity: a.identity,
      recipients: [b.card],
      manifestFields: { caseId: 'i', policyVersion: 'p' },
      operations: Buffer.from('{}'),
      attachments: [{ name: 'x.bin', bytes: data }],
      out: file,
    });
    const viaCli = execFileSync('age', ['-d', '-i', keyFile, file], { maxBuffer: 64 * MIB });
    // The container: its magic, then the attachment in 1 MiB segments.
    expect(viaCli.subarray(0, 17).toString('latin1')).toBe('tessera-bundle/1\n');
    expect(viaCli.includes(data.subarray(0, MIB))).toBe(true);
    const decrypter = new Decrypter();
    decrypter.addIdentity(exportAgeSecretKey(b.identity));
    const viaLibrary = Buffer.from(await decrypter.decrypt(await fs.readFile(file)));
    expect(viaLibrary.equals(viaCli)).toBe(true);
  });

  it('a block list for 64 GiB of payload (a 2.8 MB stanza) does not stop either', async () => {
    const keyFile = path.join(root, 'b.key');
    await fs.writeFile(keyFile, `${exportAgeSecretKey(b.identity)}\n`, { mode: 0o600 });
    const data = crypto.randomBytes(1000);
    const file = path.join(root, 'long-list.age');
    const count = 65_536;
    const list: Stanza = {
      type: 'tessera-blocks',
      args: ['2', String(count * PAYLOAD_BLOCK_BYTES)],
      body: crypto.randomBytes(count * 32),
    };
    await sealRaw({ plaintext: data, recipients: [b.card], extraStanzas: [list], out: file });
    const header = parseHeader(await fs.readFile(file), HEADER_LIMITS);
    expect(header.length).toBeGreaterThan(2_800_000);
    expect(execFileSync('age', ['-d', '-i', keyFile, file]).equals(data)).toBe(true);
    const decrypter = new Decrypter();
    decrypter.addIdentity(exportAgeSecretKey(b.identity));
    expect(Buffer.from(await decrypter.decrypt(await fs.readFile(file))).equals(data)).toBe(true);
  });

  it('a header longer than the first header read still verifies, and its signer is found', async () => {
    // A list is ≈ 43 bytes per MiB of payload: past the reader's first 32 KiB read from ≈ 760 MiB.
    // The same header length here from an unknown ("grease") stanza, which age and Tessera skip.
    const file = path.join(root, 'long-header.tsb');
    const grease: Stanza = { type: 'grease-x', args: [], body: crypto.randomBytes(40_000) };
    await sealRaw({
      plaintext: Buffer.from('tessera-bundle/1\n'),
      recipients: [b.card],
      signer: a.identity,
      extraStanzas: [grease],
      bundleId: '01JBV2HEADER00000000000000',
      out: file,
    });
    expect(parseHeader(await fs.readFile(file), HEADER_LIMITS).length).toBeGreaterThan(32 * 1024);
    const verified = await verifyBundle(file, a.card);
    expect(verified.bundleId).toBe('01JBV2HEADER00000000000000');
    expect(await readSignatureStanza(file)).toEqual({
      keyId: a.card.keyId,
      bundleId: '01JBV2HEADER00000000000000',
    });
  });
});
