import cytoscape from 'cytoscape';
import { describe, expect, it, vi } from 'vitest';
import type { ChartViewModel } from './chartModel.ts';
import { LIGHT_CHART_THEME } from './chartModel.ts';
import { ChartAdapter } from './cytoscapeAdapter.ts';
import { layoutOptions } from './cytoscapeAdapterLayouts.ts';
import type { CytoscapeLayoutInput } from './cytoscapeAdapterLayouts.ts';
import { handleLayoutRequest } from './layout/layoutWorker.ts';

// cytoscape-svg reads `window` when loaded; SVG export is not what these tests are about.
vi.mock('cytoscape-svg', () => ({ default: () => undefined }));

/** Node has no Worker: the layout "worker" is its handler, called as the runner would call it. */
const sentToWorker: CytoscapeLayoutInput[] = [];
vi.mock('./layout/runLayoutInWorker.ts', () => ({
  runLayoutInWorker: () => Promise.reject(new Error('not used here')),
  runCytoscapeLayoutInWorker: (input: CytoscapeLayoutInput) => {
    sentToWorker.push(input);
    return Promise.resolve(
      handleLayoutRequest({ kind: 'cytoscape', input: structuredClone(input) }),
    );
  },
}));

// A path a - b - c - d.
const VIEW: ChartViewModel = {
  nodes: (
    [
      ['a', 0, 0],
      ['b', 10, 0],
      ['c', 20, 0],
      ['d', 30, 5],
    ] as const
  ).map(([id, x, y]) => ({ id, label: id, schema: 'Person', iconKey: 'Person', x, y })),
  edges: ['ab', 'bc', 'cd'].map((id) => ({
    id,
    source: id[0]!,
    target: id[1]!,
    schema: 'Associate',
    label: '',
    directed: false,
  })),
};

function headlessAdapter(): { adapter: ChartAdapter; layoutCalls: () => number } {
  const cy = cytoscape({ headless: true, styleEnabled: true });
  const layout = vi.spyOn(cy, 'layout');
  const adapter = new ChartAdapter(cy);
  adapter.setTheme(LIGHT_CHART_THEME);
  adapter.update(VIEW);
  return { adapter, layoutCalls: () => layout.mock.calls.length };
}

describe('ChartAdapter layouts', () => {
  for (const name of ['cose', 'breadthfirst', 'concentric', 'grid'] as const) {
    it(`${name} computes in the layout worker, never on the live graph`, async () => {
      sentToWorker.length = 0;
      const { adapter, layoutCalls } = headlessAdapter();
      const reference = cytoscape({ headless: true, styleEnabled: true });
      const referenceAdapter = new ChartAdapter(reference);
      referenceAdapter.setTheme(LIGHT_CHART_THEME);
      referenceAdapter.update(VIEW);
      // What the same layout does when run on the live graph, as the adapter used to.
      reference.layout(layoutOptions(name)).run();
      const expected = referenceAdapter.positions();

      const positions = await adapter.runLayout(name);

      expect(layoutCalls()).toBe(0);
      expect(sentToWorker.map((input) => input.name)).toEqual([name]);
      for (const [id, at] of Object.entries(expected)) {
        expect(positions[id]!.x).toBeCloseTo(at.x, 6);
        expect(positions[id]!.y).toBeCloseTo(at.y, 6);
      }
      adapter.destroy();
      referenceAdapter.destroy();
    });
  }

  it('owns its Core: destroy() destroys it', () => {
    const { adapter } = headlessAdapter();
    expect(adapter.isDestroyed()).toBe(false);
    adapter.destroy();
    expect(adapter.isDestroyed()).toBe(true);
  });
});

