import { describe, expect, it } from 'vitest';
import type { ReleasePreview } from '../../shared/contract/exchange.ts';
import type { ReviewItem, ReviewModel } from '../db/exchangeApply.ts';
import {
  EMPTY_MARKINGS_DRAFT,
  agreementFromDraft,
  draftFromAgreement,
  conflictIds,
  decideAllConflicts,
  fieldLabel,
  formatValue,
  initialDecisions,
  patchFromDraft,
  previewRows,
  samePreview,
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

describe('handling codes in the markings draft', () => {
  it('stores the ticked codes in their canonical form, and none clears them', () => {
    expect(
      patchFromDraft({
        ...EMPTY_MARKINGS_DRAFT,
        handlingMode: 'set',
        handlingCodes: ['NOFORN', 'ORCON'],
      }),
    ).toEqual({ handlingCode: 'ORCON; NOFORN' });
    expect(patchFromDraft({ ...EMPTY_MARKINGS_DRAFT, handlingMode: 'set' })).toEqual({
      handlingCode: null,
    });
    expect(patchFromDraft({ ...EMPTY_MARKINGS_DRAFT, handlingCodes: ['H1'] })).toEqual({});
  });
});

describe('export preview rows', () => {
  it('lists every withheld record and every field left out, each reason with its rule', () => {
    const preview: ReleasePreview = {
      partnerId: 'BKA',
      partnerName: 'BKA',
      policyVersion: 'x',
      ready: true,
      problems: [],
      released: { case: true, entities: 1, notes: 0, attachments: 0, notices: 0, charts: 0 },
      releasedIds: [],
      withheld: [
        {
          id: 'p1',
          kind: 'entity',
          caption: 'Person “A”',
          reasons: ['TLP:RED never leaves the agency', 'refer to originator'],
          rules: ['M1', 'M5'],
        },
      ],
      stripped: [
        {
          id: 'p2',
          kind: 'entity',
          caption: 'Person “B”',
          property: 'notes',
          field: 'properties.notes',
          reasons: ['mentions withheld Person “A”'],
          rules: ['F5'],
        },
        {
          id: 'c1',
          kind: 'case',
          caption: 'case “X”',
          property: 'description',
          field: 'description',
          reasons: ['free text goes only when marked releasable to BKA by name'],
          rules: ['F2'],
        },
      ],
      fullSnapshot: true,
      operations: 1,
      nextSequence: 1,
    };
    const rows = previewRows(preview);
    expect(rows.withheld.map((r) => [r.recordId, r.rule, r.ruleTitle])).toEqual([
      ['p1', 'M1', 'TLP:RED never leaves'],
      ['p1', 'M5', 'refer to originator'],
    ]);
    expect(rows.fields.map((r) => [r.recordId, r.field, r.rule])).toEqual([
      ['p2', 'Notes', 'F5'],
      ['c1', 'Description', 'F2'],
    ]);
  });
});

describe('review display and decisions', () => {
  it('labels fields and formats values', () => {
    expect(fieldLabel('properties.name')).toBe('Name');
    expect(fieldLabel('markings')).toBe('Markings');
    // The review shows labels and dates, not `leadInvestigator` and ISO strings (issue 12).
    expect(fieldLabel('leadInvestigator')).toBe('Lead investigator');
    expect(fieldLabel('properties.birthDate', 'Person')).toBe('Birth date');
    expect(formatValue('2024-03-14')).toBe('14 Mar 2024');
    expect(formatValue({ x: 1, y: 2 })).toBe('X: 1, Y: 2');
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

  it('leaves conflicts unticked until the person decides, one by one or all at once', () => {
    const item = (id: string, status: string, requires: string[] = []) =>
      ({ id, status, requires, problems: [] }) as unknown as ReviewItem;
    const review = {
      items: [item('new1', 'new'), item('c1', 'conflict'), item('c2', 'conflict')],
    } as unknown as ReviewModel;
    expect([...initialDecisions(review)]).toEqual(['new1']);
    expect(conflictIds(review)).toEqual(['c1', 'c2']);
    const theirs = decideAllConflicts(review, initialDecisions(review), 'theirs');
    expect([...theirs].sort()).toEqual(['c1', 'c2', 'new1']);
    expect([...decideAllConflicts(review, theirs, 'mine')]).toEqual(['new1']);
  });
});

describe('the preview shown against the one at sealing time', () => {
  const base: ReleasePreview = {
    partnerId: 'BKA',
    partnerName: 'BKA',
    policyVersion: 'x',
    ready: true,
    problems: [],
    released: { case: true, entities: 2, notes: 0, attachments: 0, notices: 0, charts: 0 },
    releasedIds: ['case', 'p1', 'p2'],
    withheld: [{ id: 'p3', kind: 'entity', caption: 'P3', reasons: ['r'], rules: ['M2'] }],
    stripped: [],
    fullSnapshot: true,
    operations: 3,
    nextSequence: 1,
  };

  it('is the same when the same records go, in any order', () => {
    expect(samePreview([base], [{ ...base, releasedIds: ['p2', 'case', 'p1'] }])).toBe(true);
  });

  it('differs when a record was marked, withheld or sealed in between', () => {
    expect(samePreview([base], [{ ...base, releasedIds: [...base.releasedIds, 'p3'] }])).toBe(
      false,
    );
    expect(samePreview([base], [{ ...base, withheld: [] }])).toBe(false);
    expect(samePreview([base], [{ ...base, nextSequence: 2 }])).toBe(false);
    expect(samePreview([base], [])).toBe(false);
  });
});
