/**
 * Bundle format versions (issue 13): sealing writes format 2, whose outer signature covers the
 * payload tree hash (payloadTree.ts); bundles of format 1 (one SHA-256 over the payload), sealed
 * before, still verify and open, and neither format's signature passes for the other's.
 */
import crypto from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { IdentityStore } from '../identity/store.ts';
import { buildHeader, parseHeader, type Stanza, unwrapX25519 } from './age.ts';
import { BundleError, type BundleErrorCode } from './errors.ts';
import { makeAgency, testProtector } from './fixtures/testSupport.ts';
import { openBundle, verifyBundle } from './open.ts';
import { leafDigest, TREE_BLOCK, treeRoot, treeRootOf } from './payloadTree.ts';
import { sealBundle } from './seal.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'v1');
const HEADER_LIMITS = { maxStanzas: 64, maxBytes: 32 * 1024 };
let root: string;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-bundle-versions-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function expectCode(promise: Promise<unknown>, code: BundleErrorCode): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BundleError);
  expect((error as BundleError).code).toBe(code);
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

/** Rewrites the signature stanza's version (the MAC made again with `recipient`'s file key). */
async function relabel(file: string, out: string, version: string, secret: Uint8Array) {
  const bytes = await fs.readFile(file);
  const header = parseHeader(bytes, HEADER_LIMITS);
  const fileKey = unwrapX25519(header.stanzas, secret)!;
  const sig = header.stanzas.at(-1)!;
  const stanzas: Stanza[] = [
    ...header.stanzas.slice(0, -1),
    { ...sig, args: [version, ...sig.args.slice(1)] },
  ];
  const rebuilt = buildHeader(stanzas, fileKey).header;
  await fs.writeFile(out, Buffer.concat([rebuilt, bytes.subarray(header.length)]));
}

describe('format 1 (sealed before issue 13)', () => {
  it('still verifies and opens, every part as sealed', async () => {
    const a = await fixtureAgency('a');
    const b = await fixtureAgency('b');
    const file = path.join(FIXTURE, 'v1.tsb');
    const header = parseHeader(await fs.readFile(file), HEADER_LIMITS);
    expect(header.stanzas.at(-1)!.args[0]).toBe('1');

    const verified = await verifyBundle(file, a.card);
    // SHA-256 of the payload, as the format-1 sealer reported it.
    expect(verified.payloadSha256).toBe(
      '94490f4c1f9c03319d5f72ca90bc4672895296bb81a4e8596261958bc7aaf762',
    );
    const outDir = path.join(root, 'v1-out');
    const opened = await openBundle(file, b.identity, a.card, outDir);
    expect(opened.bundleDigest).toBe(verified.bundleDigest);
    expect(opened.manifest.bundleId).toBe('01JBV1F1XTVRE0000000000000');
    expect(opened.operations.toString('utf8')).toContain('"caseId":"fixture-case"');
    expect((await fs.readFile(path.join(outDir, 'photo.jpg'))).equals(fixturePhoto())).toBe(true);
    expect((await fs.readFile(path.join(outDir, 'empty.bin'))).length).toBe(0);
    expect(opened.attachments.map((x) => x.sha256)).toEqual([
      crypto.createHash('sha256').update(fixturePhoto()).digest('hex'),
      crypto.createHash('sha256').digest('hex'),
    ]);
  });

  it('a flipped payload byte is still refused before anything is written', async () => {
    const a = await fixtureAgency('a');
    const b = await fixtureAgency('b');
    const bytes = await fs.readFile(path.join(FIXTURE, 'v1.tsb'));
    bytes[bytes.length - 5_000] ^= 0x04;
    const file = path.join(root, 'v1-flipped.tsb');
    await fs.writeFile(file, bytes);
    await expectCode(verifyBundle(file, a.card), 'bad-signature');
    const outDir = path.join(root, 'v1-flipped-out');
    await expectCode(openBundle(file, b.identity, a.card, outDir), 'bad-signature');
    expect(existsSync(outDir)).toBe(false);
  });

  it('its signature does not pass as format 2', async () => {
    const a = await fixtureAgency('a');
    const b = await fixtureAgency('b');
    const file = path.join(root, 'v1-as-v2.tsb');
    await relabel(path.join(FIXTURE, 'v1.tsb'), file, '2', b.identity.secrets.ageSecret);
    await expectCode(verifyBundle(file, a.card), 'bad-signature');
    await expectCode(openBundle(file, b.identity, a.card, path.join(root, 'x')), 'bad-signature');
  });
});

