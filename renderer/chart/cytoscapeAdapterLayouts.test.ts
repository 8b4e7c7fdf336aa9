import cytoscape from 'cytoscape';
import type { Core } from 'cytoscape';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BuiltInLayoutName } from './cytoscapeAdapterLayouts.ts';
import { layoutInputOf, layoutOptions, runCytoscapeLayout } from './cytoscapeAdapterLayouts.ts';
import { handleLayoutRequest } from './layout/layoutWorker.ts';

const LAYOUTS: BuiltInLayoutName[] = ['cose', 'breadthfirst', 'concentric', 'grid'];

interface GraphSpec {
  readonly sizes: number[];
  readonly edges: [number, number][];
  /** Nodes put into one group box (compound parent). */
  readonly grouped: number[];
}

/**
 * A stand-in for the live graph: sizes, borders and a group's padding come from a style sheet as
 * on screen, and the drawing area is 900 × 500 with a panned, zoomed extent.
 */
function liveGraph(spec: GraphSpec): Core {
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    style: [
      { selector: 'node', style: { width: 'data(size)', height: 'data(size)', 'border-width': 2 } },
      { selector: 'node:parent', style: { padding: '16px', 'border-width': 1 } },
    ],
  });
  cy.width = () => 900;
  cy.height = () => 500;
  cy.extent = () => ({ x1: -300, y1: -100, x2: 600, y2: 400, w: 900, h: 500 });
  const group = spec.grouped.length > 0;
  cy.add([
    ...(group ? [{ group: 'nodes' as const, data: { id: 'g' } }] : []),
    ...spec.sizes.map((size, i) => ({
      group: 'nodes' as const,
      data: { id: `n${i}`, size, ...(spec.grouped.includes(i) ? { parent: 'g' } : {}) },
      position: { x: (i * 37) % 400, y: (i * 53) % 300 },
    })),
    ...spec.edges.map(([s, t], i) => ({
      group: 'edges' as const,
      data: { id: `e${i}`, source: `n${s}`, target: `n${t}` },
    })),
  ]);
  return cy;
}

function leafPositions(cy: Core): Record<string, { x: number; y: number }> {
  const result: Record<string, { x: number; y: number }> = {};
  cy.nodes()
    .filter((node) => !node.isParent())
    .forEach((node) => {
      result[node.id()] = { ...node.position() };
    });
  return result;
}

function workerPositions(
  cy: Core,
  name: BuiltInLayoutName,
): Record<string, { x: number; y: number }> {
  // Through structured cloning, as the input travels to the worker.
  const { ids, positions } = runCytoscapeLayout(structuredClone(layoutInputOf(cy, name)));
  return Object.fromEntries(
    ids.map((id, i) => [id, { x: positions[2 * i]!, y: positions[2 * i + 1]! }]),
  );
}

const graphSpec: fc.Arbitrary<GraphSpec> = fc
  .array(fc.integer({ min: 10, max: 90 }), { minLength: 1, maxLength: 14 })
  .chain((sizes) =>
    fc.record({
      sizes: fc.constant(sizes),
      edges: fc.array(fc.tuple(fc.nat(sizes.length - 1), fc.nat(sizes.length - 1)), {
        maxLength: 20,
      }),
      grouped: fc.uniqueArray(fc.nat(sizes.length - 1), { maxLength: 4 }),
    }),
  );

describe('Cytoscape layouts on a copy of the graph (the layout worker)', () => {
  for (const name of LAYOUTS) {
    it(`${name}: places every node where the layout on the live graph would`, () => {
      fc.assert(
        fc.property(graphSpec, (spec) => {
          const live = liveGraph(spec);
          const fromWorker = workerPositions(live, name);
          live.layout(layoutOptions(name)).run();
          const expected = leafPositions(live);
          expect(Object.keys(fromWorker).sort()).toEqual(Object.keys(expected).sort());
          for (const [id, at] of Object.entries(expected)) {
            expect(fromWorker[id]!.x).toBeCloseTo(at.x, 6);
            expect(fromWorker[id]!.y).toBeCloseTo(at.y, 6);
          }
          live.destroy();
        }),
        { numRuns: 15 },
      );
    });
  }

  it('leaves the live graph untouched while the copy is laid out', () => {
    const live = liveGraph({ sizes: [20, 30, 40], edges: [[0, 1]], grouped: [] });
    const before = leafPositions(live);
    workerPositions(live, 'cose');
    expect(leafPositions(live)).toEqual(before);
  });

  it('is answered by the layout worker with a transferable positions buffer', () => {
    const live = liveGraph({ sizes: [20, 30], edges: [[0, 1]], grouped: [] });
    const response = handleLayoutRequest({ kind: 'cytoscape', input: layoutInputOf(live, 'grid') });
    expect(response.kind).toBe('cytoscape');
    expect(response.positions).toBeInstanceOf(Float64Array);
    expect(response.positions).toHaveLength(4);
  });
});
