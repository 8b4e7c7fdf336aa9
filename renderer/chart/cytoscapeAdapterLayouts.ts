/**
 * Cytoscape's own layouts (cose, breadthfirst, concentric, grid), run off the UI thread: part of
 * the adapter (cytoscapeAdapter.ts), the one place that talks to Cytoscape. A cose layout of a
 * couple of thousand nodes takes seconds, and a layout run on the live graph would freeze the page
 * for all of it (issue 9). So:
 *
 * 1. On the UI thread, `layoutInputOf` reads from the live graph what a layout reads from it: the
 *    nodes in graph order with their parent, position and the size the layout will use for them
 *    (label included, so it must be measured where the labels are drawn), the edges, and the size
 *    and visible extent of the drawing area. This is one pass over the elements.
 * 2. In the layout worker, `runCytoscapeLayout` rebuilds that graph in a headless Cytoscape whose
 *    nodes have exactly those sizes and whose area has that size and extent, runs the same layout
 *    with the same options, and returns the new positions; the adapter then moves the nodes.
 *
 * The result is the one the live graph would get, node for node (layoutInput.test.ts checks this),
 * with one exception: a group box is sized from its children and padding, not its caption.
 */
import cytoscape from 'cytoscape';
import type { Core, LayoutOptions, NodeSingular } from 'cytoscape';
import type { ChartLayoutName } from './chartModel.ts';

/** Layouts Cytoscape runs itself; 'force-fast' runs the multilevel force layout instead. */
export type BuiltInLayoutName = Exclude<ChartLayoutName, 'force-fast'>;

/** The options each layout runs with, on the live graph and on the worker's copy alike. */
export function layoutOptions(name: BuiltInLayoutName): LayoutOptions {
  // The adapter fits afterwards with a zoom cap; a layout's own fit zooms small charts too far in.
  const common = { fit: false, animate: false } as const;
  switch (name) {
    case 'cose':
      return {
        ...common,
        name,
        randomize: false,
        nodeRepulsion: () => 400_000,
        idealEdgeLength: () => 100,
        componentSpacing: 120,
        nodeDimensionsIncludeLabels: true,
      };
    case 'breadthfirst':
      return {
        ...common,
        name,
        directed: true,
        spacingFactor: 1.2,
        nodeDimensionsIncludeLabels: true,
      };
    case 'concentric':
      return {
        ...common,
        name,
        minNodeSpacing: 50,
        nodeDimensionsIncludeLabels: true,
        concentric: (n: NodeSingular) => n.degree(false),
      };
    case 'grid':
      return { ...common, name, avoidOverlap: true, nodeDimensionsIncludeLabels: true };
  }
}

export interface LayoutInputNode {
  readonly id: string;
  readonly parent?: string;
  readonly x: number;
  readonly y: number;
  /** What the layout takes as the node's size (`layoutDimensions`, label included). */
  readonly w: number;
  readonly h: number;
  /** A group box's padding and border, which Cytoscape adds around its children. */
  readonly padding?: number;
  readonly border?: number;
}

/** Everything a built-in layout reads from the graph, as plain data for the worker. */
export interface CytoscapeLayoutInput {
  readonly name: BuiltInLayoutName;
  readonly nodes: readonly LayoutInputNode[];
  readonly edges: readonly {
    readonly id: string;
    readonly source: string;
    readonly target: string;
  }[];
  /** The drawing area's size and visible extent (model coordinates), as the layouts read them. */
  readonly width: number;
  readonly height: number;
  readonly extent: {
    readonly x1: number;
    readonly y1: number;
    readonly x2: number;
    readonly y2: number;
  };
}

/** New positions of the input's nodes that are not groups (a group box follows its children). */
export interface CytoscapeLayoutResult {
  readonly ids: string[];
  /** Interleaved [x0, y0, x1, y1, …], in the order of `ids`. */
  readonly positions: Float64Array;
}

