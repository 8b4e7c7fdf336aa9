import { describe, expect, it } from 'vitest';
import type { ReviewItem, ReviewModel } from '../db/exchangeApply.ts';
import {
  EMPTY_MARKINGS_DRAFT,
  agreementFromDraft,
  draftFromAgreement,
  fieldLabel,
  formatValue,
  initialDecisions,
  patchFromDraft,
  toggleItem,
  transportFromDraft,
  draftFromTransport,
} from './exchangeModel.ts';

describe('agreement form', () => {
  it('turns a draft into an agreement and reports missing fields', () => {
    const draft = {
      ...draftFromAgreement(null, '2026-01-01'),
      legalBasis: 'MOU 7',
      crimeAreas: 'fraud, drug trafficking',
    };
    const result = agreementFromDraft('BKA', draft);
    expect(result.errors).toBeUndefined();
    expect(result.errors ? null : result.value).toMatchObject({
      partnerAgencyId: 'BKA',
      crimeAreas: ['fraud', 'drug trafficking'],
      retentionDays: 365,
      validFrom: '2026-01-01',
    });
    const bad = agreementFromDraft('BKA', {
      ...draft,
      legalBasis: ' ',
      retentionDays: '0',
      validTo: '2025-01-01',
    });
    expect(Object.keys(bad.errors ?? {}).sort()).toEqual([
      'legalBasis',
      'retentionDays',
      'validTo',
    ]);
  });
});

describe('transport form', () => {
  it('builds folder and S3 settings, and none for files', () => {
    const blank = draftFromTransport(null);
    expect(transportFromDraft(blank)).toEqual({ value: null });
    expect(transportFromDraft({ ...blank, kind: 'folder', root: ' /mnt/x ' })).toEqual({
      value: { kind: 'folder', root: '/mnt/x' },
    });
    expect(transportFromDraft({ ...blank, kind: 'folder' }).errors).toHaveProperty('root');
    const s3 = transportFromDraft({
      ...blank,
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'b',
      accessKeyId: 'k',
      secretAccessKey: 's',
    });
    expect(s3).toEqual({
      value: {
        kind: 's3',
        endpoint: 'http://127.0.0.1:9000',
        bucket: 'b',
        accessKeyId: 'k',
        secretAccessKey: 's',
        forcePathStyle: true,
      },
    });
    expect(draftFromTransport({ kind: 'folder', root: '/r' }).root).toBe('/r');
  });
});

describe('markings draft', () => {
  it('leaves unchanged fields out of the patch', () => {
    expect(patchFromDraft(EMPTY_MARKINGS_DRAFT)).toEqual({});
    expect(
      patchFromDraft({
        ...EMPTY_MARKINGS_DRAFT,
        tlp: 'RED',
        releasableMode: 'remove',
        partners: 'B, C',
        clearRetainUntil: true,
      }),
    ).toEqual({
      tlp: 'RED',
      releasableTo: { mode: 'remove', partners: ['B', 'C'] },
      retainUntil: null,
    });
  });
});

describe('review display and decisions', () => {
  it('labels fields and formats values', () => {
    expect(fieldLabel('properties.name')).toBe('name');
    expect(fieldLabel('markings')).toBe('markings');
    expect(formatValue(['a', 'b'])).toBe('a, b');
    expect(formatValue(undefined)).toBe('—');
    expect(
      formatValue({
        classification: 'SECRET',
        tlp: 'RED',
        releasableTo: [],
        referToOriginator: false,
      }),
    ).toContain('SECRET');
  });

  it('accepts what an item needs and rejects what needs a rejected item', () => {
    const item = (id: string, requires: string[], problems: string[] = []) =>
      ({ id, requires, problems }) as unknown as ReviewItem;
    const review = {
      items: [
        item('case', []),
        item('a', ['case']),
        item('b', ['case']),
        item('link', ['a', 'b']),
        item('bad', [], ['invalid']),
      ],
    } as unknown as ReviewModel;
    const all = initialDecisions(review);
    expect([...all].sort()).toEqual(['a', 'b', 'case', 'link']);
    const withoutA = toggleItem(review, all, 'a', false);
    expect([...withoutA].sort()).toEqual(['b', 'case']);
    const back = toggleItem(review, new Set(), 'link', true);
    expect([...back].sort()).toEqual(['a', 'b', 'case', 'link']);
  });
});
