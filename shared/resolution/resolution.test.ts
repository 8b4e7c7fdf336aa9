import { describe, expect, it } from 'vitest';
import { findDuplicateCandidates } from './candidates.ts';
import {
  isValidIban,
  normalizeEmail,
  normalizeIban,
  normalizeIdentifier,
} from '../search/identifiers.ts';
import { mergeEntities, undoMerge } from './merge.ts';
import {
  jaroWinkler,
  nameSimilarity,
  nameTokens,
  tokenSetSimilarity,
  tokenSortSimilarity,
} from './names.ts';
import { normalizePhone, phoneWarning } from '../search/phone.ts';
import type { FtmEntity } from '../search/types.ts';

describe('normalizePhone', () => {
  it.each([
    ['+359 88 123 4567', undefined, '+359881234567'],
    ['00359 88 123 4567', undefined, '+359881234567'],
    ['088 123 4567', '359', '+359881234567'],
    ['(088) 123-45-67', 'bg', '+359881234567'],
    ['+44 (0)20 7946 0958', undefined, '+442079460958'],
    ['+44 020 7946 0958', undefined, '+442079460958'],
    ['020 7946 0958', '+44', '+442079460958'],
    ['06 1234 5678', '39', '+390612345678'], // Italy keeps its leading 0
    ['612 345 678', 34, '+34612345678'],
    ['8 (916) 123-45-67', '7', '+79161234567'], // Russian trunk 8
    ['(202) 555-0143', '1', '+12025550143'],
    ['1-202-555-0143', '1', '+12025550143'],
    ['011 44 20 7946 0958', '1', '+442079460958'],
    ['06 30 123 4567', 'hu', '+36301234567'],
    ['+49 30 123456 ext. 12', undefined, '+4930123456'],
    ['+359.88.123.4567', undefined, '+359881234567'],
  ])('%s (default %s) → %s', (raw, def, expected) => {
    expect(normalizePhone(raw, def)).toBe(expected);
  });

  it('rejects what cannot be a number', () => {
    expect(normalizePhone('088 123 4567')).toBeNull(); // national without a default
    expect(normalizePhone('1-800-FLOWERS', '1')).toBeNull();
    expect(normalizePhone('+12')).toBeNull();
    expect(normalizePhone('+1234567890123456')).toBeNull(); // 16 digits
    expect(normalizePhone('')).toBeNull();
  });
});

describe('phone numbers by libphonenumber-js (issue 12)', () => {
  it('flags "+43 664 1234567" and "0043 664 1234567" as the same number', () => {
    const pairs = findDuplicateCandidates([
      {
        id: 'x1',
        schema: 'Person',
        properties: { name: ['Anna Berger'], phone: ['+43 664 1234567'] },
      },
      {
        id: 'x2',
        schema: 'Person',
        properties: { name: ['A. Berger'], phone: ['0043 664 1234567'] },
      },
    ]);
    expect(pairs[0]?.reasons).toContain('same phone +436641234567');
  });

  it('pairs two Phone entities holding the same number written two ways', () => {
    const pairs = findDuplicateCandidates([
      { id: 'n1', schema: 'Phone', properties: { number: ['+43 664 1234567'] } },
      { id: 'n2', schema: 'Phone', properties: { number: ['0043 664 1234567'] } },
      { id: 'n3', schema: 'Phone', properties: { number: ['+43 664 7654321'] } },
    ]);
    expect(pairs.map((pair) => [pair.a, pair.b, pair.reasons])).toEqual([
      ['n1', 'n2', ['same phone +436641234567']],
    ]);
  });

  it('warns that a national number is incomplete, and one too short for its country', () => {
    expect(phoneWarning('0664 123')).toMatch(/incomplete/);
    expect(phoneWarning('0664 123', 'at')).toMatch(/incomplete.*AT/);
    expect(phoneWarning('+43 664 123')).toMatch(/incomplete/);
    expect(phoneWarning('0664 1234567', 'at')).toBeUndefined();
    expect(phoneWarning('+43 664 1234567')).toBeUndefined();
    expect(phoneWarning('0043 664 1234567')).toBeUndefined();
  });
});

