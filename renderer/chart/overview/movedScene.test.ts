/**
 * The overview scene patched after a saved drag must be the scene a fresh build gives, and the
 * patch must decline whatever is not a move of positions inside the chart's bounds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChartEdgeModel, ChartNodeModel, ChartViewModel } from '../chartModel.ts';
import { LIGHT_CHART_THEME } from '../chartModel.ts';
import { sceneAfterMoves, splitAfterMoves } from './movedScene.ts';
import type { Bounds } from './overviewScene.ts';
import { buildOverviewScene, windowOfView } from './overviewScene.ts';

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

describe('splitAfterMoves', () => {
  const near = fc.integer({ min: -120, max: 120 });
  /** A view with a group box first, some nodes in it, edges to ends past the list too. */
  const generated = fc.record({
    nodes: fc.array(
      fc.record({
        x: near,
        y: near,
        size: fc.option(fc.integer({ min: 10, max: 80 }), { nil: undefined }),
        grouped: fc.boolean(),
      }),
      { minLength: 1, maxLength: 30 },
    ),
    edges: fc.array(fc.tuple(fc.nat(35), fc.nat(35)), { maxLength: 60 }),
    window: fc.tuple(near, near, fc.nat(200), fc.nat(200)),
    // Node index (mod the list), where to, a new size or not; the group box may move too.
    drags: fc.array(fc.tuple(fc.nat(40), near, near, fc.option(fc.integer({ min: 10, max: 80 }))), {
      maxLength: 6,
    }),
    groupMoves: fc.boolean(),
  });

  function viewOf(nodes: { x: number; y: number; size?: number; grouped: boolean }[]) {
    return [
      node('chart-group:g', 0, 0, { classes: 'chart-group' }),
      ...nodes.map((n, i) =>
        node(`n${i}`, n.x, n.y, {
          ...(n.size !== undefined ? { size: n.size } : {}),
          ...(n.grouped ? { parent: 'chart-group:g' } : {}),
        }),
      ),
    ];
  }

  it('gives the split a fresh windowOfView gives, for generated views, windows and drags', () => {
    let patched = 0;
    fc.assert(
      fc.property(generated, ({ nodes, edges, window: [x1, y1, w, h], drags, groupMoves }) => {
        const before: ChartViewModel = {
          nodes: viewOf(nodes),
          edges: edges.map(([s, t], k) => edge(`e${k}`, `n${s}`, `n${t}`)),
        };
        const bounds: Bounds = { x1, y1, x2: x1 + w, y2: y1 + h };
        // What withNodeViews makes of a saved drag: new models for the moved nodes only.
        const changes = new Map<number, Partial<ChartNodeModel>>();
        for (const [i, x, y, size] of drags) {
          changes.set(1 + (i % nodes.length), { x, y, ...(size !== null ? { size } : {}) });
        }
        if (groupMoves) changes.set(0, { x: 5, y: 5 });
        const after: ChartViewModel = {
          nodes: before.nodes.map((n, i) => {
            const change = changes.get(i);
            return change ? { ...n, ...change } : n;
          }),
          edges: before.edges,
        };
        const split = windowOfView(before, bounds);
        const result = splitAfterMoves(split, before, after, bounds);
        const inside = (n: ChartNodeModel) =>
          n.x >= x1 && n.x <= x1 + w && n.y >= y1 && n.y <= y1 + h;
        const crosses = [...changes.keys()].some(
          (i) => i > 0 && inside(before.nodes[i]!) !== inside(after.nodes[i]!),
        );
        // Declined exactly when a moved node enters or leaves the window.
        expect(result === undefined).toBe(crosses);
        if (!result) return;
        patched++;
        const fresh = windowOfView(structuredClone(after), bounds);
        expect(result.view).toEqual(fresh.view);
        expect([...result.crossing]).toEqual([...fresh.crossing]);
        expect([...result.crossingEnds]).toEqual([...fresh.crossingEnds]);
        // Nothing moved: the split itself.
        if (changes.size === 0) expect(result).toBe(split);
        // Membership kept: the edge list is the one held already.
        expect(result.view.edges).toBe(split.view.edges);
      }),
      { numRuns: 400 },
    );
    // The patch itself was exercised, not only its refusals.
    expect(patched).toBeGreaterThan(100);
  });

  it('declines another edge list, node order or grouping', () => {
    const before: ChartViewModel = {
      nodes: [node('a', 0, 0), node('b', 5, 5)],
      edges: [edge('ab', 'a', 'b')],
    };
    const bounds = { x1: -10, y1: -10, x2: 10, y2: 10 };
    const split = windowOfView(before, bounds);
    const same = (nodes: readonly ChartNodeModel[], edges = before.edges) =>
      splitAfterMoves(split, before, { nodes, edges }, bounds);
    expect(same(before.nodes, [...before.edges])).toBeUndefined();
    expect(same([before.nodes[1]!, before.nodes[0]!])).toBeUndefined();
    expect(same([before.nodes[0]!])).toBeUndefined();
    expect(
      same([{ ...before.nodes[0]!, parent: 'chart-group:g' }, before.nodes[1]!]),
    ).toBeUndefined();
    expect(
      same([{ ...before.nodes[0]!, classes: 'chart-group' }, before.nodes[1]!]),
    ).toBeUndefined();
    expect(same([{ ...before.nodes[0]!, x: 1 }, before.nodes[1]!])).toBeDefined();
  });
});
