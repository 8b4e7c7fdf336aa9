import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Receipt } from '../../../shared/exchange/syncState.ts';
import { initialSyncState, recordSent } from '../../../shared/exchange/syncState.ts';
import { formatHlc } from '../../../shared/model/hlc.ts';
import { testProtector } from '../bundle/fixtures/testSupport.ts';
import { fingerprintOf } from '../identity/cards.ts';
import { ed25519Sign } from '../identity/keys.ts';
import { IdentityStore, type UnlockedIdentity } from '../identity/store.ts';
import { PartnerDirectory } from './partnerDirectory.ts';
import { MAX_RECEIPT_BYTES, Receipts, receiptText } from './receipts.ts';
import { SignedLog } from './signedLog.ts';
import { SyncStates } from './syncStates.ts';

const now = () => new Date('2024-06-01T12:00:00Z');
const BUNDLE = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
const DIGEST = 'cd'.repeat(32);

interface Side {
  readonly identity: UnlockedIdentity;
  readonly partners: PartnerDirectory;
  readonly syncStates: SyncStates;
  readonly log: SignedLog;
  readonly receipts: Receipts;
}

let root: string;
let us: Side;
let them: Side;

async function side(agencyId: string): Promise<Side> {
  const dir = path.join(root, agencyId);
  const store = new IdentityStore(path.join(dir, 'identity'), testProtector());
  await store.create({ agencyName: `Agency ${agencyId}`, agencyId });
  const identity = await store.unlock();
  const partners = new PartnerDirectory({ file: path.join(dir, 'partners.json'), now });
  const syncStates = new SyncStates(path.join(dir, 'sync-state.json'));
  const log = new SignedLog(path.join(dir, 'exchange.log'), (m) =>
    ed25519Sign(identity.secrets.signingSeed, m),
  );
  const receipts = new Receipts({ partners, syncStates, log, identity: () => identity, now });
  return { identity, partners, syncStates, log, receipts };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-receipts-'));
  us = await side('us');
  them = await side('them');
  await us.partners.importCard(JSON.stringify(them.identity.card), 'us');
  await us.partners.confirm('them', fingerprintOf(them.identity.card).hex);
  await us.syncStates.save(
    recordSent(initialSyncState('them', 'case-1'), {
      bundleId: BUNDLE,
      sequence: 1,
      digest: DIGEST,
      coveredTo: formatHlc({ wallMs: Date.parse('2024-05-01'), counter: 0, node: 'us' }),
      sentAt: now().toISOString(),
    }),
  );
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function receiptFromThem(change: Partial<Parameters<Receipts['issue']>[0]> = {}): Receipt {
  return them.receipts.issue({
    to: 'us',
    caseId: 'case-1',
    bundleId: BUNDLE,
    sequence: 1,
    bundleDigest: DIGEST,
    status: 'applied',
    missing: [],
    ...change,
  });
}

describe('Receipts', () => {
  it('refuses receipts that are forged, misaddressed, unknown or too large, by code', async () => {
    const good = receiptFromThem();
    const forged = { ...good, status: 'rejected' as const };
    await expect(us.receipts.apply(receiptText(forged))).rejects.toMatchObject({
      code: 'invalid-receipt',
    });
    await expect(
      us.receipts.apply(receiptText(receiptFromThem({ to: 'someone-else' }))),
    ).rejects.toMatchObject({ code: 'invalid-receipt' });
    await expect(
      us.receipts.apply(receiptText(receiptFromThem({ caseId: 'case-2' }))),
    ).rejects.toMatchObject({ code: 'unknown-receipt' });
    await expect(
      us.receipts.apply(receiptText(receiptFromThem({ sequence: 2 }))),
    ).rejects.toMatchObject({ code: 'unknown-receipt' });
    await expect(us.receipts.apply(' '.repeat(MAX_RECEIPT_BYTES + 1))).rejects.toMatchObject({
      code: 'invalid-receipt',
    });
    // From an agency we do not trust (it does not know us either).
    await expect(them.receipts.apply(receiptText(receiptFromThem()))).rejects.toMatchObject({
      code: 'invalid-receipt',
    });
    expect((await us.syncStates.find('them', 'case-1'))!.sent[0]!.acknowledged).toBe(false);
  });

  it('applies a partner’s signed receipt: acknowledged, logged with ids only', async () => {
    const receipt = receiptFromThem();
    expect(Object.keys(receipt).sort()).toEqual([
      'at',
      'bundleDigest',
      'bundleId',
      'caseId',
      'format',
      'from',
      'missing',
      'sequence',
      'signature',
      'status',
      'to',
      'version',
    ]);
    await us.receipts.apply(receiptText(receipt));
    const state = (await us.syncStates.find('them', 'case-1'))!;
    expect(state.sent[0]!.acknowledged).toBe(true);
    expect(state.lastAcknowledgedHlc).not.toBeNull();
    const log = await us.log.list(10);
    expect(log.entries.find((e) => e.type !== 'head-signature')).toMatchObject({
      type: 'receipt-received',
      data: { bundleId: BUNDLE, partnerId: 'them', status: 'applied' },
    });
    expect((await us.log.verify(us.identity.card)).ok).toBe(true);
  });
});
