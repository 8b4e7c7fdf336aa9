/**
 * "Multiple links as single" (i2's term): the relationships of one type between the same two
 * entities (22 calls, 40 payments) are drawn as one link that carries their count, their total
 * duration or amount and their date range, and can be expanded back into the single links, pair
 * by pair. Pure functions over the view model, so the chart view only chooses the options and the
 * adapter draws whatever comes out.
 *
 * A combined link's id is `BUNDLE_PREFIX` + its key; the key names the unordered pair and the
 * schema, so the link keeps its id (and Cytoscape its element) while its members change.
 */
import type { ChartEdgeModel, ChartViewModel } from './chartModel.ts';

/** What a single relationship contributes to a combined link. */
export interface LinkFacts {
  /** ISO date (or date-time) of the relationship, or the start of its interval. */
  readonly date?: string;
  /** End of its interval, when it has one. */
  readonly endDate?: string;
  /** A call's duration in seconds. */
  readonly duration?: number;
  /** A payment's amount. */
  readonly amount?: number;
  readonly currency?: string;
}

/** What the width of a combined link shows. */
export type LinkWidthBy = 'count' | 'sum';

export interface CombineOptions {
  /** "Combine parallel links": off draws every relationship on its own. */
  readonly combine: boolean;
  /** Bundle keys the user expanded into their single links. */
  readonly expanded?: ReadonlySet<string>;
  readonly widthBy?: LinkWidthBy;
}

export const BUNDLE_PREFIX = 'bundle:';

/** Thinnest and thickest link, in pixels (a single link is the thinnest). */
export const MIN_LINK_WIDTH = 1.5;
export const MAX_LINK_WIDTH = 12;

/** The bundle a relationship belongs to: same unordered pair, same schema. */
export function bundleKey(edge: Pick<ChartEdgeModel, 'source' | 'target' | 'schema'>): string {
  const [a, b] =
    edge.source < edge.target ? [edge.source, edge.target] : [edge.target, edge.source];
  return JSON.stringify([a, b, edge.schema]);
}

export function bundleId(key: string): string {
  return BUNDLE_PREFIX + key;
}

export function isBundleId(id: string): boolean {
  return id.startsWith(BUNDLE_PREFIX);
}

/** The bundle key of a combined link's id, or undefined for a single link's id. */
export function bundleKeyOfId(id: string): string | undefined {
  return isBundleId(id) ? id.slice(BUNDLE_PREFIX.length) : undefined;
}

/** Summary of a bundle's members, as drawn on the combined link. */
export interface BundleSummary {
  readonly count: number;
  /** Total duration in seconds of the members that have one (undefined when none has). */
  readonly duration?: number;
  /** Total amount per currency ('' for amounts without one). */
  readonly amounts: Readonly<Record<string, number>>;
  /** Earliest and latest date among the members' dates and interval ends. */
  readonly firstDate?: string;
  readonly lastDate?: string;
}

export function summarise(members: readonly ChartEdgeModel[]): BundleSummary {
  let duration: number | undefined;
  const amounts: Record<string, number> = Object.create(null) as Record<string, number>;
  let firstDate: string | undefined;
  let lastDate: string | undefined;
  for (const { facts } of members) {
    if (!facts) continue;
    if (facts.duration !== undefined) duration = (duration ?? 0) + facts.duration;
    if (facts.amount !== undefined) {
      const currency = facts.currency ?? '';
      amounts[currency] = (amounts[currency] ?? 0) + facts.amount;
    }
    for (const date of [facts.date, facts.endDate]) {
      if (!date) continue;
      // ISO dates of any precision order as strings (a prefix sorts first).
      if (firstDate === undefined || date < firstDate) firstDate = date;
      if (lastDate === undefined || date > lastDate) lastDate = date;
    }
  }
  return {
    count: members.length,
    ...(duration !== undefined ? { duration } : {}),
    amounts,
    ...(firstDate !== undefined ? { firstDate, lastDate: lastDate! } : {}),
  };
}

/** 5520 → "1 h 32 min", 45 → "45 s". */
export function formatDuration(seconds: number): string {
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const min = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return min > 0 ? `${h} h ${min} min` : `${h} h`;
  if (min > 0) return s > 0 ? `${min} min ${s} s` : `${min} min`;
  return `${s} s`;
}

function formatAmount(value: number): string {
  return value.toLocaleString('en-GB', { maximumFractionDigits: 2 });
}

function day(date: string): string {
  return date.slice(0, 10);
}

/** "22 × Call · 1 h 32 min\n2024-01-03 – 2024-03-30". */
export function bundleLabel(typeLabel: string, summary: BundleSummary): string {
  const head = [`${summary.count} × ${typeLabel}`];
  if (summary.duration !== undefined) head.push(formatDuration(summary.duration));
  for (const [currency, amount] of Object.entries(summary.amounts).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    head.push(currency ? `${formatAmount(amount)} ${currency}` : formatAmount(amount));
  }
  const lines = [head.join(' · ')];
  if (summary.firstDate !== undefined && summary.lastDate !== undefined) {
    const first = day(summary.firstDate);
    const last = day(summary.lastDate);
    lines.push(first === last ? first : `${first} – ${last}`);
  }
  return lines.join('\n');
}

