/**
 * End-to-end test hook: with `window.__TESSERA_TEST__ = true` (set by the test in an init script)
 * or localStorage `tessera.testHooks` = "1", the mounted chart exposes `window.__tesseraChart`
 * so Playwright can find where nodes are drawn. Nothing is exposed otherwise.
 */
import type { Point } from './chartGeometry.ts';
import type { ChartAdapter } from './cytoscapeAdapter.ts';

export interface ChartTestHook {
  readonly chartId: string;
  /** Centre of the node in viewport (client) pixels: what page.mouse.move() expects. */
  nodePosition(entityId: string): Point | undefined;
  nodeIds(): string[];
  /** The label drawn on a node. */
  label(entityId: string): string | undefined;
  edgeIds(): string[];
  /** Model positions by entity id. */
  positions(): Record<string, Point>;
  fit(): void;
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
      const container = adapter.cy.container();
      if (!rendered || !container) return undefined;
      const rect = container.getBoundingClientRect();
      return { x: rect.left + rendered.x, y: rect.top + rendered.y };
    },
    nodeIds: () => adapter.nodeIds(),
    label: (entityId) => {
      const node = adapter.cy.getElementById(entityId);
      return node.empty() ? undefined : String(node.data('label'));
    },
    edgeIds: () => adapter.edgeIds(),
    positions: () => adapter.positions(),
    fit: () => adapter.fit(),
  };
  window.__tesseraChart = hook;
  return () => {
    if (window.__tesseraChart === hook) delete window.__tesseraChart;
  };
}
