import { describe, expect, it } from 'vitest';
import type { LogEntryView } from '../../shared/contract/exchange.ts';
import { logCaseIds, logEntryText } from './logEntries.ts';

const CASE_ID = '01JCASE0000000000000000000';
const names = {
  caseReference: (id: string) => (id === CASE_ID ? 'A/2026/7' : undefined),
  partnerName: (id: string) => (id === 'AGB' ? 'Agency B' : undefined),
};
const entries: LogEntryView[] = [
  {
    seq: 1,
    at: '2026-12-05T10:00:00.000Z',
    type: 'release-decision',
    data: { caseId: CASE_ID, partnerId: 'AGB', released: 4, withheld: 1, withheldIds: ['x'] },
  },
  {
    seq: 2,
    at: '2026-12-05T10:00:01.000Z',
    type: 'bundle-sent',
    data: {
      bundleId: 'b1',
      caseId: CASE_ID,
      partners: [{ agencyId: 'AGB', sequence: 1 }],
      operations: 5,
    },
  },
  {
    seq: 3,
    at: '2026-12-05T10:05:00.000Z',
    type: 'receipt-received',
    data: { bundleId: 'b1', partnerId: 'AGB', status: 'applied' },
  },
  {
    seq: 4,
    at: '2026-12-05T10:06:00.000Z',
    type: 'bundle-received',
    data: { bundleId: 'b9', caseId: 'gone', sender: 'AGC', outcome: 'invalid' },
  },
];

describe('the exchange log in words', () => {
  const byBundle = logCaseIds(entries);
  const text = entries.map((entry) => logEntryText(entry, names, byBundle));

  it('names cases by their reference and never shows a case id', () => {
    expect(text[0]).toEqual({
      what: 'Release decided',
      detail: 'case A/2026/7 · Agency B (AGB) · 4 released · 1 withheld',
    });
    expect(text[1]!.detail).toBe('case A/2026/7 · Agency B (AGB) · bundle #1 · 5 changes');
    for (const { detail } of text) expect(detail).not.toContain(CASE_ID);
  });

  it('finds the case of a receipt through the bundle it answers', () => {
    expect(text[2]).toEqual({
      what: 'Receipt received',
      detail: 'case A/2026/7 · Agency B (AGB) · applied',
    });
  });

  it('says when the case is not on this computer, and keeps unknown partners by id', () => {
    expect(text[3]!.detail).toBe('case (not on this computer) · AGC · invalid');
  });
});
