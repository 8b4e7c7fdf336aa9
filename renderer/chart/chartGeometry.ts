/**
 * Small geometry the chart needs outside Cytoscape: folding moved positions back into the saved
 * chart record, finding free spots for newly added entities, and hit-testing the node under the
 * pointer for the link gesture (which runs before Cytoscape sees the mouse).
 */
import type { ChartNodeView } from '../../shared/model/index.ts';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Saved positions are rounded: sub-pixel noise would make every save look like a change. */
function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * The chart's node map with `positions` applied. Style overrides are kept, and entries the view
 * does not show (an entity not loaded yet) are left untouched rather than dropped.
 * Returns undefined when nothing moved, so callers can skip the write.
 */
export function mergePositions(
  nodes: Readonly<Record<string, ChartNodeView>>,
  positions: Readonly<Record<string, Point>>,
): Record<string, ChartNodeView> | undefined {
  let changed = false;
  const next: Record<string, ChartNodeView> = { ...nodes };
  for (const [id, position] of Object.entries(positions)) {
    const current = nodes[id];
    if (!current) continue;
    const x = round(position.x);
    const y = round(position.y);
    if (current.x === x && current.y === y) continue;
    next[id] = { ...current, x, y };
    changed = true;
  }
  return changed ? next : undefined;
}

/** Grid spacing for new nodes: node diameter plus room for a label. */
export const PLACEMENT_SPACING = 110;

/**
 * Positions for `ids` near `anchor`, on a square spiral of grid cells, skipping cells that an
 * existing node occupies. Deterministic, O(existing + placed · probes).
 */
export function placeNewNodes(
  existing: Iterable<Point>,
  ids: readonly string[],
  anchor: Point,
  spacing = PLACEMENT_SPACING,
): Record<string, Point> {
  const cellOf = (x: number, y: number): string =>
    `${Math.round((x - anchor.x) / spacing)},${Math.round((y - anchor.y) / spacing)}`;
  const occupied = new Set<string>();
  for (const p of existing) occupied.add(cellOf(p.x, p.y));
  const result: Record<string, Point> = {};
  const spiral = squareSpiral();
  for (const id of ids) {
    for (;;) {
      const [i, j] = spiral.next().value;
      const key = `${i},${j}`;
      if (occupied.has(key)) continue;
      occupied.add(key);
      result[id] = { x: anchor.x + i * spacing, y: anchor.y + j * spacing };
      break;
    }
  }
  return result;
}

function* squareSpiral(): Generator<[number, number], never> {
  yield [0, 0];
  for (let ring = 1; ; ring++) {
    for (let j = -ring; j <= ring; j++) yield [ring, j];
    for (let i = ring - 1; i >= -ring; i--) yield [i, ring];
    for (let j = ring - 1; j >= -ring; j--) yield [-ring, j];
    for (let i = -ring + 1; i <= ring - 1; i++) yield [i, -ring];
  }
}

export interface HitCircle {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly radius: number;
}

/** The id of the node whose disc contains (x, y); the last one wins, as it is drawn on top. */
export function nodeAt(circles: Iterable<HitCircle>, x: number, y: number): string | undefined {
  let hit: string | undefined;
  for (const c of circles) {
    const dx = x - c.x;
    const dy = y - c.y;
    if (dx * dx + dy * dy <= c.radius * c.radius) hit = c.id;
  }
  return hit;
}

/** A file name safe on every OS, from a chart name. */
export function exportFileName(chartName: string, extension: 'png' | 'svg'): string {
  const base = chartName
    .replace(/[\\/:*?"<>|\p{Cc}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
  return `${base || 'chart'}.${extension}`;
}
