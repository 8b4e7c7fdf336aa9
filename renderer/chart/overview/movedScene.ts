/**
 * The overview scene after a saved drag, patched instead of built again. A drag on a huge chart
 * saves a view model with the same edge list and the same node list but for the models of the
 * moved nodes (chartModel.ts `withNodeViews`); building the scene again flattened all 50,000
 * nodes and 100,000 edges in the frame after the save (44-49 ms at 20,000 nodes, load 10). Here
 * only the moved nodes' positions are written into copies of the two position columns; everything
 * else is the previous scene's. The window Cytoscape holds is patched the same way
 * (splitAfterMoves): splitting the new view again scanned every node and edge of the chart.
 *
 * Applies only where the result is the scene `buildOverviewScene` would build: no group boxes,
 * no change but positions, and the chart's bounds unchanged (no moved node's disc at or past
 * them, before or after the move). Anything else answers undefined, and the caller builds anew.
 * A node the view did not move keeps the scene's position: one dragged but not saved yet is
 * patched when its save arrives, a moment later.
 */
import type { Point } from '../chartGeometry.ts';
import type { ChartNodeModel, ChartViewModel } from '../chartModel.ts';
import type { Bounds, ChartWindowView, OverviewScene } from './overviewScene.ts';
import { CROSSING_STRIDE, DEFAULT_NODE_SIZE, isGroupNode } from './overviewScene.ts';

/** How close (model units) to the bounds a moved disc may come before the bounds are recomputed. */
const EDGE_CLEARANCE = 1;

/**
 * `scene` (painted from `previous`) for `view`, or undefined where that is not a patch of
 * positions. `positionOf` as in buildOverviewScene: a node's live position when Cytoscape holds
 * it (asked only for the moved nodes).
 */
export function sceneAfterMoves(
  scene: OverviewScene,
  previous: ChartViewModel,
  view: ChartViewModel,
  positionOf: (id: string) => Point | undefined,
): OverviewScene | undefined {
  const count = view.nodes.length;
  if (
    view.edges !== previous.edges ||
    previous.nodes.length !== count ||
    scene.nodeX.length !== count ||
    scene.groupBoxes.length > 0
  ) {
    return undefined;
  }
  const { bounds } = scene;
  const clear = (x: number, y: number, radius: number) =>
    x - radius > bounds.x1 + EDGE_CLEARANCE &&
    y - radius > bounds.y1 + EDGE_CLEARANCE &&
    x + radius < bounds.x2 - EDGE_CLEARANCE &&
    y + radius < bounds.y2 - EDGE_CLEARANCE;
  let nodeX: Float32Array | undefined;
  let nodeY: Float32Array | undefined;
  for (let i = 0; i < count; i++) {
    const was = previous.nodes[i]!;
    const node = view.nodes[i]!;
    if (was === node) continue;
    if (
      was.id !== node.id ||
      was.classes !== node.classes ||
      was.parent !== node.parent ||
      was.color !== node.color ||
      was.size !== node.size ||
      was.iconKey !== node.iconKey ||
      was.borderColor !== node.borderColor
    ) {
      return undefined;
    }
    const radius = scene.nodeRadius[i]!;
    const at = positionOf(node.id) ?? node;
    if (!clear(scene.nodeX[i]!, scene.nodeY[i]!, radius) || !clear(at.x, at.y, radius)) {
      return undefined;
    }
    nodeX ??= scene.nodeX.slice();
    nodeY ??= scene.nodeY.slice();
    nodeX[i] = at.x;
    nodeY[i] = at.y;
  }
  return nodeX && nodeY ? { ...scene, nodeX, nodeY } : scene;
}

/** More moved nodes than this are looked up in the window's node list through a map. */
const SCAN_MOVES_MAX = 8;

/**
 * `split` (windowOfView of `previous` at `window`) for `view`, a saved drag of `previous`, or
 * undefined where that is not a patch: the same edge list and node order, and no moved node
 * entering or leaving the window (its edges would join or leave it). Then the window holds the
 * same nodes and edges, the moved nodes' new models take their places, and the crossing edges
 * at a moved node are drawn from where it is now. The result equals windowOfView(view, window)
 * (movedScene.test.ts), for a scan of pointers instead of a split of every node and edge.
 */
export function splitAfterMoves(
  split: ChartWindowView,
  previous: ChartViewModel,
  view: ChartViewModel,
  window: Bounds,
): ChartWindowView | undefined {
  const count = view.nodes.length;
  if (view.edges !== previous.edges || previous.nodes.length !== count) return undefined;
  const within = (node: ChartNodeModel) =>
    node.x >= window.x1 && node.x <= window.x2 && node.y >= window.y1 && node.y <= window.y2;
  const changed: number[] = [];
  for (let i = 0; i < count; i++) {
    const was = previous.nodes[i]!;
    const node = view.nodes[i]!;
    if (was === node) continue;
    if (was.id !== node.id || was.classes !== node.classes || was.parent !== node.parent) {
      return undefined;
    }
    // A group box is held for its members, never for where it is.
    if (!isGroupNode(node) && within(was) !== within(node)) return undefined;
    changed.push(i);
  }
  if (changed.length === 0) return split;
  const held = split.view.nodes;
  let placeOf: ((node: ChartNodeModel) => number) | undefined;
  if (changed.length <= SCAN_MOVES_MAX) {
    placeOf = (node) => held.indexOf(node);
  } else {
    const places = new Map<ChartNodeModel, number>();
    held.forEach((node, j) => places.set(node, j));
    placeOf = (node) => places.get(node) ?? -1;
  }
  let nodes: ChartNodeModel[] | undefined;
  const moved = new Uint8Array(count);
  for (const i of changed) {
    moved[i] = 1;
    const was = previous.nodes[i]!;
    const node = view.nodes[i]!;
    const place = placeOf(was);
    // An entity node is held exactly when it is inside (within() agreed for both models).
    if (!isGroupNode(node) && place >= 0 !== within(node)) return undefined;
    if (place < 0) continue;
    nodes ??= held.slice();
    nodes[place] = node;
  }
  const ends = split.crossingEnds;
  let crossing: Float32Array | undefined;
  for (let e = 0; e < ends.length; e += 2) {
    const near = ends[e]!;
    const far = ends[e + 1]!;
    if (moved[near] !== 1 && moved[far] !== 1) continue;
    crossing ??= split.crossing.slice();
    const inside = view.nodes[near]!;
    const outside = view.nodes[far]!;
    const at = (e / 2) * CROSSING_STRIDE;
    crossing[at] = inside.x;
    crossing[at + 1] = inside.y;
    crossing[at + 2] = outside.x;
    crossing[at + 3] = outside.y;
    crossing[at + 4] = (inside.size ?? DEFAULT_NODE_SIZE) / 2;
  }
  return {
    view: nodes ? { nodes, edges: split.view.edges } : split.view,
    crossing: crossing ?? split.crossing,
    crossingEnds: ends,
  };
}
