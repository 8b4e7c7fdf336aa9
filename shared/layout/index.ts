// Force-directed layout for large link charts: multilevel spring-electrical layout with tree-code
// repulsion and overlap removal, plus the graph generator and quality measures used to check it.
export { forceLayout } from './forceLayout.ts';
export type { ForceLayoutOptions } from './forceLayout.ts';
export { removeOverlaps } from './overlap.ts';
export type { OverlapOptions } from './overlap.ts';
export { countOverlaps, edgeLengthStats, sampledStress } from './quality.ts';
export type { EdgeLengthStats, StressOptions } from './quality.ts';
export { generateScaleFreeGraph } from './generate.ts';
export type { ScaleFreeOptions } from './generate.ts';
export { FarField, accumulateRepulsionExact } from './quadtree.ts';
export { createRandom } from '../base/random.ts';
export { DEFAULT_NODE_SIZE } from './types.ts';
export type { LayoutGraph } from './types.ts';
