/**
 * FtM dates are ISO 8601 prefixes of varying precision: '2024', '2024-03', '2024-03-05',
 * '2024-03-05T10', '2024-03-05T10:15', '2024-03-05T10:15:30Z'. A date names a span of time as
 * long as its precision (a year, a month, a day, an hour…); Tessera works with closed intervals
 * in UTC milliseconds, [first ms, last ms], so '2024' is 2024-01-01T00:00Z … 2024-12-31T23:59:59.999Z.
 * A full timestamp (seconds given) is an instant: start = end.
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

/** Parses one FtM date value; undefined when it is not a valid (partial) ISO date. */
export function parseDate(value: string): ParsedDate | undefined {
  const match = DATE_RE.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const year = Number(y);
  const month = mo === undefined ? undefined : Number(mo);
  const day = d === undefined ? undefined : Number(d);
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined) {
    const daysInMonth = new Date(Date.UTC(year, month!, 0)).getUTCDate();
    if (day < 1 || day > daysInMonth) return undefined;
  }
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
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

/** True when the closed spans [a.start, a.end] and [from, to] share at least one millisecond. */
export function overlaps(span: TimeSpan, from: number, to: number): boolean {
  return span.start <= to && span.end >= from;
}

/** A short label for a span boundary at the given precision, in UTC. */
export function formatDate(ms: number, precision: DatePrecision = 'day'): string {
  if (!Number.isFinite(ms)) return ms < 0 ? '…' : 'ongoing';
  const iso = new Date(ms).toISOString();
  switch (precision) {
    case 'year':
      return iso.slice(0, 4);
    case 'month':
      return iso.slice(0, 7);
    case 'day':
      return iso.slice(0, 10);
    default:
      return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  }
}

/** The ISO day ('YYYY-MM-DD') of a UTC millisecond value. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