describe('identifiers', () => {
  it('validates IBANs by length and mod 97', () => {
    expect(normalizeIban('bg80 bnbg 9661 1020 3456 78')).toBe('BG80BNBG96611020345678');
    expect(normalizeIban('IBAN: GB82-WEST-1234-5698-7654-32')).toBe('GB82WEST12345698765432');
    expect(isValidIban('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(isValidIban('DE89 3704 0044 0532 0130 01')).toBe(false); // check digits
    expect(isValidIban('DE89 3704 0044 0532 0130 0')).toBe(false); // length for DE
    expect(isValidIban('not an iban')).toBe(false);
  });

  it('normalises passport numbers and e-mail', () => {
    expect(normalizeIdentifier(' ab-123 456/7 ')).toBe('AB1234567');
    expect(normalizeIdentifier(' - ')).toBeNull();
    expect(normalizeEmail('  Ivan.Petrov@Example.ORG ')).toBe('ivan.petrov@example.org');
    expect(normalizeEmail('mailto:a@b.bg')).toBe('a@b.bg');
    expect(normalizeEmail('no-at-sign')).toBeNull();
  });
});

describe('names', () => {
  it('ignores word order, script and diacritics', () => {
    expect(nameSimilarity('Petrov Ivan', 'Ivan Petrov')).toBe(1);
    expect(nameSimilarity('Иван Петров', 'Ivan Petrov')).toBe(1);
    expect(nameSimilarity('José MÜLLER', 'Muller Jose')).toBe(1);
    expect(nameSimilarity('Ivan Ivanovich Petrov', 'Ivan Petrov')).toBeGreaterThan(0.95);
  });

  it('scores typos high and different people low', () => {
    expect(nameSimilarity('Ivan Petorv', 'Ivan Petrov')).toBeGreaterThan(0.9);
    expect(nameSimilarity('I. Petrov', 'Ivan Petrov')).toBeGreaterThan(0.9);
    expect(nameSimilarity('Maria Georgieva', 'Ivan Petrov')).toBeLessThan(0.6);
    expect(nameSimilarity('Ivan', 'Ivan Petrov')).toBeLessThan(0.85);
  });

  it('drops legal forms of organisations', () => {
    expect(nameTokens('Petrov Trading S.r.l.', true)).toEqual(['petrov', 'trading']);
    expect(nameSimilarity('Black Sea Shipping ООД', 'BLACK SEA SHIPPING Ltd', true)).toBe(1);
  });

  it('implements the classic measures', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.813, 3);
    expect(tokenSortSimilarity(['b', 'a'], ['a', 'b'])).toBe(1);
    expect(tokenSetSimilarity(['a', 'b', 'c'], ['a', 'b'])).toBe(1);
  });
});

const fixture: FtmEntity[] = [
  {
    id: 'p1',
    schema: 'Person',
    properties: {
      name: ['Ivan Petrov'],
      birthDate: ['1980-02-03'],
      nationality: ['bg'],
      phone: ['+359 88 123 4567'],
    },
  },
  // Same phone written nationally, name reversed.
  {
    id: 'p2',
    schema: 'Person',
    properties: { name: ['Petrov Ivan'], nationality: ['bg'], phone: ['088 123 4567'] },
  },
  // Cyrillic, same birth date.
  { id: 'p3', schema: 'Person', properties: { name: ['Иван Петров'], birthDate: ['1980-02-03'] } },
  // Same name, different person (birth date conflicts).
  { id: 'p4', schema: 'Person', properties: { name: ['Ivan Petrov'], birthDate: ['1955-07-01'] } },
  // Typo, same passport as p6.
  {
    id: 'p5',
    schema: 'Person',
    properties: { name: ['Maria Georgieva'], passportNumber: ['AB 123 456'] },
  },
  {
    id: 'p6',
    schema: 'LegalEntity',
    properties: { name: ['Mariya Georgieva'], idNumber: ['ab123456'] },
  },
  // A company sharing the name of a person must not pair with them.
  { id: 'c1', schema: 'Company', properties: { name: ['Ivan Petrov'] } },
  {
    id: 'c2',
    schema: 'Company',
    properties: { name: ['Petrov Ivan Ltd.'], iban: ['BG80 BNBG 9661 1020 3456 78'] },
  },
  {
    id: 'c3',
    schema: 'Organization',
    properties: { name: ['Other Org'], iban: ['bg80bnbg96611020345678'] },
  },
  {
    id: 'x1',
    schema: 'Person',
    properties: { name: ['Georgi Dimitrov'], email: ['G.D@example.org'] },
  },
  {
    id: 'x2',
    schema: 'Person',
    properties: { name: ['Elena Stoyanova'], email: ['g.d@EXAMPLE.org '] },
  },
];

