import { describe, expect, it } from 'vitest';
import type { Markings } from '../model/markings.ts';
import { DEFAULT_MARKINGS, formatHandlingCodes, parseHandlingCodes } from '../model/markings.ts';
import type { EntityRecord } from '../model/records.ts';
import {
  categoryOf,
  categoryOfSchema,
  isAgreementInForce,
  parseSharingAgreement,
  retentionEnd,
} from './agreement.ts';
import {
  compareClassification,
  describeMarkings,
  effectiveMarkings,
  isLowering,
  loweringReasons,
  mostRestrictive,
} from './markings.ts';

const m = (over: Partial<Markings>): Markings => ({ ...DEFAULT_MARKINGS, ...over });

describe('markings', () => {
  it('orders classifications on a configurable ladder, unknown rungs above the top', () => {
    expect(compareClassification('RESTRICTED', 'SECRET')).toBeLessThan(0);
    expect(compareClassification('COSMIC', 'SECRET')).toBeGreaterThan(0);
    const ladder = ['OFFICIAL', 'OFFICIAL-SENSITIVE', 'SECRET', 'TOP SECRET'];
    expect(compareClassification('SECRET', 'OFFICIAL-SENSITIVE', ladder)).toBeGreaterThan(0);
  });

  it('combines to the most restrictive in every dimension', () => {
    const a = m({
      classification: 'SECRET',
      tlp: 'GREEN',
      releasableTo: ['BKA', 'FBI'],
      handlingCode: 'H2',
      retainUntil: '2030-01-01',
    });
    const b = m({
      classification: 'RESTRICTED',
      tlp: 'RED',
      releasableTo: ['FBI', 'NL'],
      referToOriginator: true,
      handlingCode: 'H3',
      retainUntil: '2027-01-01',
    });
    expect(mostRestrictive(a, b)).toEqual({
      classification: 'SECRET',
      tlp: 'RED',
      releasableTo: ['FBI'],
      referToOriginator: true,
      handlingCode: 'H2; H3',
      retainUntil: '2027-01-01',
    });
    expect(mostRestrictive(a, b)).toEqual(mostRestrictive(b, a));
  });

  it('effective markings combine a property marking with the record; a relationship has its own', () => {
    const record = {
      kind: 'entity',
      markings: m({ releasableTo: ['BKA'] }),
      propertyMarkings: { birthDate: m({ tlp: 'RED', releasableTo: ['BKA', 'FBI'] }) },
    } as unknown as EntityRecord;
    expect(effectiveMarkings(record)).toBe(record.markings);
    expect(effectiveMarkings(record, 'name')).toBe(record.markings);
    expect(effectiveMarkings(record, 'birthDate')).toMatchObject({
      tlp: 'RED',
      releasableTo: ['BKA'],
    });
  });

  it('detects every kind of lowering', () => {
    const before = m({
      classification: 'SECRET',
      tlp: 'AMBER',
      releasableTo: ['BKA'],
      referToOriginator: true,
      handlingCode: 'H3',
      retainUntil: '2027-01-01',
    });
    expect(isLowering(before, before)).toBe(false);
    expect(
      isLowering(before, { ...before, tlp: 'RED', classification: 'SECRET', releasableTo: [] }),
    ).toBe(false);
    expect(
      loweringReasons(before, m({ releasableTo: ['BKA', 'FBI'], retainUntil: '2029-01-01' })),
    ).toEqual([
      'classification lowered from SECRET to UNCLASSIFIED',
      'releasable-to widened by FBI',
      '"refer to originator" removed',
      'retention extended from 2027-01-01 to 2029-01-01',
      'handling code H3 removed',
    ]);
    expect(loweringReasons(before, { ...before, tlp: 'GREEN' })).toEqual([
      'TLP lowered from AMBER to GREEN',
    ]);
    expect(describeMarkings(before)).toBe('SECRET · TLP:AMBER · H3 · to BKA · refer to originator');
  });
});

describe('sharing agreements', () => {
  const agreement = {
    partnerAgencyId: 'BKA',
    legalBasis: 'MOU 2023/4',
    crimeAreas: ['drug trafficking'],
    highestClassification: 'CONFIDENTIAL',
    categories: ['persons'],
    retentionDays: 30,
    validFrom: '2024-01-01',
    validTo: '2024-12-31',
  };

  it('parses and checks validity and retention', () => {
    const parsed = parseSharingAgreement(agreement);
    expect(isAgreementInForce(parsed, '2024-12-31T23:00:00Z')).toBe(true);
    expect(isAgreementInForce(parsed, '2025-01-01T00:00:00Z')).toBe(false);
    expect(retentionEnd(parsed, '2024-03-01T10:00:00Z')).toBe('2024-03-31');
    expect(() => parseSharingAgreement({ ...agreement, categories: ['gossip'] })).toThrow(
      /categories/,
    );
    expect(() => parseSharingAgreement({ ...agreement, validTo: '2023-01-01' })).toThrow(/validTo/);
  });

  it('maps schemata to categories through one table and FtM ancestry', () => {
    expect(categoryOfSchema('Person')).toBe('persons');
    expect(categoryOfSchema('Company')).toBe('organisations');
    expect(categoryOfSchema('Call')).toBe('communications');
    expect(categoryOfSchema('Payment')).toBe('financial');
    expect(categoryOfSchema('Airplane')).toBe('vehicles');
    expect(categoryOfSchema('BiometricRecord')).toBe('biometrics');
    expect(categoryOfSchema('Image')).toBe('documents');
    expect(categoryOfSchema('Thing')).toBeUndefined();
    expect(categoryOfSchema('NoSuchSchema')).toBeUndefined();
    expect(categoryOf({ kind: 'note' })).toBe('notes');
    expect(categoryOf({ kind: 'case' })).toBeUndefined();
  });
});

describe('handling codes', () => {
  it('reads "ORCON; NOFORN" as two known codes, whatever the separators and case', () => {
    expect(parseHandlingCodes('ORCON; NOFORN')).toEqual({
      codes: ['ORCON', 'NOFORN'],
      unknown: [],
    });
    expect(parseHandlingCodes(' noforn,orcon ')).toEqual({
      codes: ['ORCON', 'NOFORN'],
      unknown: [],
    });
    expect(parseHandlingCodes('H1 / WNINTEL')).toEqual({ codes: ['H1'], unknown: ['WNINTEL'] });
    expect(parseHandlingCodes(undefined)).toEqual({ codes: [], unknown: [] });
  });

  it('stores codes in one canonical form', () => {
    expect(formatHandlingCodes(['NOFORN', 'orcon'])).toBe('ORCON; NOFORN');
    expect(formatHandlingCodes([])).toBeUndefined();
  });

  it('combining keeps every code, and dropping one is lowering, whatever the spelling', () => {
    expect(
      mostRestrictive(m({ handlingCode: 'noforn' }), m({ handlingCode: 'ORCON' })),
    ).toMatchObject({ handlingCode: 'ORCON; NOFORN' });
    expect(
      isLowering(m({ handlingCode: 'ORCON; NOFORN' }), m({ handlingCode: 'noforn, orcon' })),
    ).toBe(false);
    expect(isLowering(m({ handlingCode: 'ORCON; NOFORN' }), m({ handlingCode: 'ORCON' }))).toBe(
      true,
    );
  });
});
