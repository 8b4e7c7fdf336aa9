import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  buildGraph,
  connectedComponents,
  louvainCommunities,
  NODE_MEASURES,
  nodeMeasure,
  parseGraph,
  shortestPath,
  toRecord,
} from '../../../shared/analysis/index.ts';
import type { NodeMeasure } from '../../../shared/analysis/index.ts';
import { betweennessOnThreads } from '../../services/analysis/betweennessThreads.ts';
import type { CliCommand } from './types.ts';
import { UsageError } from './types.ts';
import { errorMessage } from '../../../shared/base/errors.ts';

const MEASURES = [...NODE_MEASURES, 'components', 'communities', 'path'] as const;
type CliMeasure = (typeof MEASURES)[number];

const HELP = `usage: tessera analyze --input FILE --measure NAME [options]

Graph analysis of a GraphML file (as NetworkX writes it) or a CSV edge list
(source,target[,weight], optional header line). The format follows the file extension
(.graphml/.xml, .csv/.tsv), else the content. Repeated rows for the same pair are one
edge whose weight is their sum (a row without a weight counts 1). Edge weights are honoured:
as lengths for betweenness, closeness and path, as strengths for eigenvector, pagerank
and communities. Values match NetworkX 2.8 defaults (normalised betweenness,
Wasserman–Faust closeness).

measures:
  degree | betweenness | closeness | eigenvector | pagerank
      --json prints {"node id": value, …}; otherwise a table sorted by value.
  components | communities
      --json prints an array of groups, each an array of node ids, largest group first
      (communities: Louvain, seeded); otherwise one line per group.
  path
      shortest path from --from to --to; --json prints an array of node ids.
      Exits 1 when there is no path.

options:
  --input FILE      graph file (required)
  --measure NAME    one of the measures above (required)
  --json            machine-readable output on stdout
  --from ID         path start
  --to ID           path end
  --directed        treat a CSV edge list as directed (GraphML says so itself)
  --unweighted      ignore edge weights
  --seed N          seed for communities and for --sample (default 0)
  --sample K        betweenness: approximate from K sampled sources (NetworkX's k),
                    for graphs too large for the exact measure
  --top N           table: show only the first N rows`;

export const analyzeCommand: CliCommand = {
  summary: 'centrality, components, communities and paths of a GraphML/CSV graph',
  async run(args) {
    try {
      return await analyze(args);
    } catch (error) {
      if (error instanceof UsageError) {
        console.error(`tessera analyze: ${error.message}\n\n${HELP}`);
        return 2;
      }
      throw error;
    }
  },
};

function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} needs a non-negative integer`);
  return Number(value);
}

async function analyze(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        input: { type: 'string' },
        measure: { type: 'string' },
        json: { type: 'boolean' },
        from: { type: 'string' },
        to: { type: 'string' },
        directed: { type: 'boolean' },
        unweighted: { type: 'boolean' },
        seed: { type: 'string' },
        sample: { type: 'string' },
        top: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.input) throw new UsageError('--input FILE is required');
  const measure = values.measure as CliMeasure | undefined;
  if (!measure || !MEASURES.includes(measure)) {
    throw new UsageError(`--measure must be one of ${MEASURES.join(', ')}`);
  }
  if (measure === 'path' && (!values.from || !values.to)) {
    throw new UsageError('--measure path needs --from ID and --to ID');
  }
  const seed = integerOption(values.seed, 'seed') ?? 0;
  const top = integerOption(values.top, 'top');
  const sample = integerOption(values.sample, 'sample');
  if (sample !== undefined && (measure !== 'betweenness' || sample < 1)) {
    throw new UsageError('--sample K (K ≥ 1) applies to --measure betweenness only');
  }

  let text: string;
  try {
    text = readFileSync(values.input, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${values.input}: ${(error as NodeJS.ErrnoException).code ?? ''}`);
  }
  const input = parseGraph(text, { fileName: values.input, directed: values.directed });
  // Parallel rows (22 calls between two phones) count as a weight, never as the last row's value.
  const graph = buildGraph({ ...input, parallel: 'sum' });
  const weighted = values.unweighted ? false : graph.weighted;
  const json = values.json === true;

  if (measure === 'path') {
    const path = shortestPath(graph, values.from!, values.to!, { weighted });
    if (!path) {
      console.error(`tessera analyze: no path from '${values.from!}' to '${values.to!}'`);
      return 1;
    }
    console.log(json ? JSON.stringify(path) : path.join(' → '));
    return 0;
  }
  if (measure === 'components' || measure === 'communities') {
    let groups: string[][];
    let note = '';
    if (measure === 'components') {
      groups = connectedComponents(graph);
    } else {
      const result = louvainCommunities(graph, { weighted, seed });
      groups = result.communities;
      note = `modularity ${result.modularity.toFixed(6)}`;
    }
    if (json) {
      console.log(JSON.stringify(groups));
    } else {
      const label = measure === 'components' ? 'component' : 'community';
      console.log(`${groups.length} ${label === 'component' ? 'components' : 'communities'}`);
      if (note) console.log(note);
      groups.slice(0, top ?? groups.length).forEach((group, index) => {
        console.log(`${label} ${index + 1} (${group.length}): ${group.join(', ')}`);
      });
    }
    return 0;
  }
  // Betweenness is one search per source: those are spread over every core.
  const measured =
    measure === 'betweenness'
      ? await betweennessOnThreads(graph, { weighted, ...(sample ? { k: sample, seed } : {}) })
      : nodeMeasure(graph, measure satisfies NodeMeasure, weighted);
  const result = toRecord(graph, measured);
  if (json) {
    console.log(JSON.stringify(result));
    return 0;
  }
  printTable(measure, result, top);
  return 0;
}

function printTable(measure: string, values: Record<string, number>, top: number | undefined) {
  const rows = Object.entries(values).sort(([idA, a], [idB, b]) =>
    b !== a ? b - a : idA < idB ? -1 : idA > idB ? 1 : 0,
  );
  const shown = rows.slice(0, top ?? rows.length);
  const rankWidth = String(shown.length).length;
  const idWidth = Math.min(40, Math.max(4, ...shown.map(([id]) => id.length)));
  console.log(`${'#'.padStart(rankWidth)}  ${'node'.padEnd(idWidth)}  ${measure}`);
  shown.forEach(([id, value], index) => {
    console.log(
      `${String(index + 1).padStart(rankWidth)}  ${id.padEnd(idWidth)}  ${value.toPrecision(6)}`,
    );
  });
  if (shown.length < rows.length) console.log(`… ${rows.length - shown.length} more`);
}
