/**
 * Pure helpers behind the analysis panel: the graph a request runs on (the chart's nodes and the
 * relationships between them, or the whole case), result rows with competition ranks ("1, 2, 2,
 * 4"), and what results do to the chart (node sizes scaled from a measure, one colour per
 * community, the edges along a path). Analysis treats relationships as undirected: a link chart's
 * question is who is connected to whom, not in which direction a payment went.
 *
 * Parallel links (22 calls between two phones) merge into one edge whose weight is their count
 * (`parallel: 'sum'`, as `tessera analyze` does, issue 11), never the last one's. The count is a
 * strength: eigenvector, PageRank and communities weigh it; distance measures (betweenness,
 * closeness, paths) count hops instead, because reading 22 calls as a length 22 would push the two
 * closest parties furthest apart ({@link usesLinkWeight}).
 */
import type { EdgeInput, GraphInput, Measure } from '../../shared/analysis/index.ts';
import type { ChartNodeView, ChartRecord, EntityRecord } from '../../shared/model/index.ts';
import { captionOf, edgeEnds, isEdgeSchema } from '../../shared/model/index.ts';
import { chartGraph } from '../../shared/model/chartGraph.ts';

export type AnalysisScope = 'chart' | 'case';

export interface ScopedGraph {
  readonly input: GraphInput;
  /** Relationship id for each edge of the input (same order). */
  readonly edgeIds: readonly string[];
}

export interface LinkEnds {
  readonly id: string;
  readonly source: string;
  readonly target: string;
}

export function scopedGraph(
  entities: readonly EntityRecord[],
  chart: Pick<ChartRecord, 'nodes'> | undefined,
  scope: AnalysisScope,
): ScopedGraph {
  let nodes: string[];
  let links: LinkEnds[];
  if (scope === 'chart' && chart) {
    const shown = chartGraph(entities, chart);
    nodes = shown.nodes.map((n) => n.entity.id);
    links = shown.edges.map((e) => ({ id: e.entity.id, source: e.source, target: e.target }));
  } else {
    const live = entities.filter((e) => !e.deleted);
    const nodeSet = new Set(live.filter((e) => !isEdgeSchema(e.schema)).map((e) => e.id));
    nodes = [...nodeSet];
    links = [];
    for (const entity of live) {
      if (!isEdgeSchema(entity.schema)) continue;
      const ends = edgeEnds(entity.schema, entity.properties);
      if (ends && nodeSet.has(ends.source) && nodeSet.has(ends.target))
        links.push({ id: entity.id, ...ends });
    }
  }
  const edges: EdgeInput[] = links.map((l) => ({ source: l.source, target: l.target }));
  return {
    input: { nodes, edges, directed: false, parallel: 'sum' },
    edgeIds: links.map((l) => l.id),
  };
}

/** Measures that read the parallel-link count as a strength (see the file's opening comment). */
const STRENGTH_MEASURES: ReadonlySet<Measure> = new Set(['eigenvector', 'pagerank', 'communities']);

/** Whether `measure` weighs links by how many parallel relationships they stand for. */
export function usesLinkWeight(measure: Measure): boolean {
  return STRENGTH_MEASURES.has(measure);
}

export interface EntityLabel {
  readonly label: string;
  readonly schema: string;
}

export function entityLabels(entities: readonly EntityRecord[]): Map<string, EntityLabel> {
  const labels = new Map<string, EntityLabel>();
  for (const e of entities) {
    if (!e.deleted)
      labels.set(e.id, { label: captionOf(e.schema, e.properties), schema: e.schema });
  }
  return labels;
}

export interface ResultRow {
  readonly id: string;
  readonly label: string;
  readonly schema: string;
  readonly value: number;
  /** Competition rank by value, highest first: equal values share a rank. */
  readonly rank: number;
}

/** Rows ranked by value (highest first), ties in label order. */
export function valueRows(
  values: Readonly<Record<string, number>>,
  labels: ReadonlyMap<string, EntityLabel>,
): ResultRow[] {
  const rows = Object.entries(values).map(([id, value]) => ({
    id,
    value,
    label: labels.get(id)?.label ?? id,
    schema: labels.get(id)?.schema ?? '',
  }));
  rows.sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  let rank = 0;
  return rows.map((row, i) => {
    if (i === 0 || row.value !== rows[i - 1]!.value) rank = i + 1;
    return { ...row, rank };
  });
}

/** Rows for grouped results: `value` is the group number (1 = largest group). */
export function groupRows(
  groups: readonly (readonly string[])[],
  labels: ReadonlyMap<string, EntityLabel>,
): ResultRow[] {
  const ordered = [...groups].sort((a, b) => b.length - a.length);
  const rows: ResultRow[] = [];
  ordered.forEach((group, index) => {
    for (const id of group) {
      rows.push({
        id,
        label: labels.get(id)?.label ?? id,
        schema: labels.get(id)?.schema ?? '',
        value: index + 1,
        rank: index + 1,
      });
    }
  });
  return rows;
}

