import { describe, expect, it } from 'vitest';
import type { NoticeDraft } from './noticeLifecycle.ts';
import {
  canTransition,
  isFinalStatus,
  NOTICE_TRANSITIONS,
  statusChoices,
  validateNotice,
} from './noticeLifecycle.ts';

const draft: NoticeDraft = {
  noticeType: 'red',
  reference: 'A-1234/5-2024',
  issuingAgency: 'Interpol GS',
  status: 'requested',
  summary: '',
};

describe('notice lifecycle', () => {
  it('moves forward only along the lifecycle', () => {
    expect(canTransition('requested', 'issued')).toBe(true);
    expect(canTransition('issued', 'hit-reported')).toBe(true);
    expect(canTransition('hit-reported', 'expired')).toBe(true);
    expect(canTransition('hit-reported', 'cancelled')).toBe(true);
    expect(canTransition('issued', 'requested')).toBe(false);
    expect(canTransition('requested', 'hit-reported')).toBe(false);
    expect(canTransition('cancelled', 'issued')).toBe(false);
    expect(canTransition('expired', 'expired')).toBe(true);
  });

  it('ends in cancelled or expired', () => {
    const finals = Object.keys(NOTICE_TRANSITIONS).filter((status) =>
      isFinalStatus(status as keyof typeof NOTICE_TRANSITIONS),
    );
    expect(finals.sort()).toEqual(['cancelled', 'expired']);
  });

  it('offers the current status and its successors', () => {
    expect(statusChoices(undefined)).toEqual(['requested', 'issued']);
    expect(statusChoices('issued')).toEqual(['issued', 'hit-reported', 'cancelled', 'expired']);
    expect(statusChoices('cancelled')).toEqual(['cancelled']);
  });

  it('validates required fields, dates and transitions', () => {
    expect(validateNotice(draft)).toEqual({});
    expect(validateNotice({ ...draft, reference: ' ', issuingAgency: '' })).toEqual({
      reference: 'Reference is required',
      issuingAgency: 'Issuing agency is required',
    });
    expect(validateNotice({ ...draft, status: 'expired' })).toHaveProperty('status');
    expect(validateNotice({ ...draft, status: 'requested' }, 'issued')).toHaveProperty('status');
    expect(validateNotice({ ...draft, status: 'hit-reported' }, 'issued')).toEqual({});
    expect(validateNotice({ ...draft, issuedOn: '2024-02-30' })).toHaveProperty('issuedOn');
    expect(validateNotice({ ...draft, issuedOn: '2024-05-01', expiresOn: '2024-04' })).toEqual({
      expiresOn: 'Expiry comes before the issue date',
    });
  });
});
