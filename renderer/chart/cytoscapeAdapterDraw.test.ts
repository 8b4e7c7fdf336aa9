/**
 * The adapter's use of Cytoscape's canvas renderer internals (prepareDraw, prepareLayers): what
 * each asks of them, and that a renderer without them (a headless Core, another version) is left
 * alone. And the pacer's weight of a slice.
 */
import cytoscape from 'cytoscape';
import type { CollectionReturnValue, Core } from 'cytoscape';
import { describe, expect, it, vi } from 'vitest';
import { prepareDraw, prepareLayers, sliceWeight } from './cytoscapeAdapter.ts';
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

  it('leaves a renderer without those internals alone', () => {
    for (const renderer of [undefined, {}, { data: { lyrTxrCache: {} } }]) {
      expect(() => prepareLayers(coreWith(renderer))).not.toThrow();
    }
    expect(() => prepareLayers(cytoscape({ headless: true }))).not.toThrow();
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