/** UI thread: reads the live graph for a layout (see the overview at the top). */
export function layoutInputOf(cy: Core, name: BuiltInLayoutName): CytoscapeLayoutInput {
  // Every layout here counts labels in a node's size (see layoutOptions).
  const options = { nodeDimensionsIncludeLabels: true };
  const nodes: LayoutInputNode[] = [];
  cy.nodes().forEach((node) => {
    const { w, h } = node.layoutDimensions(options);
    const { x, y } = node.position();
    const parent = node.parent();
    nodes.push({
      id: node.id(),
      ...(parent.nonempty() ? { parent: parent.first().id() } : {}),
      x,
      y,
      w,
      h,
      ...(node.isParent()
        ? {
            padding: parseFloat(String(node.style('padding'))) || 0,
            border: parseFloat(String(node.style('border-width'))) || 0,
          }
        : {}),
    });
  });
  const edges = cy.edges().map((edge) => ({
    id: edge.id(),
    source: edge.source().id(),
    target: edge.target().id(),
  }));
  const { x1, y1, x2, y2 } = cy.extent();
  return { name, nodes, edges, width: cy.width(), height: cy.height(), extent: { x1, y1, x2, y2 } };
}

/**
 * Node sizes come from the input, so nothing here depends on labels or fonts: a node is a
 * rectangle with no border or padding whose bounding box (what the layouts measure, with a
 * margin Cytoscape adds for antialiasing) is exactly the measured size. A group box is sized by
 * Cytoscape from its children, with the live graph's padding and border.
 */
const HEADLESS_STYLE = [
  {
    selector: 'node',
    style: {
      shape: 'rectangle',
      width: 'data(bodyW)',
      height: 'data(bodyH)',
      'border-width': 0,
      padding: 0,
    },
  },
  { selector: 'node:parent', style: { padding: 'data(padding)', 'border-width': 'data(border)' } },
];

/** What Cytoscape adds around a node's body in its bounding box (1 px a side for antialiasing). */
function boundingBoxMargin(cy: Core): number {
  const probe = cy.add({ group: 'nodes', data: { id: 'probe', bodyW: 10, bodyH: 10 } });
  const margin = probe.boundingBox({}).w - 10;
  cy.remove(probe);
  return margin;
}

/** Worker: runs the layout on a headless copy of the graph and returns the new positions. */
export function runCytoscapeLayout(input: CytoscapeLayoutInput): CytoscapeLayoutResult {
  const cy = cytoscape({ headless: true, styleEnabled: true, style: HEADLESS_STYLE });
  // A headless Core measures its area as 1 × 1; the layouts centre, pack components and bound
  // themselves by the real area's size and extent, so the Core reports those instead.
  cy.width = () => input.width;
  cy.height = () => input.height;
  cy.extent = () => ({
    ...input.extent,
    w: input.extent.x2 - input.extent.x1,
    h: input.extent.y2 - input.extent.y1,
  });
  const margin = boundingBoxMargin(cy);
  cy.add([
    ...input.nodes.map((node) => ({
      group: 'nodes' as const,
      data: {
        id: node.id,
        bodyW: Math.max(0, node.w - margin),
        bodyH: Math.max(0, node.h - margin),
        padding: node.padding ?? 0,
        border: node.border ?? 0,
        ...(node.parent !== undefined ? { parent: node.parent } : {}),
      },
      position: { x: node.x, y: node.y },
    })),
    ...input.edges.map((edge) => ({ group: 'edges' as const, data: { ...edge } })),
  ]);
  // No labels are measured here: the sizes taken from the live graph include them.
  cy.layout(layoutOptions(input.name)).run();
  const placed = cy.nodes().filter((node) => !node.isParent());
  const ids: string[] = [];
  const positions = new Float64Array(placed.length * 2);
  placed.forEach((node, index) => {
    const { x, y } = node.position();
    ids.push(node.id());
    positions[2 * index] = x;
    positions[2 * index + 1] = y;
  });
  cy.destroy();
  return { ids, positions };
}
