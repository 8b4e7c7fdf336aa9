/** Public API of the graph analysis engine (pure TypeScript; safe in a Web Worker). */
export { buildGraph, degreeOf, degrees, nodeIndex, toRecord, undirectedView } from './graph.ts';
export type { EdgeInput, Graph, GraphInput } from './graph.ts';
export {
  allSimplePaths,
  componentLabels,
  connectedComponents,
  distancesFrom,
  neighbourhood,
  shortestPath,
  shortestPathLength,
} from './paths.ts';
export type { Distances, PathOptions } from './paths.ts';
export {
  betweennessCentrality,
  betweennessRaw,
  closenessCentrality,
  ConvergenceError,
  degreeCentrality,
  eigenvectorCentrality,
  mostConnected,
  pagerank,
  prepareBrandes,
  rescaleBetweenness,
  sampleSources,
} from './centrality.ts';
export {
  addRawSums,
  betweennessInSlices,
  betweennessOfSlice,
  ChunkSums,
  claimChunk,
  mergeSlices,
  planChunks,
  planSlices,
  runSources,
  sliceSources,
  splitSources,
} from './betweennessParts.ts';
export type { BetweennessSlice, RunBetweennessSlice } from './betweennessParts.ts';
export type {
  BetweennessOptions,
  BrandesGraph,
  BrandesRun,
  ClosenessOptions,
  PageRankOptions,
  PowerIterationOptions,
  RankedNode,
  WeightOption,
} from './centrality.ts';
export { louvainCommunities, modularity } from './communities.ts';
export type { CommunityOptions, CommunityResult } from './communities.ts';
export { detectFormat, parseCsvEdges, parseGraph, parseGraphML } from './io.ts';
export type { CsvOptions, GraphFormat } from './io.ts';
export { barabasiAlbert } from './generate.ts';
export { NODE_MEASURES, nodeMeasure, runAnalysis, sampleOf } from './run.ts';
export type { AnalysisRequest, AnalysisResult, Measure, NodeMeasure } from './run.ts';
