import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChartEdgeModel, ChartNodeModel, ChartViewModel } from './chartModel.ts';
import type { ElementPatch } from './elementDiff.ts';
import { diffViewModels, sliceWindowPatch, windowPatchRest } from './elementDiff.ts';

const node = (id: string, x = 0, y = 0, extra: Partial<ChartNodeModel> = {}): ChartNodeModel => ({
  id,
  label: id,
  schema: 'Person',
  iconKey: 'Person',
  x,
  y,
  ...extra,
});
const edge = (id: string, source: string, target: string): ChartEdgeModel => ({
  id,
  source,
  target,
  schema: 'Associate',
  label: '',
  directed: false,
});

const moved = (patch: ElementPatch) =>
  patch.addNodes.length +
  patch.addEdges.length +
  patch.removeNodes.length +
  patch.removeEdges.length;

/** What Cytoscape would hold after applying `patch` as the adapter does, checked on the way. */
function applyToHeld(
  held: { nodes: Set<string>; edges: Map<string, ChartEdgeModel> },
  patch: ElementPatch,
): void {
  for (const id of patch.removeEdges) {
    expect(held.edges.has(id)).toBe(true);
    held.edges.delete(id);
  }
  for (const added of patch.addNodes) {
    expect(held.nodes.has(added.id)).toBe(false);
    held.nodes.add(added.id);
  }
  for (const id of patch.removeNodes) {
    expect(held.nodes.has(id)).toBe(true);
    // No held edge may still need a node that leaves (Cytoscape would take it along silently).
    for (const kept of held.edges.values()) {
      expect(kept.source !== id && kept.target !== id).toBe(true);
    }
    held.nodes.delete(id);
  }
  for (const added of patch.addEdges) {
    expect(held.nodes.has(added.source) && held.nodes.has(added.target)).toBe(true);
    held.edges.set(added.id, added);
  }
}

const ids = (view: ChartViewModel) => ({
  nodes: new Set(view.nodes.map((n) => n.id)),
  edges: new Set(view.edges.map((e) => e.id)),
});

/** A chart of `count` nodes and some edges, and two windows of it (induced sub-views). */
const windows = fc
  .record({
    count: fc.integer({ min: 1, max: 40 }),
    positions: fc.array(
      fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })),
      {
        minLength: 40,
        maxLength: 40,
      },
    ),
    pairs: fc.array(fc.tuple(fc.nat(39), fc.nat(39)), { maxLength: 80 }),
    before: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    after: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    budget: fc.integer({ min: 1, max: 25 }),
    centre: fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })),
  })
  .map(({ count, positions, pairs, before, after, budget, centre }) => {
    const nodes = positions.slice(0, count).map(([x, y], i) => node(`n${i}`, x, y));
    const edges = pairs
      .filter(([s, t]) => s < count && t < count)
      .map(([s, t], i) => edge(`e${i}`, `n${s}`, `n${t}`));
    const sub = (keep: boolean[]): ChartViewModel => {
      const inside = new Set(nodes.filter((_, i) => keep[i]).map((n) => n.id));
      return {
        nodes: nodes.filter((n) => inside.has(n.id)),
        edges: edges.filter((e) => inside.has(e.source) && inside.has(e.target)),
      };
    };
    return {
      previous: sub(before),
      next: sub(after),
      budget,
      centre: { x: centre[0], y: centre[1] },
    };
  });

