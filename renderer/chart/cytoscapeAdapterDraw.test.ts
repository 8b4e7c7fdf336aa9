/**
 * The adapter's use of Cytoscape's canvas renderer internals (prepareDraw, prepareLayers): what
 * each asks of them, and that a renderer without them (a headless Core, another version) is left
 * alone. And the pacer's weight of a slice.
 */
import cytoscape from 'cytoscape';
import type { CollectionReturnValue, Core } from 'cytoscape';
import { describe, expect, it, vi } from 'vitest';
import {
  buildLayers,
  prepareDraw,
  prepareLayers,
  queueLayers,
  sliceWeight,
} from './cytoscapeAdapter.ts';
import { diffViewModels } from './elementDiff.ts';
import { EMPTY_VIEW_MODEL } from './chartModel.ts';

vi.mock('cytoscape-svg', () => ({ default: () => undefined }));

function coreWith(renderer: unknown): Core {
  const cy = cytoscape({ headless: true, styleEnabled: true });
  cy.add([
    { group: 'nodes', data: { id: 'a' } },
    { group: 'nodes', data: { id: 'b' } },
    { group: 'nodes', data: { id: 'c' } },
    { group: 'edges', data: { id: 'ab', source: 'a', target: 'b' } },
  ]);
  (cy as unknown as { renderer: () => unknown }).renderer = () => renderer;
  return cy;
}

describe('prepareDraw', () => {
  it("runs Cytoscape's queue once and makes each added node's bitmap, no edge's", () => {
    const flushRenderedStyleQueue = vi.fn();
    const getElement = vi.fn();
    const cy = coreWith({
      flushRenderedStyleQueue,
      getPixelRatio: () => 1.0001,
      data: {
        eleTxrCache: { getBoundingBox: (ele: { id(): string }) => `box ${ele.id()}`, getElement },
      },
    });
    prepareDraw(cy, cy.$('#a, #b, #ab'));
    expect(flushRenderedStyleQueue).toHaveBeenCalledTimes(1);
    expect(
      getElement.mock.calls.map((call: unknown[]) => [
        (call[0] as { id(): string }).id(),
        call[1],
        call[2],
      ]),
    ).toEqual([
      ['a', 'box a', 1.0001],
      ['b', 'box b', 1.0001],
    ]);
  });

  it('leaves a renderer without those internals alone', () => {
    for (const renderer of [undefined, {}, { flushRenderedStyleQueue: vi.fn() }, { data: {} }]) {
      const cy = coreWith(renderer);
      expect(() => prepareDraw(cy, cy.nodes() as unknown as CollectionReturnValue)).not.toThrow();
    }
    const headless = cytoscape({ headless: true, styleEnabled: true });
    headless.add({ group: 'nodes', data: { id: 'x' } });
    expect(() =>
      prepareDraw(headless, headless.nodes() as unknown as CollectionReturnValue),
    ).not.toThrow();
  });
});

describe('prepareLayers', () => {
  it("asks for the layers of the node layer's elements at the drawing pixel ratio", () => {
    const getLayers = vi.fn();
    const nondrag = ['sorted'];
    const cy = coreWith({
      getPixelRatio: () => 2,
      getCachedZSortedEles: () => ({ nondrag }),
      data: { lyrTxrCache: { getLayers } },
    });
    prepareLayers(cy);
    expect(getLayers).toHaveBeenCalledWith(nondrag, 2);
  });

  it("decides Cytoscape's skip again by its own rule: set within 250 ms of a change, else clear", () => {
    // The flag as the last draw left it: a drag's release draw comes within 250 ms of its change.
    const layers = { getLayers: vi.fn(), skipping: true, lastInvalidationTime: 1000 };
    const cy = coreWith({
      getPixelRatio: () => 1,
      getCachedZSortedEles: () => ({ nondrag: [] }),
      data: { lyrTxrCache: layers },
    });
    const seen: boolean[] = [];
    layers.getLayers.mockImplementation(() => seen.push(layers.skipping));
    prepareLayers(cy, 1200);
    prepareLayers(cy, 1300);
    layers.lastInvalidationTime = 1290;
    prepareLayers(cy, 1400);
    expect(seen).toEqual([true, false, true]);
    // Without the time of the last change the flag is Cytoscape's alone.
    const untimed = { getLayers: vi.fn(), skipping: true };
    prepareLayers(
      coreWith({
        getPixelRatio: () => 1,
        getCachedZSortedEles: () => ({ nondrag: [] }),
        data: { lyrTxrCache: untimed },
      }),
      1e9,
    );
    expect(untimed.skipping).toBe(true);
  });

  it('leaves a renderer without those internals alone', () => {
    for (const renderer of [undefined, {}, { data: { lyrTxrCache: {} } }]) {
      expect(() => prepareLayers(coreWith(renderer))).not.toThrow();
    }
    expect(() => prepareLayers(cytoscape({ headless: true }))).not.toThrow();
  });
});

