import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import type { EntityRecord } from '../../shared/model/index.ts';
import { captionOf, isEdgeSchema } from '../../shared/model/index.ts';
import { useAppServices, useRepository } from '../core/context.ts';
import { Dialog } from '../core/Dialog.tsx';
import { AnalysisPanel } from '../analysis/index.ts';
import { nodeKeysOf } from '../db/chartNodes.ts';
import { useCase, useCharts } from '../db/queries.ts';
import { AddToChart } from './AddToChart.tsx';
import type { Point } from './chartGeometry.ts';
import { exportFileName, placeNewNodes } from './chartGeometry.ts';
import { placementOrder } from './overview/activityOrder.ts';
import type { ChartLayoutName } from './chartModel.ts';
import { CHART_LAYOUTS, entitiesNotOnChart } from './chartModel.ts';
import { buildCombinedChartElements } from './combinedElements.ts';
import { ChartLegend } from './ChartLegend.tsx';
import type { ChartHighlight } from '../../shared/model/chartGraph.ts';
import type { ChartGrouping, ChartOverlay } from './chartOverlay.ts';
import { typeCounts } from './chartOverlay.ts';
import { useEarlyOverview } from './overview/useEarlyOverview.ts';
import { useChartRules } from './useChartRules.ts';
import { ChartPicker } from './ChartPicker.tsx';
import { MenuItem, MenuSeparator, ToolbarMenu } from './ToolbarMenu.tsx';
import type { ChartViewHandle } from './ChartView.tsx';
import { ChartView } from './ChartView.tsx';
import type { LinkWidthBy } from './parallelLinks.ts';
import type { ExportFrame } from './chartExport.ts';
import { exportBanner, exportLegend, framedPng, framedSvg } from './chartExport.ts';
import '../core/common.css';
import './chart.css';
import { errorMessage } from '../../shared/base/errors.ts';
import {
  CASE_CHART_IMPORT_LIMIT,
  CASE_CHART_NAME,
  caseChartNodes,
  caseChartOf,
} from '../../shared/model/caseChart.ts';

export interface ChartPanelProps {
  readonly caseId: string;
  /** The case's live entities and relationships (useEntities(caseId)). */
  readonly entities: readonly EntityRecord[];
  readonly selectedId?: string | undefined;
  onSelect: (entityId: string | undefined) => void;
  /** Double-click on the background; add the new entity with addEntityToChart(…, chartId, id, position). */
  onRequestNewEntity: (position: Point, chartId: string) => void;
  /** A relationship was drawn between two entities: open the relationship dialog. */
  onLinkRequest: (sourceId: string, targetId: string) => void;
  /** When given, Delete and "Delete entity" call it instead of the panel's own confirmation. */
  onDeleteRequest?: (entityId: string) => void;
  /** The chart to show first (else the first chart of the case). */
  readonly initialChartId?: string;
  /**
   * Time-range filter (from the timeline): when given, only these entities and relationships
   * are drawn; a relationship also needs both ends drawn.
   */
  readonly visibleEntityIds?: ReadonlySet<string>;
  /**
   * When given, the Export menu offers "Report…" (test id `chart-export-report`) and calls it with
   * the chart shown (the reports feature opens its dialog for that chart).
   */
  onReport?: (chartId: string) => void;
}

/** Layouts too slow for big charts (fCoSE-style layouts take minutes at 5,000 nodes). */
const SLOW_LAYOUTS = new Set(['cose', 'breadthfirst', 'concentric']);
/** The adapter exports PNGs at twice the chart's size (cytoscapeAdapter.ts exportPng). */
const PNG_EXPORT_SCALE = 2;
const COMBINE_KEY = 'tessera.chartCombineLinks';
const WIDTH_KEY = 'tessera.chartLinkWidthBy';

type Confirm = { readonly kind: 'entity' | 'chart'; readonly id: string; readonly name: string };

