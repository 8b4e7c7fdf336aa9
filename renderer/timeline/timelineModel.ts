/**
 * Geometry of the timeline, kept out of React so it can be tested: a linear time scale over a
 * visible domain, zooming around an anchor, calendar-aligned ticks (hours, days, weeks, months,
 * years, decades) and packing of one lane's items into as few rows as keep them from overlapping.
 */
import type { TimeItem } from '../../shared/time/index.ts';

const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface Domain {
  readonly start: number;
  readonly end: number;
}

export interface Scale extends Domain {
  /** Pixel width the domain maps onto. */
  readonly width: number;
}

export function toX(scale: Scale, t: number): number {
  return ((t - scale.start) / (scale.end - scale.start)) * scale.width;
}

export function fromX(scale: Scale, x: number): number {
  return scale.start + (x / scale.width) * (scale.end - scale.start);
}

/** A little room on both sides of the items' extent, at least a day in all. */
export function paddedDomain(extent: Domain): Domain {
  const span = Math.max(extent.end - extent.start, DAY);
  const pad = span * 0.03;
  return { start: extent.start - pad, end: extent.end + pad };
}

/**
 * Zooms by `factor` (< 1 zooms in) keeping `anchor` where it is, never narrower than an hour nor
 * wider than `limit`.
 */
export function zoomDomain(domain: Domain, factor: number, anchor: number, limit: Domain): Domain {
  const span = domain.end - domain.start;
  const maxSpan = limit.end - limit.start;
  const next = Math.min(Math.max(span * factor, HOUR), maxSpan);
  const ratio = (anchor - domain.start) / span;
  return clampDomain({ start: anchor - ratio * next, end: anchor - ratio * next + next }, limit);
}

/** Moves the domain back inside `limit` without changing its span (when it fits). */
export function clampDomain(domain: Domain, limit: Domain): Domain {
  const span = domain.end - domain.start;
  if (span >= limit.end - limit.start) return limit;
  if (domain.start < limit.start) return { start: limit.start, end: limit.start + span };
  if (domain.end > limit.end) return { start: limit.end - span, end: limit.end };
  return domain;
}

export interface Tick {
  readonly t: number;
  readonly label: string;
}

type Unit = { readonly kind: 'ms' | 'month' | 'year'; readonly step: number };

const UNITS: readonly Unit[] = [
  { kind: 'ms', step: HOUR },
  { kind: 'ms', step: 3 * HOUR },
  { kind: 'ms', step: 6 * HOUR },
  { kind: 'ms', step: 12 * HOUR },
  { kind: 'ms', step: DAY },
  { kind: 'ms', step: 2 * DAY },
  { kind: 'ms', step: 7 * DAY },
  { kind: 'month', step: 1 },
  { kind: 'month', step: 3 },
  { kind: 'month', step: 6 },
  { kind: 'year', step: 1 },
  { kind: 'year', step: 2 },
  { kind: 'year', step: 5 },
  { kind: 'year', step: 10 },
  { kind: 'year', step: 20 },
  { kind: 'year', step: 50 },
  { kind: 'year', step: 100 },
];

function approxMs(unit: Unit): number {
  if (unit.kind === 'ms') return unit.step;
  return unit.step * (unit.kind === 'month' ? 30.44 : 365.25) * DAY;
}

/** Calendar-aligned ticks (UTC) for the domain, at most about `maxTicks` of them. */
export function timeTicks(domain: Domain, maxTicks: number): Tick[] {
  const span = domain.end - domain.start;
  const unit =
    UNITS.find((candidate) => span / approxMs(candidate) <= maxTicks) ?? UNITS[UNITS.length - 1]!;
  const ticks: Tick[] = [];
  const first = new Date(domain.start);
  if (unit.kind === 'ms') {
    // Weeks start on Monday; smaller steps align to the UTC day.
    const dayStart = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate());
    const offset = unit.step === 7 * DAY ? ((first.getUTCDay() + 6) % 7) * DAY : 0;
    let t = dayStart - offset;
    while (t < domain.start) t += unit.step;
    for (; t <= domain.end; t += unit.step) {
      const iso = new Date(t).toISOString();
      ticks.push({
        t,
        label: unit.step < DAY ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10),
      });
    }
    return ticks;
  }
  if (unit.kind === 'month') {
    let year = first.getUTCFullYear();
    let month = Math.ceil(first.getUTCMonth() / unit.step) * unit.step;
    for (;;) {
      const t = Date.UTC(year, month, 1);
      if (t > domain.end) break;
      if (t >= domain.start) ticks.push({ t, label: new Date(t).toISOString().slice(0, 7) });
      month += unit.step;
      if (month >= 12) {
        year += Math.floor(month / 12);
        month %= 12;
      }
    }
    return ticks;
  }
  let year = Math.ceil(first.getUTCFullYear() / unit.step) * unit.step;
  for (;;) {
    const date = new Date(Date.UTC(2000, 0, 1));
    date.setUTCFullYear(year);
    const t = date.getTime();
    if (t > domain.end) break;
    if (t >= domain.start) ticks.push({ t, label: String(year) });
    year += unit.step;
  }
  return ticks;
}

/** Pixel extent of an item on the scale; points get a minimum width so they can be clicked. */
export function itemExtent(item: TimeItem, scale: Scale, minWidth = 8): { x1: number; x2: number } {
  const left = Math.max(toX(scale, item.start), -10);
  const right = Math.min(toX(scale, item.end), scale.width + 10);
  if (right - left >= minWidth) return { x1: left, x2: right };
  const middle = (left + right) / 2;
  return { x1: middle - minWidth / 2, x2: middle + minWidth / 2 };
}

/**
 * Rows for one lane: each item goes into the first row whose last item ends before it starts
 * (with `gap` pixels between); items beyond `maxRows` share the last row.
 */
export function packRows(
  items: readonly TimeItem[],
  scale: Scale,
  maxRows: number,
  gap = 2,
): { rows: Map<string, number>; rowCount: number } {
  const rows = new Map<string, number>();
  const ends: number[] = [];
  const sorted = [...items].sort((a, b) => a.start - b.start);
  for (const item of sorted) {
    const { x1, x2 } = itemExtent(item, scale);
    let row = ends.findIndex((end) => end + gap <= x1);
    if (row === -1) row = ends.length < maxRows ? ends.length : maxRows - 1;
    ends[row] = Math.max(ends[row] ?? Number.NEGATIVE_INFINITY, x2);
    rows.set(item.key, row);
  }
  return { rows, rowCount: Math.max(ends.length, 1) };
}

/** Whole UTC days from `origin` to `t`, for the slider's integer steps. */
export function dayIndex(origin: number, t: number): number {
  return Math.round((t - origin) / DAY);
}
