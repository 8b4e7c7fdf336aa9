import { useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent, Ref } from 'react';
import type { ChartRecord, EntityRecord } from '../../shared/model/index.ts';
import { useAppServices, useRepository } from '../core/context.ts';
import { nodesMovedBetween } from '../db/chartNodes.ts';
import type { Point } from './chartGeometry.ts';
import { movedNodes } from './chartGeometry.ts';
import type { ChartLayoutName, ChartViewModel } from './chartModel.ts';
import {
  BIG_CHART_ELEMENTS,
  buildChartElements,
  EMPTY_VIEW_MODEL,
  linkCount,
  withNodeViews,
} from './chartModel.ts';
import { buildCombinedChartElements } from './combinedElements.ts';
import type { ChartOverlay } from './chartOverlay.ts';
import {
  applyOverlay,
  entityNodeCount,
  overlayChangesView,
  overlayTouchesLinks,
} from './chartOverlay.ts';
import { ChartAdapter } from './cytoscapeAdapter.ts';
import type { LinkWidthBy } from './parallelLinks.ts';
import { combineParallelLinks, isBundleId, toggleBundle } from './parallelLinks.ts';
import { schemaLabel } from './chartModel.ts';
import { isPropertyEdgeId, propertyEdgeHolder } from './propertyEdges.ts';
import { installChartTestHook, timed } from './testHooks.ts';
import { useChartTheme } from './useChartTheme.ts';
import { useLinkGesture } from './useLinkGesture.ts';
import '../core/common.css';
import './chart.css';
import { errorMessage } from '../../shared/base/errors.ts';

/** What the toolbar can ask of the view. */
export interface ChartViewHandle {
  fit(): void;
  /** Runs the layout, then saves the positions and the layout name to the chart. */
  runLayout(name: ChartLayoutName): Promise<void>;
  exportPng(): Blob | undefined;
  exportSvg(): string | undefined;
  /** What the chart draws now (after filters and combined links): the export's legend reads it. */
  drawn(): ChartViewModel;
  /** The canvas colours, for the export frame. */
  colors(): { bg: string; fg: string; edge: string };
  /** Model coordinates of the centre of the visible area. */
  viewportCenter(): Point | undefined;
}

export interface ChartViewProps {
  readonly caseId: string;
  readonly chartId: string;
  /**
   * The chart (the panel's live copy, from useCharts), or undefined while it loads: read once for
   * the panel and the view, not once each.
   */
  readonly chart: ChartRecord | undefined;
  /** The case's live entities and relationships (from useEntities). */
  readonly entities: readonly EntityRecord[];
  readonly selectedId?: string | undefined;
  onSelect: (entityId: string | undefined) => void;
  /** Double-click on the background: `position` is in chart (model) coordinates. */
  onRequestNewEntity: (position: Point) => void;
  /** A relationship was drawn from `sourceId` to `targetId`; the parent opens the dialog. */
  onLinkRequest: (sourceId: string, targetId: string) => void;
  /** Delete or Backspace with an element selected. */
  onDeleteRequest?: (entityId: string) => void;
  /** While on, dragging from a node draws a link instead of moving it (Shift does the same). */
  readonly linkMode?: boolean;
  /** Filters, formatting, grouping and highlights drawn over the saved chart. */
  readonly overlay?: ChartOverlay;
  /**
   * "Combine parallel links": relationships of one type between the same two entities are drawn
   * as one link (double-click expands it, double-click on a single link collapses its pair).
   * Defaults to combined, widths by count.
   */
  readonly combineLinks?: boolean;
  readonly linkWidthBy?: LinkWidthBy;
  /** Called when the chart crosses BIG_CHART_ELEMENTS (performance settings on or off). */
  onBigChange?: (big: boolean) => void;
  readonly ref?: Ref<ChartViewHandle>;
}
const SAVE_DELAY_MS = 400;
/**
 * Up to this many moved nodes are written as per-node rows; more (a layout moved everything) is
 * written as the whole chart, which also folds the rows back into the record.
 */
const MOVE_BY_ROWS_MAX = 2_000;
const NO_KEYS: ReadonlySet<string> = new Set();
const NO_ENTITIES: ReadonlyMap<string, EntityRecord> = new Map();

/** The adapter, unless it was destroyed (a new one replaces it when the chart crosses BIG). */
function liveAdapter(adapter: ChartAdapter | undefined): ChartAdapter | undefined {
  return adapter && !adapter.isDestroyed() ? adapter : undefined;
}

