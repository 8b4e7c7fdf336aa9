/**
 * The only code that talks to Cytoscape. The chart components hand it view models and themes; it
 * patches the live graph by diff (see elementDiff.ts), reads positions back, runs the built-in
 * layouts and exports images. react-cytoscapejs owns the Core's lifetime (create on mount,
 * destroy on unmount); the adapter attaches to whichever Core it is given.
 */
import cytoscape from 'cytoscape';
import type { Core, LayoutOptions, NodeSingular } from 'cytoscape';
import cytoscapeSvg from 'cytoscape-svg';
import type { Point, HitCircle } from './chartGeometry.ts';
import type { ChartLayoutName, ChartTheme, ChartViewModel } from './chartModel.ts';
import { buildChartStylesheet, EMPTY_VIEW_MODEL, edgeElement, nodeElement } from './chartModel.ts';
import type { ElementPatch } from './elementDiff.ts';
import { diffViewModels, isEmptyPatch } from './elementDiff.ts';

declare module 'cytoscape' {
  interface Core {
    /** From cytoscape-svg: the graph as SVG markup. */
    svg(options?: { full?: boolean; scale?: number; bg?: string }): string;
  }
}

let extensionsRegistered = false;

/** cytoscape.use() warns when an extension registers twice, so it happens once per page. */
export function registerCytoscapeExtensions(): void {
  if (extensionsRegistered) return;
  cytoscape.use(cytoscapeSvg);
  extensionsRegistered = true;
}

export function layoutOptions(name: ChartLayoutName): LayoutOptions {
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

export class ChartAdapter {
  private applied: ChartViewModel = EMPTY_VIEW_MODEL;

  constructor(readonly cy: Core) {
    registerCytoscapeExtensions();
  }

  setTheme(theme: ChartTheme): void {
    this.cy.style(buildChartStylesheet(theme));
  }

  /** Patches the graph to show `view`; returns what changed. */
  update(view: ChartViewModel): ElementPatch {
    const patch = diffViewModels(this.applied, view);
    this.applied = view;
    if (isEmptyPatch(patch)) return patch;
    const cy = this.cy;
    cy.batch(() => {
      for (const id of [...patch.removeEdges, ...patch.removeNodes]) cy.getElementById(id).remove();
      if (patch.addNodes.length > 0) cy.add(patch.addNodes.map(nodeElement));
      for (const node of patch.updateNodes) {
        const ele = cy.getElementById(node.id);
        const data = nodeElement(node).data;
        if (node.color === undefined) ele.removeData('color');
        if (node.size === undefined) ele.removeData('size');
        ele.data(data);
      }
      for (const node of patch.moveNodes)
        cy.getElementById(node.id).position({ x: node.x, y: node.y });
      if (patch.addEdges.length > 0) cy.add(patch.addEdges.map(edgeElement));
      for (const edge of patch.updateEdges) {
        const ele = cy.getElementById(edge.id);
        ele.data('label', edge.label);
        ele.data('schema', edge.schema);
        ele.classes(edge.directed ? 'directed' : '');
      }
    });
    return patch;
  }

  /** Model positions of every node, by entity id. */
  positions(): Record<string, Point> {
    const result: Record<string, Point> = {};
    this.cy.nodes().forEach((node) => {
      const { x, y } = node.position();
      result[node.id()] = { x, y };
    });
    return result;
  }

  /** Runs a built-in layout to completion and returns the new positions. */
  async runLayout(name: ChartLayoutName): Promise<Record<string, Point>> {
    if (this.cy.nodes().length === 0) return {};
    const layout = this.cy.layout(layoutOptions(name));
    const stopped = layout.promiseOn('layoutstop');
    layout.run();
    await stopped;
    this.fit();
    return this.positions();
  }

  /** Call when the container changed size: Cytoscape only notices window resizes itself. */
  resize(): void {
    this.cy.resize();
  }

  fit(): void {
    if (this.cy.nodes().length === 0) return;
    this.cy.fit(undefined, 40);
    if (this.cy.zoom() > 1.5) this.cy.zoom({ level: 1.5, position: this.viewportCenter() });
  }

  /** Model coordinates of the visible area's centre (where new entities go). */
  viewportCenter(): Point {
    const extent = this.cy.extent();
    return { x: (extent.x1 + extent.x2) / 2, y: (extent.y1 + extent.y2) / 2 };
  }

  /** Makes the Cytoscape selection match the app's: exactly `id`, or nothing. */
  select(id: string | undefined): void {
    const cy = this.cy;
    cy.batch(() => {
      cy.$(':selected').forEach((ele) => {
        if (ele.id() !== id) ele.unselect();
      });
      if (id !== undefined) {
        const ele = cy.getElementById(id);
        if (ele.nonempty() && !ele.selected()) ele.select();
      }
    });
  }

  /** Node discs in container pixels, for hit-testing the pointer. */
  renderedNodeCircles(): HitCircle[] {
    return this.cy.nodes().map((node) => {
      const { x, y } = node.renderedPosition();
      return { id: node.id(), x, y, radius: node.renderedOuterWidth() / 2 };
    });
  }

  renderedPosition(id: string): Point | undefined {
    const node = this.cy.getElementById(id);
    return node.nonempty() && node.isNode() ? node.renderedPosition() : undefined;
  }

  setClass(id: string | undefined, className: string): void {
    this.cy.$(`.${className}`).removeClass(className);
    if (id !== undefined) this.cy.getElementById(id).addClass(className);
  }

  exportPng(bg: string): Blob {
    return this.cy.png({ output: 'blob', full: true, scale: 2, bg });
  }

  exportSvg(bg: string): string {
    return this.cy.svg({ full: true, scale: 1, bg });
  }

  nodeIds(): string[] {
    return this.cy.nodes().map((n) => n.id());
  }

  edgeIds(): string[] {
    return this.cy.edges().map((e) => e.id());
  }

  /** Forgets what was applied; the Core itself is destroyed by its owner. */
  destroy(): void {
    this.applied = EMPTY_VIEW_MODEL;
  }
}
