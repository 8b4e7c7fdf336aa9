/**
 * One serialisable entry point over the whole engine, so the renderer can post a request to a Web
 * Worker and get plain data back (no typed arrays, no Infinity).
 */
import {
  betweennessCentrality,
  closenessCentrality,
  degreeCentrality,
  eigenvectorCentrality,
  mostConnected,
  pagerank,
} from './centrality.ts';
import type { RankedNode } from './centrality.ts';
import { louvainCommunities } from './communities.ts';
import { buildGraph, toRecord } from './graph.ts';
import type { Graph, GraphInput } from './graph.ts';
import {
  allSimplePaths,
  connectedComponents,
  distancesFrom,
  neighbourhood,
  shortestPath,
} from './paths.ts';

export const NODE_MEASURES = [
  'degree',
  'betweenness',
  'closeness',
  'eigenvector',
  'pagerank',
] as const;
export type NodeMeasure = (typeof NODE_MEASURES)[number];
export type Measure =
  NodeMeasure | 'components' | 'communities' | 'path' | 'paths' | 'neighbours' | 'mostConnected';

export interface AnalysisRequest {
  measure: Measure;
  graph: GraphInput;
  /** Endpoints for 'path' and 'paths'; centre node for 'neighbours'. */
  from?: string;
  to?: string;
  /** Maximum hops for 'paths' (default 3). */
  k?: number;
  /** Hops for 'neighbours' (default 1). */
  depth?: number;
  /** Number of nodes for 'mostConnected' (default 10), or of paths for 'paths' (default 10 000). */
  limit?: number;
  /** Honour edge weights; defaults to whether the graph has any. */
  weighted?: boolean;
  /** Seed for 'communities' and for the sources of 'betweenness' with `sample` (default 0). */
  seed?: number;
  /** 'betweenness' approximated from this many sampled sources (NetworkX's `k`). */
  sample?: number;
}

export type AnalysisResult =
  | { kind: 'values'; measure: NodeMeasure; values: Record<string, number> }
  | { kind: 'groups'; measure: 'components'; groups: string[][] }
  | { kind: 'groups'; measure: 'communities'; groups: string[][]; modularity: number }
  | { kind: 'path'; measure: 'path'; path: string[] | null; length: number | null }
  | { kind: 'paths'; measure: 'paths'; paths: string[][] }
  | { kind: 'neighbours'; measure: 'neighbours'; hops: Record<string, number> }
  | { kind: 'ranking'; measure: 'mostConnected'; nodes: RankedNode[] };

function required(value: string | undefined, name: string, measure: Measure): string {
  if (value === undefined) throw new Error(`measure '${measure}' needs '${name}'`);
  return value;
}

/** One per-node measure, indexed by node number. */
export function nodeMeasure(
  graph: Graph,
  measure: NodeMeasure,
  weighted: boolean,
  sample?: { readonly k: number; readonly seed: number },
): Float64Array {
  switch (measure) {
    case 'degree':
      return degreeCentrality(graph);
    case 'betweenness':
      return betweennessCentrality(graph, { weighted, ...sample });
    case 'closeness':
      return closenessCentrality(graph, { weighted });
    case 'eigenvector':
      return eigenvectorCentrality(graph, { weighted });
    case 'pagerank':
      return pagerank(graph, { weighted });
  }
}

/** The betweenness sample a request asks for, if any. */
export function sampleOf(request: AnalysisRequest): { k: number; seed: number } | undefined {
  return request.sample === undefined ? undefined : { k: request.sample, seed: request.seed ?? 0 };
}

export function runAnalysis(request: AnalysisRequest): AnalysisResult {
  const graph = buildGraph(request.graph);
  const weighted = request.weighted ?? graph.weighted;
  const { measure } = request;
  switch (measure) {
    case 'degree':
    case 'betweenness':
    case 'closeness':
    case 'eigenvector':
    case 'pagerank':
      return {
        kind: 'values',
        measure,
        values: toRecord(graph, nodeMeasure(graph, measure, weighted, sampleOf(request))),
      };
    case 'components':
      return { kind: 'groups', measure, groups: connectedComponents(graph) };
    case 'communities': {
      const result = louvainCommunities(graph, { weighted, seed: request.seed ?? 0 });
      return { kind: 'groups', measure, groups: result.communities, modularity: result.modularity };
    }
    case 'path': {
      const from = required(request.from, 'from', measure);
      const to = required(request.to, 'to', measure);
      const path = shortestPath(graph, from, to, { weighted });
      let length: number | null = null;
      if (path) {
        const { dist } = distancesFrom(graph, graph.indexOf.get(from)!, { weighted });
        length = dist[graph.indexOf.get(to)!]!;
      }
      return { kind: 'path', measure, path, length };
    }
    case 'paths': {
      const from = required(request.from, 'from', measure);
      const to = required(request.to, 'to', measure);
      const paths = allSimplePaths(graph, from, to, request.k ?? 3, { limit: request.limit });
      return { kind: 'paths', measure, paths };
    }
    case 'neighbours': {
      const from = required(request.from, 'from', measure);
      return { kind: 'neighbours', measure, hops: neighbourhood(graph, from, request.depth ?? 1) };
    }
    case 'mostConnected':
      return { kind: 'ranking', measure, nodes: mostConnected(graph, request.limit ?? 10) };
    default: {
      const unknown: never = measure;
      throw new Error(`unknown measure '${String(unknown)}'`);
    }
  }
}