export function ChartView(props: ChartViewProps) {
  const { caseId, chartId, entities, selectedId, linkMode = false, overlay, ref } = props;
  const { combineLinks = true, linkWidthBy = 'count' } = props;
  const repository = useRepository();
  const services = useAppServices();
  const chart = props.chart;
  const theme = useChartTheme();
  const loaded = chart !== undefined && chart.id === chartId;
  /** Bundles expanded into their single links, per chart (a new chart starts all combined). */
  const [expanded, setExpanded] = useState<{ chartId: string; keys: ReadonlySet<string> }>({
    chartId,
    keys: new Set(),
  });
  const expandedKeys = expanded.chartId === chartId ? expanded.keys : NO_KEYS;
  const combineOptions = useMemo(
    () => ({ combine: combineLinks, expanded: expandedKeys, widthBy: linkWidthBy }),
    [combineLinks, expandedKeys, linkWidthBy],
  );
  // Links are combined while the view model is built (one pass, no model per call: a million
  // calls), unless the overlay filters, dims or groups by links, which it must see one by one.
  const oneStep = combineLinks && !overlayTouchesLinks(overlay);
  /** The latest build and what it was built from (a saved drag only patches its node models). */
  const builtRef = useRef<{
    readonly inputs: readonly unknown[];
    readonly nodes: ChartRecord['nodes'];
    readonly view: ChartViewModel;
  }>(undefined);
  const baseView = useMemo(() => {
    if (!chart || chart.id !== chartId) return EMPTY_VIEW_MODEL;
    const inputs = [entities, chart.id, oneStep, oneStep ? combineOptions : undefined];
    const built = builtRef.current;
    const moved =
      built && built.inputs.every((input, i) => input === inputs[i])
        ? timed('move', () =>
            withNodeViews(
              built.view,
              built.nodes,
              chart.nodes,
              nodesMovedBetween(built.nodes, chart.nodes),
            ),
          )
        : undefined;
    const view =
      moved ??
      timed('build', () =>
        oneStep
          ? // The case store's records: live, each id once.
            buildCombinedChartElements(entities, chart, combineOptions, schemaLabel, 'store')
          : buildChartElements(entities, chart),
      );
    builtRef.current = { inputs, nodes: chart.nodes, view };
    return view;
    // combineOptions only matter to the one-step build.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [entities, chart, chartId, oneStep, oneStep ? combineOptions : undefined]);
  // Only rules and grouping read the entities behind the nodes (150,000 of them in a big case).
  const needsEntities = overlayChangesView(overlay);
  const byId = useMemo(
    () => (needsEntities ? new Map(entities.map((e) => [e.id, e])) : NO_ENTITIES),
    [entities, needsEntities],
  );
  /** What the overlay makes of the chart: single links, or already combined ones (oneStep). */
  const overlaid = useMemo(
    () => timed('overlay', () => applyOverlay(baseView, byId, overlay)),
    [baseView, byId, overlay],
  );
  const view = useMemo(
    () => (oneStep ? overlaid : combineParallelLinks(overlaid, combineOptions, schemaLabel)),
    [overlaid, oneStep, combineOptions],
  );
  const overlaidRef = useRef(overlaid);
  // The adapter is rebuilt when a chart crosses the threshold: renderer options are fixed at
  // creation. Counted in single links, however they are drawn.
  const relationshipCount = useMemo(() => linkCount(overlaid), [overlaid]);
  const big = baseView.nodes.length + linkCount(baseView) > BIG_CHART_ELEMENTS;

  const wrapperRef = useRef<HTMLDivElement>(null);
  /** Where the adapter draws (a new element when `big` changes: it is keyed). */
  const canvasRef = useRef<HTMLDivElement>(null);
  const overviewRef = useRef<HTMLCanvasElement>(null);
  const adapterRef = useRef<ChartAdapter | undefined>(undefined);
  const [adapterVersion, setAdapterVersion] = useState(0);
  const propsRef = useRef(props);
  const chartRef = useRef(chart);
  /** The chart whose nodes the canvas shows: positions are only ever saved back to it. */
  const appliedChartRef = useRef<string | undefined>(undefined);
  const needsFitRef = useRef(true);
  /** Nodes drawn after the last update (see the update effect). */
  const shownCountRef = useRef(0);
  const saveTimerRef = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pendingLayoutRef = useRef<string | undefined>(undefined);
  /** Nodes dragged since the last save: a drag saves only these (read back, compared, written). */
  const draggedRef = useRef<Set<string>>(new Set());
  useEffect(() => {
    propsRef.current = props;
    chartRef.current = chart;
    overlaidRef.current = overlaid;
  });

  useEffect(() => {
    const container = canvasRef.current;
    if (!container) return undefined;
    const adapter = ChartAdapter.mount(container, big, overviewRef.current ?? undefined);
    adapterRef.current = adapter;
    // Styled before the first elements arrive (the update effect runs before the theme effect
    // sees the new adapter), so a big chart is not styled twice.
    adapter.setTheme(theme);
    needsFitRef.current = true;
    setAdapterVersion((v) => v + 1);
    propsRef.current.onBigChange?.(big);
    return () => {
      adapter.destroy();
      if (adapterRef.current === adapter) adapterRef.current = undefined;
    };
    // The theme is applied by its own effect afterwards; only `big` needs a new Core.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [big]);

  const savePositions = useCallback(async () => {
    const adapter = liveAdapter(adapterRef.current);
    const current = chartRef.current;
    const layout = pendingLayoutRef.current;
    pendingLayoutRef.current = undefined;
    const dragged = draggedRef.current;
    draggedRef.current = new Set();
    if (!adapter || !current || current.deleted || current.id !== appliedChartRef.current) return;
    // A layout moved every node; a drag only the nodes it reported (50,000 read back and compared
    // after every drag of one node held the page for a long frame).
    const positions = layout !== undefined ? adapter.positions() : adapter.positionsOf(dragged);
    const moved = movedNodes(current.nodes, positions);
    const layoutChanged = layout !== undefined && layout !== current.layout;
    if (!moved && !layoutChanged) return;
    try {
      if (moved && !layoutChanged && Object.keys(moved).length <= MOVE_BY_ROWS_MAX) {
        // A drag: only the moved nodes are written (per-node rows), not the whole chart.
        const start = performance.now();
        await repository.moveChartNodes(current, moved);
        performance.measure('chart:drag-commit', { start, end: performance.now() });
      } else {
        await repository.updateChart(current.id, {
          ...(moved ? { nodes: { ...current.nodes, ...moved } } : {}),
          ...(layoutChanged ? { layout } : {}),
        });
      }
    } catch (error) {
      // Not saved: the next save tries these nodes again.
      for (const id of dragged) draggedRef.current.add(id);
      services.notify(`Could not save the chart: ${errorMessage(error)}`, 'error');
    }
  }, [repository, services]);

  const flushSave = useCallback(() => {
    if (saveTimerRef.current === undefined) return;
    clearTimeout(saveTimerRef.current);
    saveTimerRef.current = undefined;
    void savePositions();
  }, [savePositions]);

  const scheduleSave = useCallback(
    (layout?: string) => {
      if (layout !== undefined) pendingLayoutRef.current = layout;
      if (saveTimerRef.current !== undefined) clearTimeout(saveTimerRef.current);
      const save = () => {
        // A node pressed again before the last drag's save is not where it will be let go: read
        // now, its save (an undo step of its own) held a spot the user never left it at. Its
        // release schedules the save again; a press let go without a drag ends the wait here.
        if (
          pendingLayoutRef.current === undefined &&
          liveAdapter(adapterRef.current)?.holdsNode()
        ) {
          saveTimerRef.current = setTimeout(save, SAVE_DELAY_MS);
          return;
        }
        saveTimerRef.current = undefined;
        void savePositions();
      };
      saveTimerRef.current = setTimeout(save, SAVE_DELAY_MS);
    },
    [savePositions],
  );

  // A pending save belongs to the chart being left; write it before the canvas switches.
  useEffect(() => {
    needsFitRef.current = true;
    return flushSave;
  }, [chartId, flushSave]);

  useEffect(() => {
    const adapter = liveAdapter(adapterRef.current);
    if (!adapter) return undefined;
    return adapter.onGestures({
      tap: (targetId) => {
        wrapperRef.current?.focus({ preventScroll: true });
        // A combined link is no entity: selecting it selects no record. A property link selects
        // the entity holding the property (the phone whose owner it shows).
        propsRef.current.onSelect(
          targetId === undefined || isBundleId(targetId)
            ? undefined
            : isPropertyEdgeId(targetId)
              ? propertyEdgeHolder(targetId)
              : targetId,
        );
      },
      edgeDoubleTap: (edgeId) =>
        setExpanded((previous) => {
          const current = previous.chartId === chartId ? previous.keys : NO_KEYS;
          const keys = toggleBundle(current, overlaidRef.current, edgeId);
          return keys === current && previous.chartId === chartId ? previous : { chartId, keys };
        }),
      backgroundDoubleTap: (position) => propsRef.current.onRequestNewEntity(position),
      nodeDragged: (nodeIds) => {
        for (const id of nodeIds) draggedRef.current.add(id);
        scheduleSave();
      },
    });
  }, [adapterVersion, scheduleSave, chartId]);

  useEffect(() => {
    const adapter = liveAdapter(adapterRef.current);
    const wrapper = wrapperRef.current;
    if (!adapter || !wrapper) return undefined;
    const observer = new ResizeObserver(() => adapter.resize());
    observer.observe(wrapper);
    return () => observer.disconnect();
  }, [adapterVersion]);

  useEffect(() => {
    const adapter = liveAdapter(adapterRef.current);
    if (adapter) timed('style', () => adapter.setTheme(theme));
  }, [adapterVersion, theme]);

  useEffect(() => {
    const adapter = liveAdapter(adapterRef.current);
    if (!adapter) return;
    timed('update', () => adapter.update(view));
    appliedChartRef.current = loaded ? chartId : undefined;
    adapter.select(propsRef.current.selectedId);
    // A chart growing from empty (a new case's first entities) is fitted: its first nodes would
    // otherwise sit at the canvas's corner, half outside it.
    const count = view.nodes.length;
    if (loaded && count > shownCountRef.current && shownCountRef.current < 2) {
      needsFitRef.current = true;
    }
    shownCountRef.current = count;
    if (loaded && needsFitRef.current) {
      needsFitRef.current = false;
      timed('fit', () => adapter.fit());
    }
  }, [adapterVersion, view, loaded, chartId]);

  useEffect(() => {
    liveAdapter(adapterRef.current)?.select(selectedId);
  }, [adapterVersion, selectedId]);

  useEffect(() => {
    const adapter = liveAdapter(adapterRef.current);
    return adapter ? installChartTestHook(chartId, adapter) : undefined;
  }, [adapterVersion, chartId]);

  useEffect(
    () => () => {
      if (saveTimerRef.current !== undefined) clearTimeout(saveTimerRef.current);
    },
    [],
  );

  useImperativeHandle(
    ref,
    () => ({
      fit: () => liveAdapter(adapterRef.current)?.fit(),
      runLayout: async (name) => {
        const adapter = liveAdapter(adapterRef.current);
        if (!adapter) return;
        await adapter.runLayout(name);
        scheduleSave(name);
        flushSave();
      },
      exportPng: () => liveAdapter(adapterRef.current)?.exportPng(theme.bg),
      exportSvg: () => liveAdapter(adapterRef.current)?.exportSvg(theme.bg),
      viewportCenter: () => liveAdapter(adapterRef.current)?.viewportCenter(),
      drawn: () => view,
      colors: () => ({ bg: theme.bg, fg: theme.fg, edge: theme.edge }),
    }),
    [scheduleSave, flushSave, theme, view],
  );

  const linkRequest = useCallback(
    (sourceId: string, targetId: string) => propsRef.current.onLinkRequest(sourceId, targetId),
    [],
  );
  const preview = useLinkGesture(wrapperRef, adapterRef, linkMode, linkRequest);

  const onKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget || event.altKey || event.ctrlKey || event.metaKey)
      return;
    if ((event.key === 'Delete' || event.key === 'Backspace') && selectedId !== undefined) {
      event.preventDefault();
      propsRef.current.onDeleteRequest?.(selectedId);
    } else if (event.key === 'f' || event.key === 'F') {
      event.preventDefault();
      liveAdapter(adapterRef.current)?.fit();
    }
  };

  return (
    <div
      ref={wrapperRef}
      className={`chart-view${linkMode ? ' chart-view-link-mode' : ''}`}
      tabIndex={0}
      role="application"
      aria-label="Link chart. Shift-drag from one entity to another to link them; F fits; Delete deletes the selection."
      data-testid="chart-view"
      data-case-id={caseId}
      data-chart-id={chartId}
      data-node-count={entityNodeCount(view)}
      data-edge-count={view.edges.length}
      data-relationship-count={relationshipCount}
      data-big-chart={big ? 'true' : 'false'}
      onKeyDown={onKeyDown}
    >
      <div
        key={big ? 'big' : 'small'}
        ref={canvasRef}
        className="chart-canvas"
        style={{ backgroundColor: theme.bg }}
      />
      <canvas
        ref={overviewRef}
        className="chart-overview"
        data-testid="chart-overview"
        aria-hidden="true"
        hidden
      />
      {preview && (
        <svg className="chart-link-preview" data-testid="chart-link-preview" aria-hidden="true">
          <line x1={preview.from.x} y1={preview.from.y} x2={preview.to.x} y2={preview.to.y} />
        </svg>
      )}
      {loaded && view.nodes.length === 0 && (
        <p className="chart-empty" data-testid="chart-empty">
          This chart is empty. Add entities from the toolbar, or double-click to create one here.
        </p>
      )}
    </div>
  );
}
