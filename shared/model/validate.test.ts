import { describe, expect, it } from 'vitest';
import { parseGrading, formatGrading } from './grading.ts';
import { captionOf, edgeEnds, edgeSchemataBetween, isEdgeSchema } from './schema.ts';
import { cleanProperties, validateDate, validateEntity, validateIban } from './validate.ts';

describe('validateDate', () => {
  it('accepts full and partial ISO dates', () => {
    for (const value of [
      '2024',
      '2024-02',
      '2024-02-29',
      '2024-02-29T13:45',
      '2024-02-29T13:45:10Z',
    ]) {
      expect(validateDate(value)).toBeUndefined();
    }
  });
  it('rejects impossible dates with a reason', () => {
    expect(validateDate('2023-02-29')).toMatch(/has 28 days/);
    expect(validateDate('2024-13-01')).toMatch(/month 13/);
    expect(validateDate('31/12/2024')).toMatch(/not a date/);
    expect(validateDate('2024-01-01T25:00')).toMatch(/time of day/);
  });
});

describe('validateEntity', () => {
  it('reports a missing required name and an impossible date together', () => {
    const errors = validateEntity('Person', { name: ['  '], birthDate: ['1990-04-31'] });
    expect(errors.name).toBe('Name is required');
    expect(errors.birthDate).toMatch(/1990-04-31 does not exist/);
  });
  it('refuses a 20,000-character name, saying its length and the limit', () => {
    const errors = validateEntity('Person', { name: ['x'.repeat(20_000)] });
    expect(errors.name).toBe('Name is 20,000 characters; the limit is 384');
  });
  it('accepts a valid person', () => {
    expect(
      validateEntity('Person', { name: ['Ana Vlad'], nationality: ['ro'], birthDate: ['1985'] }),
    ).toEqual({});
  });
  it('checks country codes, e-mail, IBAN and unknown properties', () => {
    const errors = validateEntity('Person', {
      name: ['X'],
      nationality: ['Romania'],
      email: ['nope'],
      colour: ['red'],
    });
    expect(Object.keys(errors).sort()).toEqual(['colour', 'email', 'nationality']);
    expect(validateEntity('BankAccount', { iban: ['DE89370400440532013000'] })).toEqual({});
    expect(validateIban('DE89370400440532013001')).toMatch(/check digits/);
  });
  it('requires both ends of a relationship and known targets', () => {
    expect(validateEntity('Ownership', { owner: ['a'] })).toEqual({ asset: 'Asset is required' });
    const errors = validateEntity(
      'Associate',
      { person: ['a'], associate: ['zz'] },
      new Set(['a']),
    );
    expect(errors.associate).toMatch(/not in this case/);
  });
  it('knows the Tessera extension schemata', () => {
    expect(validateEntity('Phone', {})).toEqual({ number: 'Number is required' });
    expect(validateEntity('StolenProperty', { name: ['Icon'], serialNumber: ['A-1'] })).toEqual({});
    expect(validateEntity('Nonsense', {})).toEqual({ schema: 'unknown entity type: Nonsense' });
  });
  it('cleans whitespace and empty values', () => {
    expect(cleanProperties({ name: [' A ', 'A', ''], alias: [''] })).toEqual({ name: ['A'] });
  });
});

describe('schema helpers', () => {
  it('treats Call as a relationship between parties', () => {
    expect(isEdgeSchema('Call')).toBe(true);
    expect(edgeEnds('Call', { caller: ['p1'], receiver: ['p2'] })).toEqual({
      source: 'p1',
      target: 'p2',
    });
  });
  it('offers only relationship types whose ends fit', () => {
    expect(edgeSchemataBetween('Person', 'Person')).toContain('Family');
    expect(edgeSchemataBetween('Person', 'Company')).not.toContain('Family');
    expect(edgeSchemataBetween('Person', 'Company')).toContain('Directorship');
  });
  it('captions entities from their caption properties', () => {
    expect(captionOf('Vehicle', { registrationNumber: ['B-123-XYZ'] })).toBe('B-123-XYZ');
    expect(captionOf('Person', {})).toBe('Person');
  });
});

describe('Admiralty grading', () => {
  it('round-trips and rejects nonsense', () => {
    expect(formatGrading(parseGrading('b2'))).toBe('B2');
    expect(() => parseGrading('G7')).toThrow(/Admiralty/);
  });
});
