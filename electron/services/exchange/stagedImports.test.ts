import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StagedBundle } from '../../../shared/contract/exchange.ts';
import type { BundleRef } from '../../../shared/contract/refs.ts';
import { StagedImports } from './stagedImports.ts';
import { canaryHits, filesUnder } from './fixtures/testSupport.ts';

const CANARY = 'CANARY-staged-7f3a';
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-staged-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function staged(ref: BundleRef): StagedBundle {
  return {
    bundleRef: ref,
    bundleId: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
    bundleDigest: 'ab'.repeat(32),
    caseId: 'case-1',
    createdAt: '2024-06-01T12:00:00.000Z',
    sender: { agencyId: 'them', agencyName: 'Them', keyId: '0123456789abcdef' },
    sequence: 1,
    previousBundleDigest: null,
    hlcRange: null,
    policyVersion: 'test',
    incoming: { status: 'next', missing: [], message: `title ${CANARY}` },
    operations: [],
    attachments: [
      { name: 'part-1', recordId: 'a1', size: 12 + CANARY.length, sha256: 'cd'.repeat(32) },
    ],
  };
}

function space(name: string): { staging: StagedImports; dir: string } {
  const dir = path.join(root, name);
  const staging = new StagedImports({
    scratchRoot: path.join(dir, 'scratch'),
    legacyStagingDir: path.join(dir, 'staging'),
  });
  return { staging, dir };
}

describe('StagedImports', () => {
  it('holds a staged bundle and its attachments encrypted, and streams them back', async () => {
    const { staging, dir } = space('hold');
    const ref: BundleRef = { kind: 'inbox', transport: '0123456789abcdef', name: 'b.tessera' };
    const scratch = await staging.space();
    const part = await scratch.write('part', Buffer.from(`attachment ${CANARY}`));
    await staging.keep(ref, staged(ref), new Map([['part-1', part]]));
    expect(staging.has({ ...ref })).toBe(true);
    expect(await staging.load(ref)).toEqual(staged(ref));
    expect(await canaryHits(dir, CANARY)).toEqual([]);
    const source = await staging.attachment(ref, 'part-1');
    const chunks: Uint8Array[] = [];
    for await (const chunk of source.open()) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe(`attachment ${CANARY}`);
    await expect(staging.attachment(ref, 'part-2')).rejects.toMatchObject({
      code: 'unknown-attachment',
    });
    await staging.drop(ref);
    expect(staging.has(ref)).toBe(false);
    await expect(staging.attachment(ref, 'part-1')).rejects.toMatchObject({ code: 'not-staged' });
    expect(await filesUnder(path.join(dir, 'scratch'))).toEqual([]);
    await staging.close();
  });

  it('forgets a bundle whose scratch file was altered; the bundle is opened again', async () => {
    const { staging, dir } = space('altered');
    const ref: BundleRef = { kind: 'handed-in', id: '0123456789abcdef' };
    await staging.keep(ref, staged(ref), new Map());
    const [file] = await filesUnder(path.join(dir, 'scratch'));
    const bytes = await readFile(file!);
    bytes[bytes.length - 1]! ^= 1;
    await writeFile(file!, bytes);
    expect(await staging.load(ref)).toBeNull();
    expect(staging.has(ref)).toBe(false);
    await staging.close();
  });

  it('removes the plaintext staging folder of old versions at start, and its key at close', async () => {
    const { staging, dir } = space('legacy');
    await mkdir(path.join(dir, 'staging', 'f.0123456789abcdef'), { recursive: true });
    await writeFile(path.join(dir, 'staging', 'f.0123456789abcdef', 'staged.json'), CANARY);
    await staging.removeLeftovers();
    expect(existsSync(path.join(dir, 'staging'))).toBe(false);
    const ref: BundleRef = { kind: 'handed-in', id: '0123456789abcdef' };
    await staging.keep(ref, staged(ref), new Map());
    await staging.close();
    expect(staging.has(ref)).toBe(false);
    expect(await filesUnder(path.join(dir, 'scratch'))).toEqual([]);
  });
});
