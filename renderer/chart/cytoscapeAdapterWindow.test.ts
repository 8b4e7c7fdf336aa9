/**
 * A huge chart's window changes through the real adapter and overview on a headless Core: however
 * the view is zoomed and panned, and however the slices fall, once a change has gone in the Core
 * holds exactly the window (nothing while the overview stands in).
 */
import cytoscape from 'cytoscape';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChartNodeModel, ChartViewModel } from './chartModel.ts';
import { LIGHT_CHART_THEME } from './chartModel.ts';
import { ChartAdapter, HAND_OVER_MAX_MS } from './cytoscapeAdapter.ts';

vi.mock('cytoscape-svg', () => ({ default: () => undefined }));

let frames = new Map<number, FrameRequestCallback>();
let nextFrame = 1;
/** Milliseconds each flushFrames moves the clock on, where a test fakes the clock. */
let clock: { now: number } | undefined;

function flushFrames(): void {
  if (clock) clock.now += 16;
  const due = [...frames.values()];
  frames = new Map();
  for (const callback of due) callback(performance.now());
}

/**
 * Gives the headless Core a canvas renderer's layer cache (the internals the hand-over uses) whose
 * queue empties after `work` elements are drawn into layers, each taking 1 ms of the fake clock
 * (Infinity: it never completes, as when Cytoscape keeps requeueing).
 */
function withLayerCache(cy: cytoscape.Core, work: number): { dequeued: () => number } {
  const real = (cy as unknown as { renderer(): object }).renderer();
  let left = 0;
  let dequeued = 0;
  const lyrTxrCache = {
    skipping: true,
    lastInvalidationTime: 0,
    layersQueue: { size: () => left },
    getLayers: () => {
      if (!lyrTxrCache.skipping && left === 0 && dequeued === 0) left = work;
      return null;
    },
    dequeue: () => {
      if (left > 0) left--;
      dequeued++;
      if (clock) clock.now += 1;
      return [];
    },
  };
  const renderer = Object.assign(Object.create(real) as object, {
    getPixelRatio: () => 1,
    getCachedZSortedEles: () => ({ nondrag: [] }),
    data: { lyrTxrCache },
  });
  (cy as unknown as { renderer: () => unknown }).renderer = () => renderer;
  return { dequeued: () => dequeued };
}

function fakeCanvas(): HTMLCanvasElement {
  const context = new Proxy({}, { get: () => () => undefined, set: () => true });
  return {
    width: 0,
    height: 0,
    hidden: false,
    getContext: () => context,
  } as unknown as HTMLCanvasElement;
}

/** A grid of `count` nodes, each linked to the next and to the one below. */
function gridView(count: number): ChartViewModel {
  const columns = Math.ceil(Math.sqrt(count));
  const nodes: ChartNodeModel[] = Array.from({ length: count }, (_, i) => ({
    id: `n${i}`,
    label: `n${i}`,
    schema: 'Person',
    iconKey: 'Person',
    x: (i % columns) * 100,
    y: Math.floor(i / columns) * 100,
  }));
  const link = (id: string, s: number, t: number) => ({
    id,
    source: `n${s}`,
    target: `n${t}`,
    schema: 'Associate',
    label: '',
    directed: false,
  });
  const edges = [
    ...nodes.slice(1).map((_, i) => link(`h${i}`, i, i + 1)),
    ...nodes.slice(columns).map((_, i) => link(`v${i}`, i, i + columns)),
  ];
  return { nodes, edges };
}

beforeEach(() => {
  frames = new Map();
  vi.stubGlobal(
    'Worker',
    class {
      postMessage(): void {}
      terminate(): void {}
    },
  );
  vi.stubGlobal('OffscreenCanvas', class {});
  vi.stubGlobal('window', {});
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => {
    const id = nextFrame++;
    frames.set(id, callback);
    return id;
  });
  vi.stubGlobal('cancelAnimationFrame', (id: number) => frames.delete(id));
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  clock = undefined;
});

