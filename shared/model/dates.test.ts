import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateInterval, parseDate, readDate } from './dates.ts';
import { validateDate } from './validate.ts';

describe('the one date grammar', () => {
  it('refuses 2024-01-01T25:00 everywhere (search accepted it before)', () => {
    expect(validateDate('2024-01-01T25:00')).toMatch(/time of day/);
    expect(parseDate('2024-01-01T25:00')).toBeUndefined();
    expect(dateInterval('2024-01-01T25:00')).toBeNull();
  });

  it('gives the days a partial or timed date covers', () => {
    expect(dateInterval('2024')).toEqual(['2024-01-01', '2024-12-31']);
    expect(dateInterval('2024-02')).toEqual(['2024-02-01', '2024-02-29']);
    expect(dateInterval('2023-02-28')).toEqual(['2023-02-28', '2023-02-28']);
    expect(dateInterval(' 2024-03-05T23:30:00-05:00 ')).toEqual(['2024-03-05', '2024-03-05']);
    expect(dateInterval('2023-02-29')).toBeNull();
  });

  it('names why a value is not a date, by code', () => {
    const code = (value: string) => {
      const read = readDate(value);
      return 'code' in read ? read.code : 'ok';
    };
    expect(code('31/12/2024')).toBe('not-a-date');
    expect(code('2024-13')).toBe('no-such-month');
    expect(code('2024-04-31')).toBe('no-such-day');
    expect(code('2024-04-30T10:61')).toBe('no-such-time');
    expect(code('2024-04-30 10:15:30.5Z')).toBe('ok');
  });

  it('entry validation, the timeline and search agree on every date-shaped string', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const dateLike = fc
      .tuple(
        fc.integer({ min: 1000, max: 2999 }),
        two(14),
        two(33),
        two(26),
        two(62),
        two(62),
        fc.constantFrom('', 'Z', '+02:00', '-0530'),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom('T', ' '),
      )
      .map(([y, mo, d, h, mi, s, zone, parts, sep]) => {
        const pieces = [String(y), `-${mo}`, `-${d}`, `${sep}${h}`, `:${mi}`, `:${s}`];
        return pieces.slice(0, parts).join('') + (parts >= 4 ? zone : '');
      });
    fc.assert(
      fc.property(fc.oneof(dateLike, fc.string({ maxLength: 25 })), (value) => {
        const valid = validateDate(value) === undefined;
        const parsed = parseDate(value) !== undefined;
        const interval = dateInterval(value) !== null;
        expect(parsed).toBe(interval);
        // Entry validation is the grammar plus a plausible year.
        const year = Number(value.trim().slice(0, 4));
        if (parsed && year >= 1000 && year <= 2999) expect(validateDate(value)).toBeUndefined();
        else expect(valid).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
