import { useState } from 'react';
import type { AnalysisRequest, AnalysisResult } from '../../shared/analysis/index.ts';
import type { ChartHighlight } from '../../shared/model/chartGraph.ts';
import type { EntityLabel, LinkEnds, ScopedGraph } from './analysisModel.ts';
import { linksOf, pathHighlight } from './analysisModel.ts';

export interface PathToolsProps {
  /** The graph paths run on (the analysis scope). */
  readonly graph: ScopedGraph;
  /** The whole case, for neighbours (expanding brings in entities not on the chart yet). */
  readonly caseGraph: ScopedGraph;
  readonly labels: ReadonlyMap<string, EntityLabel>;
  readonly onChart: ReadonlySet<string>;
  readonly selectedId?: string | undefined;
  readonly busy: boolean;
  run: (
    request: Omit<AnalysisRequest, 'graph'>,
    graph: ScopedGraph,
  ) => Promise<AnalysisResult | undefined>;
  onHighlight: (highlight: ChartHighlight | undefined) => void;
  onAddToChart: (ids: readonly string[]) => void;
  onSelect: (entityId: string) => void;
}

/** Endpoint pickers list at most this many entities (by name); "Use selection" reaches any. */
const MAX_OPTIONS = 3000;

type PathsFound = { readonly paths: string[][]; readonly links: LinkEnds[] };

export function PathTools(props: PathToolsProps) {
  const { graph, caseGraph, labels, onChart, selectedId, busy, run, onHighlight } = props;
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [hops, setHops] = useState(3);
  const [depth, setDepth] = useState(1);
  const [found, setFound] = useState<PathsFound>();
  const [message, setMessage] = useState('');
  const [neighbours, setNeighbours] = useState<string[]>();

  const nodes = graph.input.nodes ?? [];
  const options = nodes
    .map((id) => ({ id, label: labels.get(id)?.label ?? id }))
    .sort((a, b) => a.label.localeCompare(b.label))
    .slice(0, MAX_OPTIONS);
  for (const id of [from, to]) {
    if (id && !options.some((o) => o.id === id))
      options.push({ id, label: labels.get(id)?.label ?? id });
  }
  const name = (id: string) => labels.get(id)?.label ?? id;

  const findPaths = async (all: boolean) => {
    if (!from || !to) return;
    const result = await run(
      all ? { measure: 'paths', from, to, k: hops, limit: 200 } : { measure: 'path', from, to },
      graph,
    );
    if (!result) return;
    let paths: string[][] = [];
    if (result.kind === 'path' && result.path) paths = [result.path];
    if (result.kind === 'paths') paths = result.paths;
    const links = linksOf(graph);
    setFound({ paths, links });
    setMessage(
      paths.length === 0
        ? `No path between ${name(from)} and ${name(to)}${all ? ` within ${hops} hops` : ''}.`
        : all
          ? `${paths.length} path${paths.length === 1 ? '' : 's'} of at most ${hops} hops.`
          : `Shortest path: ${paths[0]!.length - 1} hop${paths[0]!.length === 2 ? '' : 's'}.`,
    );
    onHighlight(paths.length > 0 ? pathHighlight(paths, links) : undefined);
  };

  const findNeighbours = async () => {
    if (!selectedId) return;
    const result = await run({ measure: 'neighbours', from: selectedId, depth }, caseGraph);
    if (result?.kind !== 'neighbours') return;
    const ids = Object.keys(result.hops).filter((id) => id !== selectedId);
    setNeighbours(ids);
    const fresh = ids.filter((id) => !onChart.has(id));
    setMessage(
      `${ids.length} within ${depth} hop${depth === 1 ? '' : 's'}; ${fresh.length} not on the chart.`,
    );
  };

  const endpoint = (label: string, value: string, set: (id: string) => void, testId: string) => (
    <div className="analysis-endpoint">
      <label>
        {label}
        <select
          value={value}
          onChange={(e) => set(e.target.value)}
          data-testid={`analysis-${testId}`}
        >
          <option value="">Choose…</option>
          {options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        disabled={!selectedId || !nodes.includes(selectedId)}
        onClick={() => selectedId && set(selectedId)}
        data-testid={`analysis-${testId}-use-selection`}
      >
        Use selection
      </button>
    </div>
  );

  const notOnChart = neighbours?.filter((id) => !onChart.has(id)) ?? [];
  return (
    <section className="analysis-section" aria-label="Paths and neighbours">
      <h3>Paths</h3>
      {endpoint('From', from, setFrom, 'from')}
      {endpoint('To', to, setTo, 'to')}
      <div className="analysis-row-actions">
        <button
          type="button"
          disabled={busy || !from || !to}
          onClick={() => void findPaths(false)}
          data-testid="analysis-path-run"
        >
          Shortest path
        </button>
        <label className="analysis-inline">
          ≤
          <input
            type="number"
            min={1}
            max={8}
            value={hops}
            aria-label="Maximum hops"
            onChange={(e) => setHops(Math.min(8, Math.max(1, Number(e.target.value) || 1)))}
            data-testid="analysis-hops"
          />
          hops
        </label>
        <button
          type="button"
          disabled={busy || !from || !to}
          onClick={() => void findPaths(true)}
          data-testid="analysis-paths-run"
        >
          All paths
        </button>
        <button
          type="button"
          disabled={!found}
          onClick={() => {
            setFound(undefined);
            setMessage('');
            onHighlight(undefined);
          }}
          data-testid="analysis-clear-highlight"
        >
          Clear
        </button>
      </div>
      {found && found.paths.length > 0 && (
        <ol className="analysis-paths" data-testid="analysis-paths">
          {found.paths.slice(0, 50).map((path, i) => (
            <li key={i}>
              <button
                type="button"
                className="analysis-entity"
                onClick={() => onHighlight(pathHighlight([path], found.links))}
              >
                {path.map(name).join(' → ')}
              </button>
            </li>
          ))}
        </ol>
      )}
      <h3>Neighbours</h3>
      <div className="analysis-row-actions">
        <label className="analysis-inline">
          Depth
          <input
            type="number"
            min={1}
            max={6}
            value={depth}
            onChange={(e) => setDepth(Math.min(6, Math.max(1, Number(e.target.value) || 1)))}
            data-testid="analysis-depth"
          />
        </label>
        <button
          type="button"
          disabled={busy || !selectedId}
          onClick={() => void findNeighbours()}
          data-testid="analysis-neighbours-run"
        >
          Neighbours of selection
        </button>
        <button
          type="button"
          disabled={notOnChart.length === 0}
          onClick={() => {
            props.onAddToChart(notOnChart);
            setNeighbours([]);
          }}
          data-testid="analysis-neighbours-add"
        >
          Add {notOnChart.length || ''} to chart
        </button>
      </div>
      {message && (
        <p className="analysis-note" role="status" data-testid="analysis-path-message">
          {message}
        </p>
      )}
    </section>
  );
}
