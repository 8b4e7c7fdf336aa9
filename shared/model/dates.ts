/**
 * The one date grammar of Tessera. FtM dates are ISO 8601 prefixes of varying precision: '2024',
 * '2024-03', '2024-03-05', '2024-03-05T10', '2024-03-05T10:15', '2024-03-05T10:15:30Z' (a space may
 * stand for the T; seconds may have a fraction; a zone may follow a time). Entry validation
 * (`validateDate`), the timeline and search filters all read dates through `parseDate` here, so a value
 * one of them accepts is accepted by all (issue 9: '2024-01-01T25:00' was accepted by search alone).
 *
 * A date names a span of time as long as its precision (a year, a month, a day, an hour…): closed
 * intervals in UTC milliseconds, [first ms, last ms], so '2024' is 2024-01-01T00:00Z …
 * 2024-12-31T23:59:59.999Z. A full timestamp (seconds given) is an instant: start = end.
 */

export interface TimeSpan {
  /** First millisecond (UTC) of the span; -Infinity when open towards the past. */
  readonly start: number;
  /** Last millisecond (UTC) of the span, inclusive; +Infinity when open towards the future. */
  readonly end: number;
}

export type DatePrecision = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'instant';

export interface ParsedDate extends TimeSpan {
  readonly precision: DatePrecision;
}

const DATE_RE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/;

function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

/** Why a value is not a date, in words a person can act on. */
export type DateProblem =
  | { readonly code: 'not-a-date'; readonly message: string }
  | { readonly code: 'no-such-month'; readonly message: string }
  | { readonly code: 'no-such-day'; readonly message: string }
  | { readonly code: 'no-such-time'; readonly message: string };

/** Parses one FtM date value, or says why it is not one. */
export function readDate(value: string): ParsedDate | DateProblem {
  const match = DATE_RE.exec(value.trim());
  if (!match) {
    return {
      code: 'not-a-date',
      message: `"${value}" is not a date; use YYYY-MM-DD (or YYYY-MM, YYYY)`,
    };
  }
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const year = Number(y);
  const month = mo === undefined ? undefined : Number(mo);
  const day = d === undefined ? undefined : Number(d);
  if (month !== undefined && (month < 1 || month > 12)) {
    return { code: 'no-such-month', message: `month ${month} does not exist` };
  }
  if (day !== undefined) {
    const daysInMonth = new Date(Date.UTC(year, month!, 0)).getUTCDate();
    if (day < 1 || day > daysInMonth) {
      return {
        code: 'no-such-day',
        message: `${value.trim()} does not exist (${y}-${mo} has ${daysInMonth} days)`,
      };
    }
  }
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) {
    return { code: 'no-such-time', message: `"${value}" has an impossible time of day` };
  }
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  const shift = offsetMinutes(zone) * 60_000;
  // Date.UTC treats years 0–99 as 1900–1999; setUTCFullYear does not.
  const utc = (
    yy: number,
    mm: number,
    dd: number,
    hh: number,
    mn: number,
    ss: number,
    ml: number,
  ) => {
    const date = new Date(Date.UTC(2000, mm, dd, hh, mn, ss, ml));
    date.setUTCFullYear(yy);
    return date.getTime();
  };
  if (month === undefined) {
    return {
      start: utc(year, 0, 1, 0, 0, 0, 0),
      end: utc(year + 1, 0, 1, 0, 0, 0, 0) - 1,
      precision: 'year',
    };
  }
  if (day === undefined) {
    return {
      start: utc(year, month - 1, 1, 0, 0, 0, 0),
      end: utc(year, month, 1, 0, 0, 0, 0) - 1,
      precision: 'month',
    };
  }
  if (h === undefined) {
    const start = utc(year, month - 1, day, 0, 0, 0, 0);
    return { start, end: start + 86_400_000 - 1, precision: 'day' };
  }
  const start = utc(year, month - 1, day, hour, minute, second, ms) - shift;
  if (mi === undefined) return { start, end: start + 3_600_000 - 1, precision: 'hour' };
  if (s === undefined) return { start, end: start + 60_000 - 1, precision: 'minute' };
  return { start, end: start, precision: 'instant' };
}

/** Parses one FtM date value; undefined when it is not a valid (partial) ISO date. */
export function parseDate(value: string): ParsedDate | undefined {
  const read = readDate(value);
  return 'code' in read ? undefined : read;
}

/**
 * [first day, last day] ('YYYY-MM-DD', which compare correctly as strings) that a date covers, or
 * null when it is not a date. A date with a time covers the day as written, whatever its zone.
 */
export function dateInterval(value: string): [string, string] | null {
  const date = parseDate(value);
  if (!date) return null;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (date.precision === 'year' || date.precision === 'month' || date.precision === 'day') {
    return [day(date.start), day(date.end)];
  }
  const written = value.trim().slice(0, 10);
  return [written, written];
}