describe('sliceWindowPatch', () => {
  it('reaches the next window in slices within the budget, each one consistent', () => {
    fc.assert(
      fc.property(windows, ({ previous, next, budget, centre }) => {
        const held = {
          nodes: new Set(previous.nodes.map((n) => n.id)),
          edges: new Map(previous.edges.map((e) => [e.id, e])),
        };
        let applied = previous;
        let slices = 0;
        while (applied !== next) {
          const whole = diffViewModels(applied, next);
          const slice = sliceWindowPatch(applied, next, whole, budget, centre);
          const count = moved(slice.patch);
          // Progress every frame; over the budget only for one node and the edges it completes.
          if (moved(whole) > 0) expect(count).toBeGreaterThan(0);
          if (count > budget) expect(slice.patch.addNodes).toHaveLength(1);
          applyToHeld(held, slice.patch);
          const view = ids(slice.applied);
          expect(view.nodes).toEqual(held.nodes);
          expect(view.edges).toEqual(new Set(held.edges.keys()));
          applied = slice.applied;
          slices++;
          expect(slices).toBeLessThanOrEqual(200);
        }
        expect(held.nodes).toEqual(ids(next).nodes);
        expect(new Set(held.edges.keys())).toEqual(ids(next).edges);
      }),
    );
  });

  it('gives, with windowPatchRest, the slices a diff before every slice gives', () => {
    fc.assert(
      fc.property(windows, ({ previous, next, budget, centre }) => {
        let applied = previous;
        let rest: ElementPatch | undefined;
        let slices = 0;
        while (applied !== next && slices++ < 200) {
          const whole = diffViewModels(applied, next);
          // The rest of the slice before is this frame's diff, list for list and in order.
          if (rest) expect(rest).toEqual(whole);
          const slice = sliceWindowPatch(applied, next, whole, budget, centre);
          rest = windowPatchRest(applied, whole, slice.patch);
          expect(rest).toBeDefined();
          applied = slice.applied;
        }
        expect(applied).toBe(next);
      }),
    );
    // Not a plain window change (a node restyled): no rest, diff again.
    const before = { nodes: [node('a'), node('b')], edges: [] };
    const after = { nodes: [node('a', 5, 5, { color: '#ff0000' })], edges: [] };
    const whole = diffViewModels(before, after);
    const slice = sliceWindowPatch(before, after, whole, 1, { x: 0, y: 0 });
    expect(windowPatchRest(before, whole, slice.patch)).toBeUndefined();
  });

  it('adds the nodes nearest the centre first, across slices too', () => {
    fc.assert(
      fc.property(windows, ({ previous, next, budget, centre }) => {
        const distance = (n: ChartNodeModel) => (n.x - centre.x) ** 2 + (n.y - centre.y) ** 2;
        const slices: number[][] = [];
        let applied = previous;
        while (applied !== next) {
          const slice = sliceWindowPatch(
            applied,
            next,
            diffViewModels(applied, next),
            budget,
            centre,
          );
          slices.push(slice.patch.addNodes.map(distance));
          applied = slice.applied;
        }
        // Every node a slice adds is at least as far as every node an earlier slice added.
        for (let k = 1; k < slices.length; k++) {
          for (const later of slices[k]!) {
            for (const earlier of slices.slice(0, k).flat())
              expect(earlier).toBeLessThanOrEqual(later);
          }
        }
      }),
    );
  });

  it('removes edges before nodes when the window empties (zooming out to the overview)', () => {
    const previous: ChartViewModel = {
      nodes: [node('a'), node('b'), node('c')],
      edges: [edge('ab', 'a', 'b'), edge('bc', 'b', 'c')],
    };
    const empty: ChartViewModel = { nodes: [], edges: [] };
    const first = sliceWindowPatch(previous, empty, diffViewModels(previous, empty), 2, {
      x: 0,
      y: 0,
    });
    expect(first.patch.removeEdges).toEqual(['ab', 'bc']);
    expect(first.patch.removeNodes).toEqual([]);
    expect(first.applied.nodes.map((n) => n.id)).toEqual(['a', 'b', 'c']);
    const second = sliceWindowPatch(first.applied, empty, diffViewModels(first.applied, empty), 2, {
      x: 0,
      y: 0,
    });
    expect(second.patch.removeNodes).toEqual(['a', 'b']);
    const third = sliceWindowPatch(
      second.applied,
      empty,
      diffViewModels(second.applied, empty),
      2,
      {
        x: 0,
        y: 0,
      },
    );
    expect(third.patch.removeNodes).toEqual(['c']);
    expect(third.applied).toBe(empty);
  });

  it('adds each node with the edges it completes, nearest first', () => {
    const next: ChartViewModel = {
      nodes: [node('far', 100, 0), node('near', 1, 0), node('mid', 10, 0), node('self', 50, 0)],
      edges: [edge('nm', 'near', 'mid'), edge('fn', 'far', 'near'), edge('ss', 'self', 'self')],
    };
    const empty: ChartViewModel = { nodes: [], edges: [] };
    const first = sliceWindowPatch(empty, next, diffViewModels(empty, next), 3, { x: 0, y: 0 });
    expect(first.patch.addNodes.map((n) => n.id)).toEqual(['near', 'mid']);
    expect(first.patch.addEdges.map((e) => e.id)).toEqual(['nm']);
    const second = sliceWindowPatch(first.applied, next, diffViewModels(first.applied, next), 3, {
      x: 0,
      y: 0,
    });
    // A self-loop is complete with its one node.
    expect(second.patch.addNodes.map((n) => n.id)).toEqual(['self']);
    expect(second.patch.addEdges.map((e) => e.id)).toEqual(['ss']);
    const third = sliceWindowPatch(second.applied, next, diffViewModels(second.applied, next), 3, {
      x: 0,
      y: 0,
    });
    expect(third.patch.addNodes.map((n) => n.id)).toEqual(['far']);
    expect(third.patch.addEdges.map((e) => e.id)).toEqual(['fn']);
    expect(third.applied).toBe(next);
  });

  it('applies a change with groups or updates whole, but for its additions', () => {
    const previous: ChartViewModel = {
      nodes: [node('g', 0, 0, { classes: 'chart-group' }), node('a', 0, 0, { parent: 'g' })],
      edges: [],
    };
    const next: ChartViewModel = {
      nodes: [node('b'), node('c'), node('d')],
      edges: [edge('bc', 'b', 'c')],
    };
    const slice = sliceWindowPatch(previous, next, diffViewModels(previous, next), 2, {
      x: 0,
      y: 0,
    });
    expect(slice.patch.removeNodes).toEqual(['g', 'a']);
    expect(slice.patch.addNodes.map((n) => n.id)).toEqual(['b', 'c']);
    expect(slice.patch.addEdges.map((e) => e.id)).toEqual(['bc']);
  });

  it('leaves a change within the budget as it is', () => {
    const next: ChartViewModel = { nodes: [node('a'), node('b')], edges: [edge('ab', 'a', 'b')] };
    const empty: ChartViewModel = { nodes: [], edges: [] };
    const whole = diffViewModels(empty, next);
    expect(sliceWindowPatch(empty, next, whole, 3, { x: 0, y: 0 })).toEqual({
      patch: whole,
      applied: next,
    });
  });
});
