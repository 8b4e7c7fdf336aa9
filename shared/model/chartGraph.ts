/**
 * Which entities a link chart shows, shared by the chart (which draws them) and analysis (which
 * measures them), so neither feature imports the other (issue 9: the chart↔analysis cycle).
 *
 * Rules: a node is an entity listed in `chart.nodes` that is live (not tombstoned) and not itself a
 * relationship; an edge is a live relationship (edge schema) whose two ends are both nodes. Nodes
 * come in the chart's order, edges in the entities' order.
 */
import { edgeEnds, isEdgeSchema } from './schema.ts';
import type { ChartNodeView, ChartRecord, EntityRecord } from './records.ts';

export interface ChartGraphNode {
  readonly entity: EntityRecord;
  /** Where and how the chart draws it. */
  readonly view: ChartNodeView;
}

export interface ChartGraphEdge {
  readonly entity: EntityRecord;
  readonly source: string;
  readonly target: string;
}

export interface ChartGraph {
  readonly nodes: readonly ChartGraphNode[];
  readonly edges: readonly ChartGraphEdge[];
}

export function chartGraph(
  entities: readonly EntityRecord[],
  chart: Pick<ChartRecord, 'nodes'>,
): ChartGraph {
  const byId = new Map<string, EntityRecord>();
  for (const entity of entities) if (!entity.deleted) byId.set(entity.id, entity);
  const nodes: ChartGraphNode[] = [];
  const shown = new Set<string>();
  for (const [id, view] of Object.entries(chart.nodes)) {
    const entity = byId.get(id);
    if (!entity || isEdgeSchema(entity.schema)) continue;
    shown.add(id);
    nodes.push({ entity, view });
  }
  const edges: ChartGraphEdge[] = [];
  for (const entity of byId.values()) {
    if (!isEdgeSchema(entity.schema)) continue;
    const ends = edgeEnds(entity.schema, entity.properties);
    if (!ends || !shown.has(ends.source) || !shown.has(ends.target)) continue;
    edges.push({ entity, ...ends });
  }
  return { nodes, edges };
}

/** Nodes and relationships (entity ids) the chart draws highlighted, such as a path found by analysis. */
export interface ChartHighlight {
  readonly nodes: ReadonlySet<string>;
  readonly edges: ReadonlySet<string>;
}
