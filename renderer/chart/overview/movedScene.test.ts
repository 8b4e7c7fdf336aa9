/**
 * The overview scene patched after a saved drag must be the scene a fresh build gives, and the
 * patch must decline whatever is not a move of positions inside the chart's bounds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChartEdgeModel, ChartNodeModel, ChartViewModel } from '../chartModel.ts';
import { LIGHT_CHART_THEME } from '../chartModel.ts';
import { sceneAfterMoves } from './movedScene.ts';
import { buildOverviewScene } from './overviewScene.ts';

function node(id: string, x: number, y: number, extra: Partial<ChartNodeModel> = {}) {
  return { id, label: id, schema: 'Person', iconKey: 'Person', x, y, ...extra };
}

function edge(id: string, source: string, target: string): ChartEdgeModel {
  return { id, source, target, schema: 'Associate', label: '', directed: false };
}

/** Four corner nodes hold the bounds at ±1000; the others sit and move well inside. */
const CORNERS = [node('c1', -1000, -1000), node('c2', 1000, -1000), node('c3', -1000, 1000)];
const CORNERS_AND_LAST = [...CORNERS, node('c4', 1000, 1000, { size: 60, color: '#ff0000' })];

const inside = fc.integer({ min: -900, max: 900 });

/** What withNodeViews makes of a saved drag: the same list, new models for the moved nodes only. */
function moved(view: ChartViewModel, moves: ReadonlyMap<number, [number, number]>) {
  return {
    nodes: view.nodes.map((n, i) => {
      const to = moves.get(i);
      return to ? { ...n, x: to[0], y: to[1] } : n;
    }),
    edges: view.edges,
  };
}

describe('sceneAfterMoves', () => {
  it('gives the scene a fresh build gives, for generated charts and moves', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(inside, inside), { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(40), fc.nat(40)), { maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(40), inside, inside), { maxLength: 8 }),
        (points, links, drags) => {
          const nodes = [
            ...CORNERS_AND_LAST,
            ...points.map(([x, y], i) => node(`n${i}`, x, y, i % 3 ? {} : { size: 20 })),
          ];
          const edges = links.map(([s, t], k) =>
            edge(`e${k}`, nodes[s % nodes.length]!.id, nodes[t % nodes.length]!.id),
          );
          const before: ChartViewModel = { nodes, edges };
          const moves = new Map<number, [number, number]>();
          for (const [i, x, y] of drags) {
            moves.set(CORNERS_AND_LAST.length + (i % points.length), [x, y]);
          }
          const after = moved(before, moves);
          const scene = buildOverviewScene(before, LIGHT_CHART_THEME);
          const patched = sceneAfterMoves(scene, before, after, () => undefined);
          expect(patched).toBeDefined();
          expect(patched).toEqual(buildOverviewScene(after, LIGHT_CHART_THEME));
          // Only the position columns are new; the edge columns are the previous scene's.
          expect(patched!.edgeSource).toBe(scene.edgeSource);
          if (moves.size === 0) expect(patched).toBe(scene);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("takes a held node's live position, as the full build does", () => {
    const before: ChartViewModel = { nodes: [...CORNERS_AND_LAST, node('a', 0, 0)], edges: [] };
    const after = moved(before, new Map([[4, [10, 10]]]));
    const live = (id: string) => (id === 'a' ? { x: 12, y: 14 } : undefined);
    const scene = buildOverviewScene(before, LIGHT_CHART_THEME);
    expect(sceneAfterMoves(scene, before, after, live)).toEqual(
      buildOverviewScene(after, LIGHT_CHART_THEME, live),
    );
  });

  it('declines what is not a move inside the bounds', () => {
    const before: ChartViewModel = {
      nodes: [...CORNERS_AND_LAST, node('a', 0, 0), node('b', 5, 5)],
      edges: [edge('ab', 'a', 'b')],
    };
    const scene = buildOverviewScene(before, LIGHT_CHART_THEME);
    const none = () => undefined;
    const withNode = (i: number, extra: Partial<ChartNodeModel>) => ({
      nodes: before.nodes.map((n, k) => (k === i ? { ...n, ...extra } : n)),
      edges: before.edges,
    });
    // A corner moved: the bounds change.
    expect(sceneAfterMoves(scene, before, withNode(0, { x: -900 }), none)).toBeUndefined();
    // Moved past the bounds.
    expect(sceneAfterMoves(scene, before, withNode(4, { x: 5000 }), none)).toBeUndefined();
    // Restyled, not moved.
    expect(sceneAfterMoves(scene, before, withNode(4, { color: '#00ff00' }), none)).toBeUndefined();
    expect(sceneAfterMoves(scene, before, withNode(4, { size: 80 }), none)).toBeUndefined();
    expect(
      sceneAfterMoves(scene, before, withNode(4, { classes: 'analysis-dim' }), none),
    ).toBeUndefined();
    // Another edge list, or a node list of another length.
    expect(
      sceneAfterMoves(scene, before, { nodes: before.nodes, edges: [...before.edges] }, none),
    ).toBeUndefined();
    expect(
      sceneAfterMoves(scene, before, { nodes: before.nodes.slice(1), edges: before.edges }, none),
    ).toBeUndefined();
    // Groups: their boxes follow their members.
    const grouped: ChartViewModel = {
      nodes: [
        node('chart-group:g', 0, 0, { classes: 'chart-group' }),
        ...CORNERS_AND_LAST,
        node('a', 0, 0, { parent: 'chart-group:g' }),
      ],
      edges: [],
    };
    const groupedScene = buildOverviewScene(grouped, LIGHT_CHART_THEME);
    expect(
      sceneAfterMoves(groupedScene, grouped, moved(grouped, new Map([[5, [3, 3]]])), none),
    ).toBeUndefined();
  });
});
