import { useEffect, useMemo, useRef, useState } from 'react';
import type { AnalysisRequest, AnalysisResult } from '../../shared/analysis/index.ts';
import type { ChartRecord, EntityRecord } from '../../shared/model/index.ts';
import { useAppServices, useRepository } from '../core/context.ts';
import type { ChartHighlight } from '../../shared/model/chartGraph.ts';
import type { AnalysisScope, ResultRow, ScopedGraph } from './analysisModel.ts';
import {
  betweennessEstimateNote,
  betweennessSampleChoices,
  entityLabels,
  groupColors,
  groupRows,
  scaleSizes,
  scopedGraph,
  usesLinkWeight,
  valueRows,
  withNodeStyle,
} from './analysisModel.ts';
import { WorkerCallError } from '../platform/workerRunner.ts';
import { runAnalysisInWorker } from './analysisClient.ts';
import { PathTools } from './PathTools.tsx';
import { ResultsTable } from './ResultsTable.tsx';
import './analysis.css';
import { errorMessage } from '../../shared/base/errors.ts';

export interface AnalysisPanelProps {
  /** The case's live entities and relationships. */
  readonly entities: readonly EntityRecord[];
  /** The chart results are drawn on (sizes and colours are saved to it). */
  readonly chart: ChartRecord;
  readonly selectedId?: string | undefined;
  onSelect: (entityId: string) => void;
  /** Nodes and edges to highlight on the chart (a path), or undefined to clear. */
  onHighlight: (highlight: ChartHighlight | undefined) => void;
  onAddToChart: (ids: readonly string[]) => void;
  onClose: () => void;
}

const MEASURES = [
  { value: 'degree', label: 'Degree centrality' },
  { value: 'betweenness', label: 'Betweenness centrality' },
  { value: 'closeness', label: 'Closeness centrality' },
  { value: 'eigenvector', label: 'Eigenvector centrality' },
  { value: 'pagerank', label: 'PageRank' },
  { value: 'mostConnected', label: 'Most connected (top 20)' },
  { value: 'communities', label: 'Communities (Louvain)' },
  { value: 'components', label: 'Connected components' },
] as const;
type MeasureChoice = (typeof MEASURES)[number]['value'];

interface Shown {
  readonly measure: MeasureChoice;
  readonly rows: ResultRow[];
  readonly result: AnalysisResult;
  readonly summary: string;
  /** Set when betweenness was estimated from a sample of sources. */
  readonly estimate?: string;
}

/** The graphs the measures run on, in the order the radio buttons offer them. */
const SCOPES: readonly (readonly [AnalysisScope, string])[] = [
  ['chart', 'This chart'],
  ['case', 'Whole case'],
];

