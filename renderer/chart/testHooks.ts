/**
 * End-to-end test hook: with `window.__TESSERA_TEST__ = true` (set by the test in an init script)
 * or localStorage `tessera.testHooks` = "1", the mounted chart exposes `window.__tesseraChart`
 * so Playwright can find where nodes are drawn. Nothing is exposed otherwise.
 */
import type { Point } from './chartGeometry.ts';
import type { ChartAdapter, NodeStyleInfo } from './cytoscapeAdapter.ts';

export interface ChartTestHook {
  readonly chartId: string;
  /** Centre of the node in viewport (client) pixels: what page.mouse.move() expects. */
  nodePosition(entityId: string): Point | undefined;
  nodeIds(): string[];
  /** Midpoint of an edge in viewport (client) pixels. */
  edgeMidpoint(edgeId: string): Point | undefined;
  /**
   * Centres of the nodes Cytoscape holds and draws now (client pixels): the ones a drag can grab.
   * A huge chart holds only its window, so this is at most that window, not the whole chart.
   */
  drawnNodePositions(): { id: string; x: number; y: number }[];
  /** The point of the view farthest from every drawn node (client pixels): a drag there pans. */
  backgroundPoint(): Point | undefined;
  /** The label drawn on a node. */
  label(entityId: string): string | undefined;
  edgeLabel(edgeId: string): string | undefined;
  /** Pairs of drawn labels that overlap on screen (Cytoscape's own label bounds). */
  labelOverlaps(): number;
  zoomTo(level: number): void;
  /** Nodes and edges whose labels the level of detail draws now. */
  labelsShown(): string[];
  /** Lays the labels out now (the chart does it a moment after the view settles). */
  layoutLabels(): void;
  edgeIds(): string[];
  /** Model positions by entity id. */
  positions(): Record<string, Point>;
  fit(): void;
  /** What is drawn for a node: size and colour data, drawn width, classes. */
  nodeStyle(entityId: string): NodeStyleInfo | undefined;
  /** Nodes and edges highlighted by the analysis panel (a path). */
  highlighted(): { nodes: string[]; edges: string[] };
  /**
   * Whether the performance settings are in use, and whether the
   * overview bitmap stands in for Cytoscape's drawing at the current zoom.
   */
  renderInfo(): {
    big: boolean;
    overview: boolean;
    nodes: number;
    edges: number;
    /** Nodes Cytoscape holds: all, or for a huge chart the window on screen (none zoomed out). */
    heldNodes: number;
    /** Whether a huge chart's window change is still going in, a slice a frame. */
    filling: boolean;
    /** How long the worker took to paint the latest overview bitmap (huge charts only). */
    overviewPaintMs?: number;
  };
  /** Resolves after a frame with the current elements is drawn (by Cytoscape or the overview). */
  afterRender(): Promise<void>;
  zoom(): number;
}

declare global {
  interface Window {
    __TESSERA_TEST__?: boolean;
    __tesseraChart?: ChartTestHook;
  }
}

export function testHooksEnabled(): boolean {
  if (window.__TESSERA_TEST__ === true) return true;
  try {
    return window.localStorage.getItem('tessera.testHooks') === '1';
  } catch {
    return false;
  }
}

/** Installs the hook for this chart; returns the uninstaller. */
export function installChartTestHook(chartId: string, adapter: ChartAdapter): () => void {
  if (!testHooksEnabled()) return () => undefined;
  const hook: ChartTestHook = {
    chartId,
    nodePosition(entityId) {
      const rendered = adapter.renderedPosition(entityId);
      const rect = adapter.containerRect();
      if (!rendered || !rect) return undefined;
      return { x: rect.left + rendered.x, y: rect.top + rendered.y };
    },
    nodeIds: () => adapter.nodeIds(),
    drawnNodePositions() {
      const rect = adapter.containerRect();
      if (!rect || adapter.overviewActive) return [];
      return adapter
        .renderedNodeCircles()
        .map(({ id, x, y }) => ({ id, x: rect.left + x, y: rect.top + y }));
    },
    edgeMidpoint(edgeId) {
      const rendered = adapter.renderedEdgeMidpoint(edgeId);
      const rect = adapter.containerRect();
      if (!rendered || !rect) return undefined;
      return { x: rect.left + rendered.x, y: rect.top + rendered.y };
    },
    backgroundPoint() {
      const rect = adapter.containerRect();
      if (!rect) return undefined;
      const circles = adapter.renderedNodeCircles();
      let best: Point | undefined;
      let bestClearance = -Infinity;
      // A 24 × 16 grid of candidates, away from the view's border.
      for (let i = 1; i < 24; i++) {
        for (let j = 1; j < 16; j++) {
          const x = (rect.width * i) / 24;
          const y = (rect.height * j) / 16;
          let clearance = Infinity;
          for (const circle of circles) {
            clearance = Math.min(clearance, Math.hypot(circle.x - x, circle.y - y) - circle.radius);
          }
          if (clearance > bestClearance) {
            bestClearance = clearance;
            best = { x: rect.left + x, y: rect.top + y };
          }
        }
      }
      return best;
    },
    label: (entityId) => adapter.heldLabel(entityId),
    labelsShown: () => adapter.labelsShown(),
    edgeLabel: (edgeId) => adapter.heldEdgeLabel(edgeId),
    labelOverlaps: () => adapter.labelOverlaps(),
    zoomTo: (level) => adapter.zoomTo(level),
    layoutLabels: () => adapter.layoutLabels(),
    edgeIds: () => adapter.edgeIds(),
    positions: () => adapter.positions(),
    fit: () => adapter.fit(),
    nodeStyle: (entityId) => adapter.heldNodeStyle(entityId),
    highlighted: () => adapter.heldWithClass('analysis-path'),
    renderInfo: () => {
      const counts = adapter.counts();
      return {
        big: adapter.big,
        overview: adapter.overviewActive,
        nodes: counts.nodes,
        edges: counts.edges,
        heldNodes: counts.heldNodes,
        filling: adapter.filling,
        ...(adapter.overviewPaintMs !== undefined
          ? { overviewPaintMs: adapter.overviewPaintMs }
          : {}),
      };
    },
    afterRender: () => adapter.afterRender(),
    zoom: () => adapter.zoom(),
  };
  window.__tesseraChart = hook;
  return () => {
    if (window.__tesseraChart === hook) delete window.__tesseraChart;
  };
}

/**
 * Runs `work` and, with test hooks on, records its duration as the performance measure
 * `chart:NAME` (benchmarks read them to say where a slow first render spends its time).
 */
export function timed<T>(name: string, work: () => T): T {
  if (!testHooksEnabled()) return work();
  const start = performance.now();
  try {
    return work();
  } finally {
    performance.measure(`chart:${name}`, { start, end: performance.now() });
  }
}
