import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialSyncState, recordReceived } from '../../../shared/exchange/syncState.ts';
import { SyncStates } from './syncStates.ts';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-sync-states-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const DIGEST = 'ab'.repeat(32);

describe('SyncStates', () => {
  it('starts from the initial state and keeps one state per partner and case', async () => {
    const states = new SyncStates(path.join(root, 'one.json'));
    expect(await states.load('p1', 'c1')).toEqual(initialSyncState('p1', 'c1'));
    expect(await states.find('p1', 'c1')).toBeNull();
    const received = recordReceived(initialSyncState('p1', 'c1'), {
      bundleId: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
      sequence: 1,
      digest: DIGEST,
      previousBundleDigest: null,
      receivedAt: '2024-06-01T12:00:00.000Z',
    });
    await states.save(received);
    await states.save(initialSyncState('p1', 'c2'));
    await states.save(initialSyncState('p2', 'c1'));
    await states.save(received);
    expect(await states.all()).toHaveLength(3);
    expect(await states.find('p1', 'c1')).toEqual(received);
    expect((await states.ofPartner('p1')).map((s) => s.caseId)).toEqual(['c1', 'c2']);
  });

  it('finds where a bundle was received before, with its case', async () => {
    const states = new SyncStates(path.join(root, 'two.json'));
    await states.save(
      recordReceived(initialSyncState('p1', 'c9'), {
        bundleId: '01HZZZZZZZZZZZZZZZZZZZZZZ1',
        sequence: 1,
        digest: DIGEST,
        previousBundleDigest: null,
        receivedAt: '2024-06-01T12:00:00.000Z',
      }),
    );
    expect(await states.received('p1', '01HZZZZZZZZZZZZZZZZZZZZZZ1')).toMatchObject({
      caseId: 'c9',
      bundle: { sequence: 1, digest: DIGEST },
    });
    expect(await states.received('p2', '01HZZZZZZZZZZZZZZZZZZZZZZ1')).toBeNull();
  });

  it('refuses a damaged file instead of starting over', async () => {
    const file = path.join(root, 'damaged.json');
    await writeFile(file, JSON.stringify({ version: 1, states: [{ partnerId: 1 }] }));
    await expect(new SyncStates(file).all()).rejects.toThrow(/damaged/);
  });
});