function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function ChartPanel(props: ChartPanelProps) {
  const { caseId, entities, selectedId, onSelect, onDeleteRequest } = props;
  const repository = useRepository();
  const services = useAppServices();
  const allCharts = useCharts(caseId);
  const caseRecord = useCase(caseId);
  const charts = useMemo(() => (allCharts ?? []).filter((c) => !c.deleted), [allCharts]);
  const [pickedId, setPickedId] = useState(props.initialChartId);
  const [linkMode, setLinkMode] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<Confirm>();
  const viewRef = useRef<ChartViewHandle>(null);
  const [side, setSide] = useState<'analysis' | 'legend'>();
  const [big, setBig] = useState(false);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [grouping, setGrouping] = useState<ChartGrouping>('none');
  // Combined unless the user turned it off (remembered on this machine: a switch, not case content,
  // so localStorage is fine; the formatting rules are content and live in the encrypted store).
  const [combineLinks, setCombineLinks] = useState(
    () => localStorage.getItem(COMBINE_KEY) !== 'off',
  );
  const [linkWidthBy, setLinkWidthBy] = useState<LinkWidthBy>(() =>
    localStorage.getItem(WIDTH_KEY) === 'sum' ? 'sum' : 'count',
  );
  const [highlight, setHighlight] = useState<ChartHighlight>();

  const chart = charts.find((c) => c.id === pickedId) ?? charts[0];
  const { rules, setRules } = useChartRules(caseId, chart?.id);
  useEffect(() => setHighlight(undefined), [chart?.id]);
  const { visibleEntityIds } = props;
  const overlay = useMemo<ChartOverlay>(
    () => ({
      hiddenSchemata: hidden,
      grouping,
      rules,
      ...(highlight ? { highlight } : {}),
      ...(visibleEntityIds ? { visibleEntityIds } : {}),
    }),
    [hidden, grouping, rules, highlight, visibleEntityIds],
  );
  const types = useMemo(
    // The one-pass combined model: a million calls counted without an edge model per call.
    () =>
      side === 'legend' && chart
        ? typeCounts(
            buildCombinedChartElements(entities, chart, { combine: true }, undefined, 'store'),
          )
        : [],
    [side, chart, entities],
  );
  // The Add menu's list walks every record of the case (150,000 in the 50k chart's case, ~0.1 s
  // on the loaded machine): made from a deferred copy of the chart, after the render that starts
  // a huge chart's first paint (issue 13), not before it; and keyed on which entities the chart
  // holds, not on where, so a saved drag (a new node map with the same keys) does not redo it.
  const addableChart = useDeferredValue(chart, undefined);
  const nodeKeys = addableChart ? nodeKeysOf(addableChart.nodes) : undefined;
  const candidates = useMemo(
    () => (nodeKeys ? entitiesNotOnChart(entities, { nodes: nodeKeys }) : []),
    [entities, nodeKeys],
  );
  const { holdView, bodyRef } = useEarlyOverview(entities, allCharts, chart, combineLinks, overlay);
  const selected = entities.find((e) => e.id === selectedId && !e.deleted);
  const selectedOnChart =
    selected !== undefined && chart !== undefined && selected.id in chart.nodes;

  const guard = async (action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      services.notify(errorMessage(error), 'error');
    }
  };

  const addToChart = (requested: readonly string[]) => {
    // The Add menu's list may lag the chart by a render (it is deferred): never re-place a node.
    const ids = chart ? requested.filter((id) => !(id in chart.nodes)) : [];
    if (!chart || ids.length === 0) return;
    const anchor = viewRef.current?.viewportCenter() ?? { x: 0, y: 0 };
    // A crowd is placed busiest first, so the busy phones of a call case sit in the middle.
    const placed = placeNewNodes(Object.values(chart.nodes), placementOrder(entities, ids), anchor);
    void guard(() => repository.updateChart(chart.id, { nodes: { ...chart.nodes, ...placed } }));
  };

  const removeFromChart = (id: string) => {
    if (!chart || !(id in chart.nodes)) return;
    const nodes = { ...chart.nodes };
    delete nodes[id];
    void guard(() => repository.updateChart(chart.id, { nodes }));
    onSelect(undefined);
  };

  const requestDelete = (id: string) => {
    if (onDeleteRequest) {
      onDeleteRequest(id);
      return;
    }
    const entity = entities.find((e) => e.id === id);
    if (entity)
      setConfirm({ kind: 'entity', id, name: captionOf(entity.schema, entity.properties) });
  };

  const confirmed = async (target: Confirm) => {
    setConfirm(undefined);
    if (target.kind === 'entity') {
      await guard(() => repository.deleteEntity(target.id));
      if (selectedId === target.id) onSelect(undefined);
    } else {
      await guard(() => repository.deleteChart(target.id));
      setPickedId(undefined);
    }
  };

  const runLayout = async (name: ChartLayoutName) => {
    setBusy(true);
    try {
      await viewRef.current?.runLayout(name);
    } finally {
      setBusy(false);
    }
  };

  const exportImage = async (format: 'png' | 'svg') => {
    const view = viewRef.current;
    if (!chart || !view) return;
    try {
      const svg = format === 'svg' ? view.exportSvg() : undefined;
      const png = format === 'png' ? view.exportPng() : undefined;
      if (svg === undefined && png === undefined) {
        // A huge chart exports its overview, which a worker may still be painting.
        services.notify('The chart is still being drawn; export it again in a moment.', 'error');
        return;
      }
      // Every exported image carries its markings, the case reference and a legend.
      const drawn = view.drawn();
      const byId = new Map(entities.map((e) => [e.id, e]));
      const drawnRecords = [
        ...drawn.nodes.map((n) => n.id),
        ...drawn.edges.flatMap((e) => e.members ?? [e.id]),
      ]
        .map((id) => byId.get(id))
        .filter((e): e is EntityRecord => e !== undefined);
      const colors = view.colors();
      const frame: ExportFrame = {
        banner: exportBanner(caseRecord, drawnRecords),
        caption: [caseRecord?.reference, caseRecord?.title, `Chart: ${chart.name}`]
          .filter(Boolean)
          .join(' · '),
        legend: exportLegend(drawn, colors.edge),
        colors,
      };
      const blob =
        svg !== undefined
          ? new Blob([framedSvg(svg, frame)], { type: 'image/svg+xml' })
          : await framedPng(png!, frame, PNG_EXPORT_SCALE);
      download(blob, exportFileName(chart.name, format));
    } catch (error) {
      services.notify(`Export failed: ${errorMessage(error)}`, 'error');
    }
  };

  const picker = (
    <ChartPicker
      charts={charts}
      chartId={chart?.id}
      caseChartId={caseChartOf(charts)?.id}
      onPick={setPickedId}
      onCreate={async (name) => {
        const created = await repository.createChart(caseId, name);
        setPickedId(created.id);
      }}
      onRename={async (id, name) => {
        await repository.updateChart(id, { name });
      }}
      onDelete={(id) => {
        const target = charts.find((c) => c.id === id);
        if (target) setConfirm({ kind: 'chart', id, name: target.name });
      }}
    />
  );

  const selectionIsLink = selected !== undefined && isEdgeSchema(selected.schema);
  return (
    <section className="view-panel chart-panel" aria-label="Link chart" data-testid="chart-panel">
      {/* One row at 1366 px (issue 12): actions grouped into menus, every one still reachable. */}
      <div className="view-toolbar chart-toolbar" role="toolbar" aria-label="Chart tools">
        {picker}
        {chart && (
          <>
            <span className="chart-toolbar-rule" aria-hidden="true" />
            <AddToChart
              candidates={candidates}
              onAdd={addToChart}
              onAddAll={() => addToChart(candidates.map((c) => c.id))}
            />
            <button
              type="button"
              aria-pressed={linkMode}
              data-testid="chart-link-mode"
              title="Drag from one entity to another to link them (or hold Shift while dragging)"
              onClick={() => setLinkMode((v) => !v)}
            >
              Link mode
            </button>
            <ToolbarMenu label="Layout" testId="chart-layout-menu" title="Arrange the chart">
              {CHART_LAYOUTS.map((layout) => (
                <MenuItem
                  key={layout.name}
                  testId={`chart-layout-${layout.name}`}
                  radio
                  checked={chart.layout === layout.name}
                  disabled={busy || (big && SLOW_LAYOUTS.has(layout.name))}
                  title={
                    big && SLOW_LAYOUTS.has(layout.name)
                      ? 'Too slow for a chart this big: use Force (fast)'
                      : undefined
                  }
                  onSelect={() => void runLayout(layout.name)}
                >
                  {layout.label}
                </MenuItem>
              ))}
            </ToolbarMenu>
            <ToolbarMenu label="View" testId="chart-view-menu" title="Fit, parallel links">
              <MenuItem testId="chart-fit" onSelect={() => viewRef.current?.fit()}>
                Fit to window <kbd>F</kbd>
              </MenuItem>
              <MenuSeparator />
              <MenuItem
                testId="chart-combine-links"
                checked={combineLinks}
                keepOpen
                title="One link per pair and type, with count, total and dates (double-click a link to expand or collapse it)"
                onSelect={() => {
                  const next = !combineLinks;
                  setCombineLinks(next);
                  localStorage.setItem(COMBINE_KEY, next ? 'on' : 'off');
                }}
              >
                Combine parallel links
              </MenuItem>
              <label className="chart-menu-field">
                <span>Link width by</span>
                <select
                  data-testid="chart-link-width"
                  value={linkWidthBy}
                  disabled={!combineLinks}
                  onChange={(event) => {
                    const next: LinkWidthBy = event.target.value === 'sum' ? 'sum' : 'count';
                    setLinkWidthBy(next);
                    localStorage.setItem(WIDTH_KEY, next);
                  }}
                >
                  <option value="count">count</option>
                  <option value="sum">sum</option>
                </select>
              </label>
            </ToolbarMenu>
            <button
              type="button"
              aria-pressed={side === 'legend'}
              data-testid="chart-legend-toggle"
              title="Types shown, grouping and formatting rules"
              onClick={() => setSide((v) => (v === 'legend' ? undefined : 'legend'))}
            >
              Legend
            </button>
            <button
              type="button"
              aria-pressed={side === 'analysis'}
              data-testid="chart-analysis-toggle"
              title="Paths, centrality and neighbours"
              onClick={() => setSide((v) => (v === 'analysis' ? undefined : 'analysis'))}
            >
              Analysis
            </button>
            <ToolbarMenu label="Export" testId="chart-export-menu" title="Images of the chart">
              <MenuItem testId="chart-export-png" onSelect={() => void exportImage('png')}>
                PNG image
              </MenuItem>
              <MenuItem testId="chart-export-svg" onSelect={() => void exportImage('svg')}>
                SVG image
              </MenuItem>
              {props.onReport && (
                <>
                  <MenuSeparator />
                  <MenuItem
                    testId="chart-export-report"
                    onSelect={() => props.onReport?.(chart.id)}
                  >
                    Report…
                  </MenuItem>
                </>
              )}
            </ToolbarMenu>
            {/* Always rendered (disabled when empty) so selecting does not reflow the toolbar. */}
            <div className="chart-group chart-selection" role="group" aria-label="Selection">
              <button
                type="button"
                disabled={!selectedOnChart || selectionIsLink}
                data-testid="chart-remove-selected"
                title="Remove the selected entity from this chart (it stays in the case)"
                onClick={() => selected && removeFromChart(selected.id)}
              >
                Remove
              </button>
              <button
                type="button"
                className="chart-danger"
                disabled={selected === undefined}
                data-testid="chart-delete-selected"
                title={
                  selectionIsLink
                    ? 'Delete the selected relationship from the case'
                    : 'Delete the selected entity from the case'
                }
                onClick={() => selected && requestDelete(selected.id)}
              >
                Delete
              </button>
            </div>
          </>
        )}
      </div>
      {chart ? (
        <div className="chart-body" ref={bodyRef}>
          {!holdView && (
            <ChartView
              ref={viewRef}
              caseId={caseId}
              chartId={chart.id}
              chart={chart}
              entities={entities}
              selectedId={selectedId}
              onSelect={onSelect}
              onRequestNewEntity={(position) => props.onRequestNewEntity(position, chart.id)}
              onLinkRequest={props.onLinkRequest}
              onDeleteRequest={requestDelete}
              linkMode={linkMode}
              overlay={overlay}
              combineLinks={combineLinks}
              linkWidthBy={linkWidthBy}
              onBigChange={setBig}
            />
          )}
          {side === 'legend' && (
            <ChartLegend
              types={types}
              hidden={hidden}
              onToggleType={(schema) =>
                setHidden((prev) => {
                  const next = new Set(prev);
                  if (!next.delete(schema)) next.add(schema);
                  return next;
                })
              }
              grouping={grouping}
              onGrouping={setGrouping}
              rules={rules}
              onRules={setRules}
            />
          )}
          {side === 'analysis' && (
            <AnalysisPanel
              entities={entities}
              chart={chart}
              selectedId={selectedId}
              onSelect={onSelect}
              onHighlight={setHighlight}
              onAddToChart={addToChart}
              onClose={() => setSide(undefined)}
            />
          )}
        </div>
      ) : (
        <div className="chart-none" data-testid="chart-none">
          {allCharts === undefined ? (
            <p>Loading charts…</p>
          ) : (
            <>
              <p>This case has no chart yet.</p>
              <button
                type="button"
                className="primary"
                data-testid="chart-make-case-chart"
                onClick={() =>
                  void guard(async () => {
                    // Every node entity on a grid, unless there are too many to read (caseChart.ts).
                    const nodes = caseChartNodes(entities) ?? {};
                    const created = await repository.createChart(caseId, CASE_CHART_NAME, nodes);
                    setPickedId(created.id);
                  })
                }
              >
                Make the case chart
              </button>
              <p className="muted">
                It shows the case’s entities (up to {CASE_CHART_IMPORT_LIMIT}), and new ones appear
                on it.
              </p>
            </>
          )}
        </div>
      )}
      {confirm && (
        <Dialog
          title={confirm.kind === 'entity' ? 'Delete entity' : 'Delete chart'}
          onClose={() => setConfirm(undefined)}
        >
          <p>
            {confirm.kind === 'entity'
              ? `Delete “${confirm.name}” from the case? Its relationships are deleted too; other charts lose it as well.`
              : `Delete the chart “${confirm.name}”? The entities stay in the case.`}
          </p>
          <div className="view-buttons chart-confirm-actions">
            <button type="button" onClick={() => setConfirm(undefined)}>
              Cancel
            </button>
            <button
              type="button"
              className="chart-danger"
              data-testid="chart-confirm-delete"
              onClick={() => void confirmed(confirm)}
            >
              Delete
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