describe('ChartAdapter drags', () => {
  it('reports which nodes a drag moved, and reads back only those', () => {
    const cy = cytoscape({ headless: true, styleEnabled: true });
    const adapter = new ChartAdapter(cy);
    adapter.setTheme(LIGHT_CHART_THEME);
    adapter.update(VIEW);
    const dragged: (readonly string[])[] = [];
    const stop = adapter.onGestures({
      tap: () => undefined,
      backgroundDoubleTap: () => undefined,
      nodeDragged: (ids) => dragged.push(ids),
    });
    cy.getElementById('b').position({ x: 12, y: 40 });
    cy.getElementById('b').emit('dragfree');

    expect(dragged).toEqual([['b']]);
    expect(adapter.positionsOf(dragged.flat())).toEqual({ b: { x: 12, y: 40 } });
    // Ids the chart does not show are left out.
    expect(adapter.positionsOf(['b', 'nowhere'])).toEqual({ b: { x: 12, y: 40 } });
    stop();
    adapter.destroy();
  });

  it('leaves a dragged node where it was dropped when its save comes back rounded', () => {
    const cy = cytoscape({ headless: true, styleEnabled: true });
    const adapter = new ChartAdapter(cy);
    adapter.setTheme(LIGHT_CHART_THEME);
    adapter.update(VIEW);
    const b = cy.getElementById('b');
    b.position({ x: 12.04, y: 39.96 });
    const moves: string[] = [];
    cy.on('position', 'node', (event) => moves.push((event.target as { id(): string }).id()));
    const saved = (x: number, y: number): ChartViewModel => ({
      nodes: VIEW.nodes.map((node) => (node.id === 'b' ? { ...node, x, y } : node)),
      edges: VIEW.edges,
    });
    // The save, rounded to 0.1: moving the node by that would redraw everything held.
    adapter.update(saved(12, 40));
    expect(moves).toEqual([]);
    expect(b.position()).toEqual({ x: 12.04, y: 39.96 });
    // A real move (an undo, another window) still moves it.
    adapter.update(saved(30, 40));
    expect(moves).toEqual(['b']);
    expect(b.position()).toEqual({ x: 30, y: 40 });
    adapter.destroy();
  });

  it('reports a group with its members (they move with it)', () => {
    const cy = cytoscape({ headless: true, styleEnabled: true });
    const adapter = new ChartAdapter(cy);
    adapter.setTheme(LIGHT_CHART_THEME);
    adapter.update({
      nodes: [
        { id: 'g', label: 'Group', schema: 'Group', iconKey: 'Thing', x: 0, y: 0 },
        ...VIEW.nodes.map((node) => (node.id === 'a' ? node : { ...node, parent: 'g' })),
      ],
      edges: VIEW.edges,
    });
    const dragged: (readonly string[])[] = [];
    adapter.onGestures({
      tap: () => undefined,
      backgroundDoubleTap: () => undefined,
      nodeDragged: (ids) => dragged.push(ids),
    });
    cy.getElementById('g').emit('dragfree');
    expect([...dragged[0]!].sort()).toEqual(['b', 'c', 'd', 'g']);
    adapter.destroy();
  });
});

describe('ChartAdapter updates', () => {
  /** A row of `count` nodes, each linked to the next. */
  function row(count: number): ChartViewModel {
    const nodes = Array.from({ length: count }, (_, i) => ({
      id: `n${i}`,
      label: `n${i}`,
      schema: 'Person',
      iconKey: 'Person',
      x: i * 50,
      y: 0,
    }));
    const edges = nodes.slice(1).map((node, i) => ({
      id: `e${i}`,
      source: `n${i}`,
      target: node.id,
      schema: 'Associate',
      label: '',
      directed: false,
    }));
    return { nodes, edges };
  }

  it('removes what left the view in one call per kind, not one per element', () => {
    const cy = cytoscape({ headless: true, styleEnabled: true });
    const adapter = new ChartAdapter(cy);
    adapter.setTheme(LIGHT_CHART_THEME);
    const whole = row(300);
    adapter.update(whole);
    // What a huge chart's window does when it moves: most elements leave, a few stay.
    const kept: ChartViewModel = {
      nodes: whole.nodes.slice(0, 10),
      edges: [...whole.edges.slice(0, 9), whole.edges[200]!].filter(
        (edge) => Number(edge.target.slice(1)) < 10,
      ),
    };
    const remove = vi.spyOn(
      Object.getPrototypeOf(cy.collection()) as { remove(): unknown },
      'remove',
    );
    adapter.update(kept);

    expect(remove.mock.calls.length).toBeLessThanOrEqual(2);
    expect(
      cy
        .nodes()
        .map((node) => node.id())
        .sort(),
    ).toEqual(kept.nodes.map((node) => node.id).sort());
    expect(
      cy
        .edges()
        .map((edge) => edge.id())
        .sort(),
    ).toEqual(kept.edges.map((edge) => edge.id).sort());
    remove.mockRestore();
    adapter.destroy();
  });

  it('replaces an edge whose ends changed and keeps groups’ members when the group stays', () => {
    const cy = cytoscape({ headless: true, styleEnabled: true });
    const adapter = new ChartAdapter(cy);
    adapter.setTheme(LIGHT_CHART_THEME);
    adapter.update(VIEW);
    adapter.update({
      nodes: [
        { id: 'g', label: 'Group', schema: 'Group', iconKey: 'Thing', x: 0, y: 0 },
        ...VIEW.nodes
          .filter((node) => node.id !== 'd')
          .map((node) => (node.id === 'a' ? node : { ...node, parent: 'g' })),
      ],
      edges: [{ ...VIEW.edges[0]!, target: 'c' }, VIEW.edges[1]!],
    });
    expect(
      cy
        .nodes()
        .map((node) => node.id())
        .sort(),
    ).toEqual(['a', 'b', 'c', 'g']);
    expect(cy.getElementById('ab').target().id()).toBe('c');
    expect(cy.getElementById('cd').empty()).toBe(true);
    expect(cy.getElementById('b').parent().first().id()).toBe('g');
    adapter.destroy();
  });
});