describe('format 2 (the payload tree hash)', () => {
  it('is what sealing writes: the signature covers the tree root of the payload', async () => {
    const [a, b] = await Promise.all([makeAgency(root, 'Tree A'), makeAgency(root, 'Tree B')]);
    const photo = crypto.randomBytes(2 * TREE_BLOCK + 777);
    const file = path.join(root, 'v2.tsb');
    const sealed = await sealBundle({
      identity: a.identity,
      recipients: [b.card],
      manifestFields: { caseId: 'c', policyVersion: 'p' },
      operations: Buffer.from('{}'),
      attachments: [{ name: 'photo.bin', bytes: photo }],
      out: file,
    });
    const bytes = await fs.readFile(file);
    const header = parseHeader(bytes, HEADER_LIMITS);
    expect(header.stanzas.at(-1)!.args[0]).toBe('2');
    const payload = bytes.subarray(header.length);
    expect(payload.length - 16).toBeGreaterThan(2 * TREE_BLOCK);
    expect(sealed.payloadSha256).toBe(treeRootOf(payload).toString('hex'));
    expect((await verifyBundle(file, a.card)).payloadSha256).toBe(sealed.payloadSha256);
    const opened = await openBundle(file, b.identity, a.card, path.join(root, 'v2-out'));
    expect((await fs.readFile(opened.attachments[0]!.path!)).equals(photo)).toBe(true);

    // Downgraded to format 1, the same signature no longer verifies.
    const downgraded = path.join(root, 'v2-as-v1.tsb');
    await relabel(file, downgraded, '1', b.identity.secrets.ageSecret);
    await expectCode(verifyBundle(downgraded, a.card), 'bad-signature');
    const outDir = path.join(root, 'v2-as-v1-out');
    await expectCode(openBundle(downgraded, b.identity, a.card, outDir), 'bad-signature');
    expect(existsSync(outDir)).toBe(false);
  });

  it('the root changes when blocks are swapped, dropped at a block edge or moved past the end', () => {
    const nonce = Buffer.alloc(16, 7);
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { minLength: 2, maxLength: 6 }),
        fc.nat(),
        fc.nat(),
        (blocks, i, j) => {
          // Leaves of blocks as the sealer lays them out; the sizes need not be TREE_BLOCK here,
          // the binding comes from the index, the final flag, the length and the count.
          const leaves = (list: Uint8Array[]) =>
            list.map((block, k) => leafDigest(k, k === list.length - 1, block));
          const length = (list: Uint8Array[]) => list.reduce((n, b) => n + b.length, 0);
          const rootOf = (list: Uint8Array[]) => treeRoot(nonce, length(list), leaves(list));
          const original = rootOf(blocks);
          const x = i % blocks.length;
          const y = j % blocks.length;
          if (!Buffer.from(blocks[x]!).equals(Buffer.from(blocks[y]!))) {
            const swapped = [...blocks];
            [swapped[x], swapped[y]] = [swapped[y]!, swapped[x]!];
            expect(rootOf(swapped).equals(original)).toBe(false);
          }
          // Cut at a block edge: the last leaf of the rest is not marked final in the original.
          const cut = blocks.slice(0, x === 0 ? 1 : x);
          if (cut.length < blocks.length) expect(rootOf(cut).equals(original)).toBe(false);
          // The same leaves under another length or another nonce.
          const all = leaves(blocks);
          expect(treeRoot(nonce, length(blocks) + 1, all).equals(original)).toBe(false);
          expect(treeRoot(Buffer.alloc(16, 8), length(blocks), all).equals(original)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