export function AnalysisPanel(props: AnalysisPanelProps) {
  const { entities, chart, selectedId, onSelect, onHighlight } = props;
  const repository = useRepository();
  const { notify } = useAppServices();
  const [scope, setScope] = useState<AnalysisScope>('chart');
  const [measure, setMeasure] = useState<MeasureChoice>('betweenness');
  const [busy, setBusy] = useState(false);
  /** Sources sampled for approximate betweenness; undefined runs the exact measure. */
  const [sample, setSample] = useState<number>();
  const [shown, setShown] = useState<Shown>();
  const abortRef = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => abortRef.current?.abort(), []);

  const labels = useMemo(() => entityLabels(entities), [entities]);
  const graph = useMemo(() => scopedGraph(entities, chart, scope), [entities, chart, scope]);
  const caseGraph = useMemo(() => scopedGraph(entities, undefined, 'case'), [entities]);
  const onChart = useMemo(() => new Set(Object.keys(chart.nodes)), [chart.nodes]);
  const nodeCount = graph.input.nodes?.length ?? 0;
  const sampleChoices = betweennessSampleChoices(nodeCount);
  // A sample chosen on a bigger scope is dropped where it would cover every node.
  const usedSample =
    measure === 'betweenness' && sample !== undefined && sample < nodeCount ? sample : undefined;

  const run = async (
    request: Omit<AnalysisRequest, 'graph'>,
    on: ScopedGraph,
  ): Promise<AnalysisResult | undefined> => {
    abortRef.current?.abort();
    const controller = new AbortController();
    abortRef.current = controller;
    setBusy(true);
    try {
      const { result } = await runAnalysisInWorker(
        { weighted: usesLinkWeight(request.measure), ...request, graph: on.input },
        controller.signal,
      );
      return result;
    } catch (error) {
      if (!(error instanceof WorkerCallError && error.code === 'cancelled'))
        notify(`Analysis failed: ${errorMessage(error)}`, 'error');
      return undefined;
    } finally {
      if (abortRef.current === controller) {
        abortRef.current = undefined;
        setBusy(false);
      }
    }
  };

  const runMeasure = async () => {
    const started = performance.now();
    const k = usedSample;
    const result = await run(
      { measure, limit: 20, ...(k === undefined ? {} : { sample: k }) },
      graph,
    );
    if (!result) return;
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    let rows: ResultRow[] = [];
    let summary = '';
    if (result.kind === 'values') {
      rows = valueRows(result.values, labels);
      summary = `${rows.length} entities`;
    } else if (result.kind === 'ranking') {
      rows = valueRows(Object.fromEntries(result.nodes.map((n) => [n.id, n.degree])), labels);
      summary = `Top ${rows.length} by number of relationships`;
    } else if (result.kind === 'groups') {
      rows = groupRows(result.groups, labels);
      summary = `${result.groups.length} ${result.measure === 'communities' ? 'communities' : 'components'}`;
      if (result.measure === 'communities')
        summary += `, modularity ${result.modularity.toFixed(3)}`;
    }
    setShown({
      measure,
      rows,
      result,
      summary: `${summary} · ${seconds} s`,
      ...(k === undefined ? {} : { estimate: betweennessEstimateNote(k, nodeCount) }),
    });
  };

  const saveNodes = async (
    property: 'size' | 'color',
    styles?: Record<string, number | string>,
  ) => {
    const nodes = withNodeStyle(chart.nodes, property, styles);
    if (!nodes) return;
    try {
      await repository.updateChart(chart.id, { nodes });
    } catch (error) {
      notify(errorMessage(error), 'error');
    }
  };

  const result = shown?.result;
  const canSize = result?.kind === 'values' || result?.kind === 'ranking';
  const canColour = result?.kind === 'groups';
  const valueLabel =
    result?.kind === 'groups'
      ? result.measure === 'communities'
        ? 'Community'
        : 'Component'
      : result?.kind === 'ranking'
        ? 'Relationships'
        : 'Value';
  const hasSizes = Object.values(chart.nodes).some((n) => n.size !== undefined);
  const hasColours = Object.values(chart.nodes).some((n) => n.color !== undefined);

  return (
    <aside className="analysis-panel" aria-label="Analysis" data-testid="analysis-panel">
      <header className="analysis-header">
        <h2>Analysis</h2>
        <button type="button" aria-label="Close analysis" onClick={props.onClose}>
          ×
        </button>
      </header>
      <section className="analysis-section" aria-label="Measures">
        <fieldset className="analysis-scope">
          <legend>Run on</legend>
          {SCOPES.map(([value, label]) => (
            <label key={value}>
              <input
                type="radio"
                name="analysis-scope"
                checked={scope === value}
                onChange={() => setScope(value)}
                data-testid={`analysis-scope-${value}`}
              />
              {label}
            </label>
          ))}
        </fieldset>
        <p className="analysis-note">
          {graph.input.nodes?.length ?? 0} entities, {graph.input.edges.length} relationships
        </p>
        <p className="analysis-note" data-testid="analysis-weight-note">
          Parallel relationships (say 22 calls between two phones) count as one link weighing 22 in
          eigenvector, PageRank and communities; degree, betweenness, closeness and paths count
          links and hops.
        </p>
        <div className="analysis-row-actions">
          <label className="analysis-inline">
            Measure
            <select
              value={measure}
              onChange={(e) => setMeasure(e.target.value as MeasureChoice)}
              data-testid="analysis-measure"
            >
              {MEASURES.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
          {measure === 'betweenness' && sampleChoices.length > 0 && (
            <label className="analysis-inline">
              Sources
              <select
                value={usedSample ?? 'all'}
                onChange={(e) =>
                  setSample(e.target.value === 'all' ? undefined : Number(e.target.value))
                }
                data-testid="analysis-sample"
              >
                <option value="all">All (exact)</option>
                {sampleChoices.map((k) => (
                  <option key={k} value={k}>
                    {k} sampled (estimate)
                  </option>
                ))}
              </select>
            </label>
          )}
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void runMeasure()}
            data-testid="analysis-run"
          >
            {busy ? 'Running…' : 'Run'}
          </button>
          {busy && (
            <button
              type="button"
              onClick={() => abortRef.current?.abort()}
              data-testid="analysis-cancel"
            >
              Cancel
            </button>
          )}
        </div>
        {shown && (
          <>
            <p className="analysis-note" data-testid="analysis-summary">
              {MEASURES.find((m) => m.value === shown.measure)?.label}: {shown.summary}
            </p>
            {shown.estimate && (
              <p className="analysis-note" data-testid="analysis-estimate-note">
                {shown.estimate}
              </p>
            )}
            <div className="analysis-row-actions">
              {canSize && (
                <button
                  type="button"
                  data-testid="analysis-size-apply"
                  onClick={() => {
                    const values = Object.fromEntries(shown.rows.map((r) => [r.id, r.value]));
                    void saveNodes('size', scaleSizes(values));
                  }}
                >
                  Size nodes by this measure
                </button>
              )}
              {canColour && result?.kind === 'groups' && (
                <button
                  type="button"
                  data-testid="analysis-color-apply"
                  onClick={() => void saveNodes('color', groupColors(result.groups))}
                >
                  Colour by {result.measure === 'communities' ? 'community' : 'component'}
                </button>
              )}
            </div>
            <ResultsTable
              rows={shown.rows}
              valueLabel={valueLabel}
              selectedId={selectedId}
              onSelect={onSelect}
            />
          </>
        )}
        <div className="analysis-row-actions">
          <button
            type="button"
            disabled={!hasSizes}
            onClick={() => void saveNodes('size')}
            data-testid="analysis-size-clear"
          >
            Clear sizes
          </button>
          <button
            type="button"
            disabled={!hasColours}
            onClick={() => void saveNodes('color')}
            data-testid="analysis-color-clear"
          >
            Clear colours
          </button>
        </div>
      </section>
      <PathTools
        graph={graph}
        caseGraph={caseGraph}
        labels={labels}
        onChart={onChart}
        selectedId={selectedId}
        busy={busy}
        run={run}
        onHighlight={onHighlight}
        onAddToChart={props.onAddToChart}
        onSelect={onSelect}
      />
    </aside>
  );
}
