/**
 * Spans of time on the timeline: formatting and overlap. The date grammar itself is
 * shared/model/dates.ts.
 */
export type { DatePrecision, ParsedDate, TimeSpan } from '../model/dates.ts';
export { parseDate } from '../model/dates.ts';
import type { DatePrecision, TimeSpan } from '../model/dates.ts';

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
