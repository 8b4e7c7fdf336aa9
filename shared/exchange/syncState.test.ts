import { describe, expect, it } from 'vitest';
import { formatHlc } from '../model/hlc.ts';
import type { PartnerSyncState, Receipt } from './syncState.ts';
import {
  applyReceipt,
  checkIncoming,
  initialSyncState,
  isReplay,
  nextOutgoing,
  parseReceipt,
  parseSyncState,
  receiptSignedText,
  recordReceived,
  recordSent,
  sentRecordsOf,
} from './syncState.ts';

const hlc = (ms: number) => formatHlc({ wallMs: 1_700_000_000_000 + ms, counter: 0, node: 'nca' });
const id = (n: number) => `01J${String(n).padStart(23, '0')}`;
const digest = (n: number) => n.toString(16).padStart(64, '0');

function sendThree(): PartnerSyncState {
  let state = initialSyncState('BKA', 'case1');
  for (let n = 1; n <= 3; n += 1) {
    const next = nextOutgoing(state);
    expect(next.sequence).toBe(n);
    expect(next.previousBundleDigest).toBe(n === 1 ? null : digest(n - 1));
    state = recordSent(state, {
      bundleId: id(n),
      sequence: n,
      digest: digest(n),
      coveredTo: hlc(n * 10),
      sentAt: 't',
    });
  }
  return state;
}

function receipt(n: number, over: Partial<Receipt> = {}): Receipt {
  return {
    format: 'tessera.receipt',
    version: 1,
    from: 'BKA',
    to: 'NCA',
    caseId: 'case1',
    bundleId: id(n),
    sequence: n,
    bundleDigest: digest(n),
    status: 'applied',
    missing: [],
    at: '2025-06-01T00:00:00Z',
    signature: `${'A'.repeat(86)}==`,
    ...over,
  };
}

describe('outgoing bundles and receipts', () => {
  it('numbers bundles, chains digests and refuses a skipped sequence', () => {
    const state = sendThree();
    expect(state.lastSentSequence).toBe(3);
    expect(() =>
      recordSent(state, {
        bundleId: id(9),
        sequence: 5,
        digest: digest(5),
        coveredTo: hlc(50),
        sentAt: 't',
      }),
    ).toThrow(/expected 4/);
  });

  it('acknowledges only the contiguous prefix', () => {
    let state = sendThree();
    expect(nextOutgoing(state).since).toBeNull();
    state = applyReceipt(state, receipt(2));
    expect(state.lastAcknowledgedHlc).toBeNull();
    state = applyReceipt(state, receipt(1));
    expect(state.lastAcknowledgedHlc).toBe(hlc(20));
    state = applyReceipt(state, receipt(3));
    expect(nextOutgoing(state).since).toBe(hlc(30));
  });

  it('refuses receipts for bundles not sent, from someone else or with another digest', () => {
    const state = sendThree();
    expect(() => applyReceipt(state, receipt(7))).toThrow(/not sent/);
    expect(() => applyReceipt(state, receipt(1, { from: 'FBI' }))).toThrow(/not from BKA/);
    expect(() => applyReceipt(state, receipt(1, { bundleDigest: digest(9) }))).toThrow(/not sent/);
  });

  it('receipts parse strictly and sign a fixed text', () => {
    const r = receipt(1);
    expect(parseReceipt(JSON.stringify(r))).toEqual(r);
    expect(() => parseReceipt({ ...r, sequence: 0 })).toThrow(/not a valid receipt/);
    const { signature: _s, ...body } = r;
    expect(receiptSignedText(body)).toBe(
      `tessera.receipt/1\nfrom:BKA\nto:NCA\ncaseId:case1\nbundleId:${id(1)}\nsequence:1\nbundleDigest:${digest(1)}\nstatus:applied\nmissing:\nat:2025-06-01T00:00:00Z\n`,
    );
  });
});

