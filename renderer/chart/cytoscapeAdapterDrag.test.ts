/**
 * A node dragged again right after a drag (drag12): the chart read back while the user holds a
 * node never moves it from under the pointer (patchedPosition), the view can tell that a node is
 * held (its save waits for the release), and a node let go after a drag is drawn, and so hit,
 * above its neighbours.
 */
import cytoscape from 'cytoscape';
import type { Core, NodeSingular } from 'cytoscape';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { ChartViewModel } from './chartModel.ts';
import { LIGHT_CHART_THEME } from './chartModel.ts';
import { ChartAdapter, patchedPosition } from './cytoscapeAdapter.ts';

vi.mock('cytoscape-svg', () => ({ default: () => undefined }));

function viewWith(positions: Record<string, { x: number; y: number }>): ChartViewModel {
  return {
    nodes: Object.entries(positions).map(([id, { x, y }]) => ({
      id,
      label: id,
      schema: 'Person',
      iconKey: 'Person',
      x,
      y,
    })),
    edges: [],
  };
}

function headless(): { cy: Core; adapter: ChartAdapter } {
  const cy = cytoscape({ headless: true, styleEnabled: true });
  const adapter = new ChartAdapter(cy);
  adapter.setTheme(LIGHT_CHART_THEME);
  return { cy, adapter };
}

/** What Cytoscape's renderer does on a press on a node and on its release. */
function setGrabbed(node: NodeSingular, grabbed: boolean): void {
  (node as unknown as { _private: { grabbed: boolean } })._private.grabbed = grabbed;
}

describe('patchedPosition', () => {
  it('leaves a held node alone, and a node within the save rounding of the target', () => {
    const coordinate = fc.double({ min: -1e5, max: 1e5, noNaN: true });
    const point = fc.record({ x: coordinate, y: coordinate });
    fc.assert(
      fc.property(point, point, fc.boolean(), (at, target, grabbed) => {
        const to = patchedPosition(at, target, grabbed);
        const withinRounding =
          Math.abs(at.x - target.x) <= 0.05 + 1e-9 && Math.abs(at.y - target.y) <= 0.05 + 1e-9;
        if (grabbed || withinRounding) expect(to).toBeUndefined();
        else expect(to).toEqual({ x: target.x, y: target.y });
      }),
    );
    // The rounding a save makes (movedNodes keeps 0.1) is left alone; a tenth more is not.
    expect(patchedPosition({ x: 10.04, y: 3 }, { x: 10, y: 3 }, false)).toBeUndefined();
    expect(patchedPosition({ x: 10.06, y: 3 }, { x: 10, y: 3 }, false)).toEqual({ x: 10, y: 3 });
  });
});

describe('ChartAdapter during a drag', () => {
  it('keeps a held node under the pointer whatever views arrive, and applies them once let go', () => {
    type Step =
      | { kind: 'press' }
      | { kind: 'drag'; x: number; y: number }
      | { kind: 'release' }
      | { kind: 'update'; x: number; y: number };
    const coordinate = fc.integer({ min: -500, max: 500 }).map((n) => n / 4);
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.constant({ kind: 'press' as const }),
      fc.record({ kind: fc.constant('drag' as const), x: coordinate, y: coordinate }),
      fc.constant({ kind: 'release' as const }),
      fc.record({ kind: fc.constant('update' as const), x: coordinate, y: coordinate }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const { cy, adapter } = headless();
        adapter.update(viewWith({ a: { x: 0, y: 0 }, b: { x: 100, y: 0 } }));
        const node = cy.getElementById('a') as NodeSingular;
        let held = false;
        let expected = { x: 0, y: 0 };
        /** Node a in the view applied last: a view that does not move it moves nothing. */
        let applied = { x: 0, y: 0 };
        for (const s of steps) {
          if (s.kind === 'press') held = true;
          else if (s.kind === 'release') held = false;
          else if (s.kind === 'drag') {
            // Cytoscape moves only the node it holds.
            if (!held) continue;
            node.position({ x: s.x, y: s.y });
            expected = { x: s.x, y: s.y };
          } else {
            setGrabbed(node, held);
            // A fresh object per update: a view read back from the store.
            adapter.update(viewWith({ a: { x: s.x, y: s.y }, b: { x: 100, y: 0 } }));
            const within =
              Math.abs(expected.x - s.x) <= 0.05 + 1e-9 &&
              Math.abs(expected.y - s.y) <= 0.05 + 1e-9;
            const movesIt = s.x !== applied.x || s.y !== applied.y;
            // Let go, the node waits for its own save (the view writes it after the release).
            if (!held && !within && movesIt) expected = { x: s.x, y: s.y };
            applied = { x: s.x, y: s.y };
          }
          setGrabbed(node, held);
          expect(node.position()).toEqual(expected);
          // The node that is not held follows every view.
          expect(cy.getElementById('b').position()).toEqual({ x: 100, y: 0 });
        }
        adapter.destroy();
      }),
      {
        numRuns: 200,
        examples: [
          // Pressed, dragged, the previous save read back mid-drag, dragged on, let go.
          [
            [
              { kind: 'press' },
              { kind: 'drag', x: 10, y: 5 },
              { kind: 'update', x: 10, y: 5 },
              { kind: 'drag', x: 30, y: 20 },
              { kind: 'update', x: 10, y: 5 },
              { kind: 'drag', x: 40, y: 25 },
              { kind: 'release' },
              { kind: 'update', x: 40, y: 25 },
              { kind: 'update', x: 10, y: 5 },
            ],
          ],
        ],
      },
    );
  });

  it('tells whether the user holds a node (what a save waits for)', () => {
    const { cy, adapter } = headless();
    adapter.update(viewWith({ a: { x: 0, y: 0 }, b: { x: 5, y: 0 } }));
    expect(adapter.holdsNode()).toBe(false);
    setGrabbed(cy.getElementById('b') as NodeSingular, true);
    expect(adapter.holdsNode()).toBe(true);
    setGrabbed(cy.getElementById('b') as NodeSingular, false);
    expect(adapter.holdsNode()).toBe(false);
    adapter.destroy();
  });

  it('raises each dragged node above the one dragged before it and above the rest', () => {
    const { cy, adapter } = headless();
    adapter.update(viewWith({ a: { x: 0, y: 0 }, b: { x: 5, y: 0 }, c: { x: 10, y: 0 } }));
    const z = (id: string) => Number(cy.getElementById(id).style('z-index'));
    expect([z('a'), z('b'), z('c')]).toEqual([0, 0, 0]);
    cy.getElementById('a').emit('dragfree');
    expect(z('a')).toBeGreaterThan(Math.max(z('b'), z('c')));
    cy.getElementById('b').emit('dragfree');
    expect(z('b')).toBeGreaterThan(z('a'));
    expect(z('a')).toBeGreaterThan(z('c'));
    // A click (grab and free, no drag) raises nothing.
    cy.getElementById('c').emit('free');
    expect(z('c')).toBe(0);
    adapter.destroy();
  });
});