describe('queueLayers and buildLayers', () => {
  function layerCache(work: number) {
    let left = 0;
    const cache = {
      skipping: true,
      lastInvalidationTime: 5,
      layersQueue: { size: () => left },
      // Cytoscape queues nothing while it is skipping (an element changed within 250 ms).
      getLayers: vi.fn(() => {
        if (!cache.skipping) left = work;
        return null;
      }),
      dequeue: vi.fn(() => {
        left = Math.max(0, left - 1);
        return [];
      }),
    };
    return cache;
  }

  it("queues the layers past Cytoscape's skip, then builds them to the end and marks them current", () => {
    const cache = layerCache(3);
    const nondrag = ['sorted'];
    const cy = coreWith({
      getPixelRatio: () => 2,
      getCachedZSortedEles: () => ({ nondrag }),
      data: { lyrTxrCache: cache },
    });
    expect(queueLayers(cy)).toBe(true);
    expect(cache.getLayers).toHaveBeenCalledWith(nondrag, 2);
    expect(buildLayers(cy, performance.now() + 1000)).toBe(true);
    expect(cache.dequeue).toHaveBeenCalledTimes(3);
    expect(cache.dequeue).toHaveBeenCalledWith(2);
    // The next draw must not skip the layers just built.
    expect(performance.now() - cache.lastInvalidationTime).toBeGreaterThan(250);
  });

  it('stops at its time bound, having moved on at least one element, and marks nothing', () => {
    const cache = layerCache(5);
    const cy = coreWith({
      getPixelRatio: () => 1,
      getCachedZSortedEles: () => ({ nondrag: [] }),
      data: { lyrTxrCache: cache },
    });
    queueLayers(cy);
    expect(buildLayers(cy, 0)).toBe(false);
    expect(cache.dequeue).toHaveBeenCalledTimes(1);
    expect(cache.lastInvalidationTime).toBe(5);
  });

  it('says there is nothing to build when nothing was queued (complete, or no layers at this zoom)', () => {
    const cache = layerCache(0);
    const cy = coreWith({
      getPixelRatio: () => 1,
      getCachedZSortedEles: () => ({ nondrag: [] }),
      data: { lyrTxrCache: cache },
    });
    expect(queueLayers(cy)).toBe(false);
  });

  it('leaves a renderer without those internals alone', () => {
    const partial = { getLayers: vi.fn(), skipping: false };
    for (const renderer of [undefined, {}, { data: { lyrTxrCache: partial } }]) {
      expect(queueLayers(coreWith(renderer))).toBe(false);
      expect(buildLayers(coreWith(renderer), 0)).toBe(true);
    }
    expect(partial.getLayers).not.toHaveBeenCalled();
    expect(queueLayers(cytoscape({ headless: true }))).toBe(false);
    expect(buildLayers(cytoscape({ headless: true }), 0)).toBe(true);
  });
});

describe('sliceWeight', () => {
  it('counts additions whole and removals at a quarter', () => {
    const node = (id: string) => ({
      id,
      label: id,
      schema: 'Person',
      iconKey: 'Person',
      x: 0,
      y: 0,
    });
    const patch = diffViewModels(EMPTY_VIEW_MODEL, { nodes: [node('a'), node('b')], edges: [] });
    expect(sliceWeight(patch)).toBe(2);
    expect(sliceWeight({ ...patch, addNodes: [], removeNodes: ['x', 'y', 'z', 'w'] })).toBe(1);
  });
});