describe('incoming bundles', () => {
  const incoming = (n: number, previous: string | null = n === 1 ? null : digest(n - 1)) => ({
    bundleId: id(n),
    sequence: n,
    digest: digest(n),
    previousBundleDigest: previous,
    receivedAt: 't',
  });

  it('accepts bundles in order', () => {
    let state = initialSyncState('NCA', 'case1');
    expect(checkIncoming(state, incoming(1)).status).toBe('next');
    state = recordReceived(state, incoming(1));
    expect(checkIncoming(state, incoming(2)).status).toBe('next');
  });

  it('detects a gap, keeps it until filled, and accepts the late bundle', () => {
    let state = recordReceived(initialSyncState('NCA', 'case1'), incoming(1));
    const gap = checkIncoming(state, incoming(3));
    expect(gap.status).toBe('gap');
    expect(gap.missing).toEqual([2]);
    expect(gap.message).toMatch(/received bundle 3 while expecting 2: bundle 2 missing/);
    state = recordReceived(state, incoming(3));
    expect(state.missing).toEqual([2]);
    const late = checkIncoming(state, incoming(2));
    expect(late.status).toBe('late');
    state = recordReceived(state, incoming(2));
    expect(state.missing).toEqual([]);
    expect(state.lastReceivedSequence).toBe(3);
  });

  it('detects replays by bundle id and by sequence', () => {
    const state = recordReceived(initialSyncState('NCA', 'case1'), incoming(1));
    expect(isReplay(state, id(1))).toBe(true);
    expect(checkIncoming(state, incoming(1)).status).toBe('replay');
    expect(checkIncoming(state, { ...incoming(1), bundleId: id(99) }).status).toBe('replay');
    expect(() => recordReceived(state, incoming(1))).toThrow(/replay/);
  });

  it('detects a broken chain both ways', () => {
    const state = recordReceived(initialSyncState('NCA', 'case1'), incoming(1));
    expect(checkIncoming(state, incoming(2, digest(77))).status).toBe('broken-chain');
    expect(checkIncoming(initialSyncState('NCA', 'case1'), incoming(1, digest(5))).status).toBe(
      'broken-chain',
    );
    const afterGap = recordReceived(state, incoming(3));
    expect(checkIncoming(afterGap, { ...incoming(2), digest: digest(66) }).status).toBe(
      'broken-chain',
    );
  });

  it('the state survives JSON', () => {
    const state = recordReceived(sendThree(), incoming(1));
    expect(parseSyncState(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(() => parseSyncState({ ...state, lastSentSequence: -1 })).toThrow(/invalid sync state/);
  });

  it('remembers which records went to the partner, bundle after bundle', () => {
    let state = initialSyncState('BKA', 'case1');
    expect(sentRecordsOf(state)).toEqual(new Set());
    state = recordSent(state, {
      bundleId: id(1),
      sequence: 1,
      digest: digest(1),
      coveredTo: hlc(10),
      sentAt: 't',
      recordIds: ['p2', 'case1', 'p2'],
    });
    state = recordSent(state, {
      bundleId: id(2),
      sequence: 2,
      digest: digest(2),
      coveredTo: hlc(20),
      sentAt: 't',
      recordIds: ['p1'],
    });
    expect(state.sentRecordIds).toEqual(['case1', 'p1', 'p2']);
    expect(sentRecordsOf(parseSyncState(JSON.parse(JSON.stringify(state))))).toEqual(
      new Set(['case1', 'p1', 'p2']),
    );
    expect(() => parseSyncState({ ...state, sentRecordIds: ['bad id'] })).toThrow(
      /invalid sync state/,
    );
  });

  it('loads a state file written before sentRecordIds was kept: what was sent is not known', () => {
    const { sentRecordIds: _gone, ...old } = sendThree();
    const loaded = parseSyncState(JSON.parse(JSON.stringify(old)));
    expect(loaded.sentRecordIds).toBeUndefined();
    expect(loaded.lastSentSequence).toBe(3);
    expect(sentRecordsOf(loaded)).toBeNull();
    // An old state that never sent anything: the partner holds nothing.
    const { sentRecordIds: _none, ...fresh } = initialSyncState('BKA', 'case1');
    expect(sentRecordsOf(parseSyncState(fresh))).toEqual(new Set());
    // The next bundle starts the list.
    const next = recordSent(loaded, {
      bundleId: id(4),
      sequence: 4,
      digest: digest(4),
      coveredTo: hlc(40),
      sentAt: 't',
      recordIds: ['p1'],
    });
    expect(next.sentRecordIds).toEqual(['p1']);
  });
});