/** The quantity a bundle's width follows when widths show sums: duration, else total amount. */
export function sumOf(summary: BundleSummary): number {
  if (summary.duration !== undefined) return summary.duration;
  return Object.values(summary.amounts).reduce((total, amount) => total + amount, 0);
}

/** Width for `value` on a square-root scale up to `max` (area-like: 4× the total, 2× the width). */
function scaledWidth(value: number, max: number): number {
  if (!(max > 0) || !(value > 0)) return MIN_LINK_WIDTH;
  return MIN_LINK_WIDTH + (MAX_LINK_WIDTH - MIN_LINK_WIDTH) * Math.sqrt(Math.min(value, max) / max);
}

/**
 * Width for a count on a fixed logarithmic scale (each doubling adds LINK_WIDTH_PER_DOUBLING),
 * so 11 calls look the same on every chart and ten pairs of 11 calls are not all drawn at the
 * widest.
 */
export function countWidth(count: number): number {
  if (count <= 1) return MIN_LINK_WIDTH;
  return Math.min(MAX_LINK_WIDTH, MIN_LINK_WIDTH + LINK_WIDTH_PER_DOUBLING * Math.log2(count));
}

export const LINK_WIDTH_PER_DOUBLING = 1.5;

/** Class of every combined link, whatever its members carry. */
export const BUNDLE_CLASS = 'chart-bundle';

/** A combined link's classes from its members' (a highlight on any member shows on it). */
export function bundleClasses(memberClasses: readonly (string | undefined)[]): string {
  const sets = memberClasses.map((c) => new Set((c ?? '').split(' ').filter(Boolean)));
  const classes = new Set<string>([BUNDLE_CLASS]);
  // A highlight on any member highlights the bundle; it is dimmed only when all members are.
  for (const set of sets) for (const name of set) if (name !== 'analysis-dim') classes.add(name);
  if (sets.every((set) => set.has('analysis-dim'))) classes.add('analysis-dim');
  return [...classes].join(' ');
}

/**
 * The view with parallel links combined. `typeLabel` names a schema for the label ("Call").
 * Edges of a bundle of one, and of expanded bundles, stay as they are (with a width when the
 * others get one, so widths compare); the result is in the order of the first member of each
 * bundle, so it does not reshuffle as links come and go.
 */
export function combineParallelLinks(
  view: ChartViewModel,
  options: CombineOptions,
  typeLabel: (schema: string) => string = (schema) => schema,
): ChartViewModel {
  if (!options.combine) return view;
  const groups = new Map<string, ChartEdgeModel[]>();
  for (const edge of view.edges) {
    const key = bundleKey(edge);
    const group = groups.get(key);
    if (group) group.push(edge);
    else groups.set(key, [edge]);
  }
  if (groups.size === view.edges.length) return view;
  const summaries = new Map<string, BundleSummary>();
  for (const [key, members] of groups) summaries.set(key, summarise(members));
  const widthBy = options.widthBy ?? 'count';
  // Sums have no common unit (seconds, euros), so their widths are relative to the largest.
  let max = 0;
  for (const summary of summaries.values()) max = Math.max(max, sumOf(summary));
  const edges: ChartEdgeModel[] = [];
  for (const [key, members] of groups) {
    const first = members[0]!;
    if (members.length === 1 || options.expanded?.has(key)) {
      edges.push(...members);
      continue;
    }
    // Directed only when every member runs the same way; otherwise no arrow claims a direction.
    const sameWay = members.every(
      (m) => m.directed && m.source === first.source && m.target === first.target,
    );
    edges.push(
      bundleEdge(key, first, summaries.get(key)!, {
        directed: sameWay,
        widthBy,
        max,
        typeLabel,
        members: members.map((m) => m.id),
        classes: bundleClasses(members.map((m) => m.classes)),
      }),
    );
  }
  return { nodes: view.nodes, edges };
}

/** The combined link of a bundle (`first`: its first member's ends and schema). */
export function bundleEdge(
  key: string,
  first: Pick<ChartEdgeModel, 'source' | 'target' | 'schema'>,
  summary: BundleSummary,
  options: {
    readonly directed: boolean;
    readonly widthBy: LinkWidthBy;
    /** The largest sum among the bundles (sum widths are relative to it). */
    readonly max: number;
    readonly typeLabel: (schema: string) => string;
    readonly members: readonly string[];
    /** bundleClasses of the members' classes. */
    readonly classes: string;
  },
): ChartEdgeModel {
  return {
    id: bundleId(key),
    source: first.source,
    target: first.target,
    schema: first.schema,
    label: bundleLabel(options.typeLabel(first.schema), summary),
    directed: options.directed,
    width:
      options.widthBy === 'count'
        ? countWidth(summary.count)
        : scaledWidth(sumOf(summary), options.max),
    members: options.members,
    classes: options.classes,
  };
}

/** Expands a combined link, or collapses the bundle a single link belongs to (a double-click). */
export function toggleBundle(
  expanded: ReadonlySet<string>,
  view: ChartViewModel,
  edgeId: string,
): ReadonlySet<string> {
  const next = new Set(expanded);
  const key = bundleKeyOfId(edgeId);
  if (key !== undefined) {
    next.add(key);
    return next;
  }
  const edge = view.edges.find((e) => e.id === edgeId);
  if (!edge) return expanded;
  const own = bundleKey(edge);
  if (!next.delete(own)) return expanded;
  return next;
}
