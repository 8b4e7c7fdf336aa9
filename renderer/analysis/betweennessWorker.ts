// A Web Worker of the betweenness pool: builds the graph, runs its slice of the sources, hands the
// raw sums back (transferred). See shared/analysis/betweennessParts.ts for the plan.
import { betweennessOfSlice, buildGraph } from '../../shared/analysis/index.ts';
import { serveRequests } from '../platform/workerHost.ts';
import type { BetweennessSliceRequest, BetweennessSliceResult } from './protocol.ts';

serveRequests<BetweennessSliceRequest, BetweennessSliceResult>(
  ({ graph: input, slice }) => {
    const graph = buildGraph(input);
    return {
      raw: betweennessOfSlice(graph, slice),
      ids: slice.index === 0 ? graph.ids : null,
      directed: graph.directed,
    };
  },
  { transferOf: (result) => [result.raw.buffer] },
);
