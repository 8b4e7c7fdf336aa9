/**
 * The overview scene after a saved drag, patched instead of built again. A drag on a huge chart
 * saves a view model with the same edge list and the same node list but for the models of the
 * moved nodes (chartModel.ts `withNodeViews`); building the scene again flattened all 50,000
 * nodes and 100,000 edges in the frame after the save (44-49 ms at 20,000 nodes, load 10). Here
 * only the moved nodes' positions are written into copies of the two position columns; everything
 * else is the previous scene's.
 *
 * Applies only where the result is the scene `buildOverviewScene` would build: no group boxes,
 * no change but positions, and the chart's bounds unchanged (no moved node's disc at or past
 * them, before or after the move). Anything else answers undefined, and the caller builds anew.
 * A node the view did not move keeps the scene's position: one dragged but not saved yet is
 * patched when its save arrives, a moment later.
 */
import type { Point } from '../chartGeometry.ts';
import type { ChartViewModel } from '../chartModel.ts';
import type { OverviewScene } from './overviewScene.ts';

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
