import { describe, expect, it } from 'vitest';
import { readableDate, readableValue, recordFieldLabel } from './readable.ts';

describe('readable fields and values (issue 12)', () => {
  it('labels record fields and FtM properties, never raw names', () => {
    expect(recordFieldLabel('leadInvestigator')).toBe('Lead investigator');
    expect(recordFieldLabel('openedOn')).toBe('Opened on');
    expect(recordFieldLabel('properties.birthDate', 'Person')).toBe('Birth date');
    expect(recordFieldLabel('properties.someNewField')).toBe('Some new field');
    expect(recordFieldLabel('markings.tlp')).toBe('TLP');
    expect(recordFieldLabel('propertyMarkings.birthDate.tlp', 'Person')).toBe(
      'Markings of birth date (TLP)',
    );
  });

  it('shows dates as dates, keeping partial ones as written', () => {
    expect(readableDate('2024-03-14')).toBe('14 Mar 2024');
    expect(readableDate('2024-03-14T09:05:00Z', 'UTC')).toBe('14 Mar 2024, 09:05');
    expect(readableDate('2024-03')).toBe('2024-03');
    expect(readableDate('Ivan Petrov')).toBe('Ivan Petrov');
  });

  it('shows flags, numbers and objects without JSON', () => {
    expect(readableValue(true)).toBe('yes');
    expect(readableValue(12500)).toBe('12,500');
    expect(readableValue({ x: 10, y: 20 })).toBe('X: 10, Y: 20');
    expect(readableValue({ source: 'B', information: '2' })).toBe('Source: B, Information: 2');
    expect(readableValue(['2024-01-02', '2024'])).toBe('2 Jan 2024; 2024');
    expect(readableValue(undefined)).toBeUndefined();
    for (const value of [true, 3, { a: 1 }, [{ b: 'c' }]]) {
      expect(readableValue(value)).not.toMatch(/[{}"]/);
    }
  });
});