describe('huge chart window fill', () => {
  it('holds exactly the window once each change has gone in, slice by slice', () => {
    const view = gridView(4900);
    const inView = new Map(view.nodes.map((node) => [node.id, node]));
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            zoom: fc.double({ min: 0.02, max: 1.5, noNaN: true }),
            x: fc.integer({ min: -2000, max: 9000 }),
            y: fc.integer({ min: -2000, max: 9000 }),
            // Frames let run before the next move (0: the move lands mid-fill).
            frames: fc.nat(4),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        (moves) => {
          const cy = cytoscape({ headless: true, styleEnabled: true });
          vi.spyOn(cy, 'width').mockReturnValue(1300);
          vi.spyOn(cy, 'height').mockReturnValue(650);
          const adapter = new ChartAdapter(cy, true, fakeCanvas());
          adapter.setTheme(LIGHT_CHART_THEME);
          adapter.update(view);
          for (const move of moves) {
            cy.viewport({
              zoom: move.zoom,
              pan: { x: 650 - move.x * move.zoom, y: 325 - move.y * move.zoom },
            });
            for (let i = 0; i < move.frames; i++) flushFrames();
          }
          for (let i = 0; i < 500 && adapter.filling; i++) flushFrames();
          expect(adapter.filling).toBe(false);
          // A covered fill's first draw waits one frame after its last slice, never longer: the
          // batch that holds Cytoscape's drawing is closed once that frame has run.
          flushFrames();
          expect((cy as unknown as { batching(): boolean }).batching()).toBe(false);
          const held = cy.nodes().map((node) => node.id());
          if (adapter.overviewActive) {
            expect(held).toEqual([]);
          } else {
            // Every held node is the chart's, and every held edge joins two held nodes.
            for (const id of held) expect(inView.has(id)).toBe(true);
            const heldIds = new Set(held);
            cy.edges().forEach((edge) => {
              expect(heldIds.has(edge.source().id()) && heldIds.has(edge.target().id())).toBe(true);
            });
            // Nothing on screen is missing.
            const extent = cy.extent();
            for (const node of view.nodes) {
              const inside =
                node.x >= extent.x1 &&
                node.x <= extent.x2 &&
                node.y >= extent.y1 &&
                node.y <= extent.y2;
              if (inside) expect(heldIds.has(node.id)).toBe(true);
            }
          }
          adapter.destroy();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('lets Cytoscape draw once the layers are built, or at the bound, never later', () => {
    const view = gridView(2500);
    fc.assert(
      fc.property(
        fc.record({
          zoom: fc.double({ min: 0.05, max: 1.5, noNaN: true }),
          x: fc.integer({ min: 0, max: 5000 }),
          y: fc.integer({ min: 0, max: 5000 }),
          work: fc.oneof(fc.nat(2000), fc.constant(Infinity)),
        }),
        ({ zoom, x, y, work }) => {
          const fake = { now: 1000 };
          clock = fake;
          // Every read moves the clock a little: code that works to a time budget must end.
          vi.spyOn(performance, 'now').mockImplementation(() => (fake.now += 0.01));
          const cy = cytoscape({ headless: true, styleEnabled: true });
          vi.spyOn(cy, 'width').mockReturnValue(1300);
          vi.spyOn(cy, 'height').mockReturnValue(650);
          const layers = withLayerCache(cy, work);
          const adapter = new ChartAdapter(cy, true, fakeCanvas());
          adapter.setTheme(LIGHT_CHART_THEME);
          adapter.update(view);
          cy.viewport({ zoom, pan: { x: 650 - x * zoom, y: 325 - y * zoom } });
          for (let i = 0; i < 500 && adapter.filling; i++) flushFrames();
          expect(adapter.filling).toBe(false);
          const filledAt = fake.now;
          const batching = () => (cy as unknown as { batching(): boolean }).batching();
          let frames = 0;
          while (batching() && frames < 1000) {
            flushFrames();
            frames++;
          }
          expect(batching()).toBe(false);
          // Held no longer than the bound (plus the frame that notices it, and one element).
          expect(fake.now - filledAt).toBeLessThanOrEqual(HAND_OVER_MAX_MS + 16 + 16 + 1);
          // Finite work is all done before the draw is let go, unless the bound came first.
          if (
            Number.isFinite(work) &&
            layers.dequeued() > 0 &&
            fake.now - filledAt < HAND_OVER_MAX_MS
          ) {
            expect(layers.dequeued()).toBeGreaterThanOrEqual(work);
          }
          adapter.destroy();
          vi.restoreAllMocks();
          clock = undefined;
        },
      ),
      { numRuns: 30 },
    );
  });
});