export type SortKey = 'label' | 'value' | 'rank';

export function sortRows(
  rows: readonly ResultRow[],
  key: SortKey,
  descending: boolean,
): ResultRow[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const primary =
      key === 'label'
        ? a.label.localeCompare(b.label)
        : key === 'value'
          ? a.value - b.value
          : a.rank - b.rank;
    return sign * primary || a.label.localeCompare(b.label);
  });
}

export const MIN_NODE_SIZE = 24;
export const MAX_NODE_SIZE = 96;

/** Node diameters proportional to the measure: 0 → MIN_NODE_SIZE, the maximum → MAX_NODE_SIZE. */
export function scaleSizes(
  values: Readonly<Record<string, number>>,
  min = MIN_NODE_SIZE,
  max = MAX_NODE_SIZE,
): Record<string, number> {
  let top = 0;
  for (const v of Object.values(values)) if (Number.isFinite(v) && v > top) top = v;
  const sizes: Record<string, number> = {};
  for (const [id, v] of Object.entries(values)) {
    const share = top > 0 && Number.isFinite(v) && v > 0 ? v / top : 0;
    sizes[id] = Math.round((min + share * (max - min)) * 10) / 10;
  }
  return sizes;
}

/** Twelve colours distinguishable on light and dark backgrounds (Tableau-like). */
export const COMMUNITY_PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#17becf',
  '#8c564b',
] as const;

/** Largest group first gets the first colour; palette colours repeat past twelve groups. */
export function groupColors(groups: readonly (readonly string[])[]): Record<string, string> {
  const colors: Record<string, string> = {};
  [...groups]
    .sort((a, b) => b.length - a.length)
    .forEach((group, index) => {
      const color = COMMUNITY_PALETTE[index % COMMUNITY_PALETTE.length]!;
      for (const id of group) colors[id] = color;
    });
  return colors;
}

/**
 * The chart's node map with `size` or `color` set from `styles` for the nodes it lists and
 * cleared on the others (so re-applying a new measure leaves no stale sizes). Returns undefined
 * when nothing changes.
 */
export function withNodeStyle(
  nodes: Readonly<Record<string, ChartNodeView>>,
  property: 'size' | 'color',
  styles: Readonly<Record<string, number | string>> | undefined,
): Record<string, ChartNodeView> | undefined {
  const next: Record<string, ChartNodeView> = {};
  let changed = false;
  for (const [id, view] of Object.entries(nodes)) {
    const wanted = styles?.[id];
    if (wanted === view[property]) {
      next[id] = view;
      continue;
    }
    changed = true;
    const { [property]: _old, ...rest } = view;
    next[id] = wanted === undefined ? rest : { ...rest, [property]: wanted };
  }
  return changed ? next : undefined;
}

/** The relationships along `paths` (any one joining each consecutive pair) and their nodes. */
export function pathHighlight(
  paths: readonly (readonly string[])[],
  links: readonly LinkEnds[],
): { nodes: Set<string>; edges: Set<string> } {
  const byPair = new Map<string, string[]>();
  const key = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  for (const link of links) {
    const k = key(link.source, link.target);
    const list = byPair.get(k);
    if (list) list.push(link.id);
    else byPair.set(k, [link.id]);
  }
  const nodes = new Set<string>();
  const edges = new Set<string>();
  for (const path of paths) {
    path.forEach((id, i) => {
      nodes.add(id);
      if (i === 0) return;
      for (const edgeId of byPair.get(key(path[i - 1]!, id)) ?? []) edges.add(edgeId);
    });
  }
  return { nodes, edges };
}

/** Links of a scoped graph with their relationship ids. */
export function linksOf(graph: ScopedGraph): LinkEnds[] {
  return graph.input.edges.map((e, i) => ({
    id: graph.edgeIds[i]!,
    source: e.source,
    target: e.target,
  }));
}

/** Four significant digits, no exponent for ordinary centralities. */
export function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1e-4 ? String(Number(value.toPrecision(4))) : value.toExponential(3);
}

/** Sample sizes offered for approximate betweenness (NetworkX's `k`). */
export const BETWEENNESS_SAMPLES = [100, 500, 2000] as const;

/**
 * The sample sizes worth offering on a graph of `nodeCount` nodes: only those below it (a sample of
 * every node is the exact figure), so a small graph offers none.
 */
export function betweennessSampleChoices(nodeCount: number): number[] {
  return BETWEENNESS_SAMPLES.filter((k) => k < nodeCount);
}

/**
 * The note shown beside betweenness computed from `k` sampled sources of `nodeCount`: the figures
 * are scaled up from a sample, so they are estimates, not the exact values.
 */
export function betweennessEstimateNote(k: number, nodeCount: number): string {
  return (
    `Estimate: computed from ${k} of ${nodeCount} entities as sources, picked at random, and ` +
    'scaled up. Entities of high betweenness stand out; the figures themselves differ from the ' +
    'exact ones.'
  );
}
