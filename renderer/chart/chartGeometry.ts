/**
 * Small geometry the chart needs outside Cytoscape: folding moved positions back into the saved
 * chart record, finding free spots for newly added entities, and hit-testing the node under the
 * pointer for the link gesture (which runs before Cytoscape sees the mouse).
 */
import type { ChartNodeView } from '../../shared/model/index.ts';
import type { Point } from '../../shared/model/caseChart.ts';

export type { Point } from '../../shared/model/caseChart.ts';

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
  const moved = movedNodes(nodes, positions);
  return moved ? { ...nodes, ...moved } : undefined;
}

/**
 * Only the entries of `nodes` that `positions` moved, with their new (rounded) positions and
 * their style overrides kept: what a drag writes (per-node rows, renderer/db/chartNodes.ts).
 * Returns undefined when nothing moved.
 */
export function movedNodes(
  nodes: Readonly<Record<string, ChartNodeView>>,
  positions: Readonly<Record<string, Point>>,
): Record<string, ChartNodeView> | undefined {
  let moved: Record<string, ChartNodeView> | undefined;
  for (const [id, position] of Object.entries(positions)) {
    const current = nodes[id];
    if (!current) continue;
    const x = round(position.x);
    const y = round(position.y);
    if (current.x === x && current.y === y) continue;
    (moved ??= {})[id] = { ...current, x, y };
  }
  return moved;
}

// Placing new nodes is shared with the repository (the case chart): shared/model/caseChart.ts.
export { PLACEMENT_SPACING, placeNewNodes } from '../../shared/model/caseChart.ts';

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
