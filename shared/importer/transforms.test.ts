import { describe, expect, it } from 'vitest';
import {
  applyTransform,
  applyTransforms,
  readDate,
  readDuration,
  readNumber,
} from './transforms.ts';

describe('date transform', () => {
  it('reads wall time in an IANA zone and writes the offset of that day', () => {
    expect(readDate('05/03/2024 10:15', 'dd/MM/yyyy HH:mm', 'Europe/Vienna')).toBe(
      '2024-03-05T10:15+01:00',
    );
    expect(readDate('05/07/2024 10:15', 'dd/MM/yyyy HH:mm', 'Europe/Vienna')).toBe(
      '2024-07-05T10:15+02:00',
    );
    expect(readDate('2024-07-05 10:15:30', 'yyyy-MM-dd HH:mm:ss', 'UTC')).toBe(
      '2024-07-05T10:15:30Z',
    );
    expect(readDate('5.3.2024', 'd.M.yyyy', 'Europe/Bucharest')).toBe('2024-03-05');
  });

  it('settles the hours daylight saving skips or repeats', () => {
    // Vienna, 31 March 2024: 02:00 → 03:00. 02:30 does not exist; it is read as summer time.
    expect(readDate('31/03/2024 02:30', 'dd/MM/yyyy HH:mm', 'Europe/Vienna')).toMatch(
      /\+0[12]:00$/,
    );
    expect(readDate('31/03/2024 03:30', 'dd/MM/yyyy HH:mm', 'Europe/Vienna')).toBe(
      '2024-03-31T03:30+02:00',
    );
    expect(readDate('27/10/2024 04:00', 'dd/MM/yyyy HH:mm', 'Europe/Vienna')).toBe(
      '2024-10-27T04:00+01:00',
    );
  });

  it('refuses impossible dates with a coded problem', () => {
    expect(readDate('31/02/2024 10:15', 'dd/MM/yyyy HH:mm', 'UTC')).toBeUndefined();
    expect(readDate('05/03/2024 25:00', 'dd/MM/yyyy HH:mm', 'UTC')).toBeUndefined();
    expect(applyTransform({ op: 'date', pattern: 'dd/MM/yyyy' }, 'yesterday', {})).toEqual({
      problem: { code: 'value.not-a-date', message: "'yesterday' is not a date as dd/MM/yyyy" },
    });
  });
});

describe('number, duration, phone, IBAN', () => {
  it('reads decimal commas and thousands marks', () => {
    expect(readNumber('1.250,50', ',')).toBe('1250.50');
    expect(readNumber('-17 980,5', ',')).toBe('-17980.5');
    expect(readNumber('1,250.50', '.')).toBe('1250.50');
    expect(readNumber(',5', ',')).toBe('0.5');
    expect(readNumber('abc', ',')).toBeUndefined();
    expect(readNumber('1,2,3', ',')).toBeUndefined();
  });

  it('reads durations as seconds', () => {
    expect(readDuration('75')).toBe('75');
    expect(readDuration('02:31')).toBe('151');
    expect(readDuration('01:04:09')).toBe('3849');
    expect(readDuration('1:75')).toBeUndefined();
    expect(readDuration('abc')).toBeUndefined();
  });

  it('writes phone numbers as E.164 with the default country', () => {
    expect(applyTransform({ op: 'phone' }, '0664 1234567', { defaultCountry: 'AT' })).toEqual({
      values: ['+436641234567'],
    });
    expect(applyTransform({ op: 'phone', defaultCountry: 'RO' }, '0721 555 010', {})).toEqual({
      values: ['+40721555010'],
    });
    expect(applyTransform({ op: 'phone' }, 'call me', {})).toMatchObject({
      problem: { code: 'value.not-a-phone' },
    });
  });

  it('validates IBANs', () => {
    expect(applyTransform({ op: 'iban' }, 'at61 1904 3002 3457 3201', {})).toEqual({
      values: ['AT611904300234573201'],
    });
    expect(applyTransform({ op: 'iban' }, 'AT61 1904 3002 3457 3202', {})).toMatchObject({
      problem: { code: 'value.not-an-iban' },
    });
  });

  it('chains: split then phone on every part; the first problem stops', () => {
    expect(
      applyTransforms(
        [{ op: 'split', separator: ';' }, { op: 'phone' }],
        ['+359 88 123 4567; +359 87 765 4321'],
        {},
      ),
    ).toEqual({ values: ['+359881234567', '+359877654321'] });
    expect(
      applyTransforms([{ op: 'trim' }, { op: 'title' }], ['  ȘTEFAN ȚURCANU-POP '], {}),
    ).toEqual({
      values: ['Ștefan Țurcanu-Pop'],
    });
  });
});