describe('findDuplicateCandidates', () => {
  const pairs = findDuplicateCandidates(fixture);
  const find = (a: string, b: string) => pairs.find((p) => p.a === a && p.b === b);

  it('pairs identifiers, reordered and transliterated names', () => {
    expect(find('p1', 'p2')?.reasons).toEqual(
      expect.arrayContaining([
        'same phone +359881234567',
        expect.stringMatching(/^similar names 1/),
      ]),
    );
    expect(find('p1', 'p3')?.reasons).toContain('same birthDate 1980-02-03');
    expect(find('p1', 'p3')!.score).toBeGreaterThan(0.9);
    expect(find('p5', 'p6')?.reasons).toContain('same passport AB123456');
    expect(find('c1', 'c2')).toBeDefined(); // legal form ignored
    expect(find('c2', 'c3')?.reasons).toEqual(['same iban BG80BNBG96611020345678', 'names differ']);
  });

  it('keeps apart incompatible schemata and conflicting birth dates', () => {
    expect(
      pairs.some((p) => [p.a, p.b].includes('c1') && [p.a, p.b].some((x) => x.startsWith('p'))),
    ).toBe(false);
    expect(find('p1', 'p4')).toBeUndefined();
    expect(find('p3', 'p4')).toBeUndefined();
  });

  it('scores a shared e-mail with different names lower than a full match', () => {
    const mail = find('x1', 'x2')!;
    expect(mail.reasons).toContain('names differ');
    expect(mail.score).toBeLessThan(find('p1', 'p3')!.score);
  });

  it('sorts by score and honours minScore and limit', () => {
    for (let i = 1; i < pairs.length; i++)
      expect(pairs[i - 1].score).toBeGreaterThanOrEqual(pairs[i].score);
    expect(findDuplicateCandidates(fixture, { minScore: 0.95 }).every((p) => p.score >= 0.95)).toBe(
      true,
    );
    expect(findDuplicateCandidates(fixture, { limit: 2 })).toHaveLength(2);
  });

  it('uses sorted neighbourhood for oversized blocks', () => {
    const many: FtmEntity[] = [];
    for (let i = 0; i < 300; i++) {
      many.push({
        id: `q${i}`,
        schema: 'Person',
        properties: { name: [`Ivan Petrov${i % 150 === 0 ? '' : i}`] },
      });
    }
    const found = findDuplicateCandidates(many, { maxBlockSize: 20 });
    expect(found.find((p) => p.a === 'q0' && p.b === 'q150')).toBeDefined();
  });
});

describe('mergeEntities', () => {
  const keep = fixture[0];
  const drop: FtmEntity = {
    id: 'p9',
    schema: 'Person',
    properties: {
      name: ['Иван Петров', 'Ivan Petrov'],
      phone: ['088 123 4567'],
      email: ['ip@example.org'],
    },
  };

  it('unions values with provenance and undoes exactly', () => {
    const result = mergeEntities(keep, drop);
    expect(result.entity.id).toBe('p1');
    expect(result.entity.properties.name).toEqual(['Ivan Petrov', 'Иван Петров']);
    expect(result.entity.properties.email).toEqual(['ip@example.org']);
    expect(result.provenance.name[0].sources).toEqual([
      { id: 'p1', index: 0 },
      { id: 'p9', index: 1 },
    ]);
    expect(undoMerge(result)).toEqual([keep, drop]);
  });

  it('takes the more specific schema and refuses incompatible ones', () => {
    const legal: FtmEntity = { id: 'l1', schema: 'LegalEntity', properties: {} };
    expect(mergeEntities(legal, keep).entity.schema).toBe('Person');
    expect(undoMerge(mergeEntities(legal, keep))[0].schema).toBe('LegalEntity');
    expect(() => mergeEntities(keep, { id: 'c', schema: 'Company', properties: {} })).toThrow(
      /cannot merge/,
    );
  });
});
