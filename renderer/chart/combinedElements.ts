/**
 * The chart's view model with parallel links combined, built in one pass over the relationships
 * (issue 13: the chart of a million-record call case). It equals
 * `combineParallelLinks(buildChartElements(entities, chart), options, typeLabel)`
 * (combinedElements.test.ts checks it on generated cases) without what that costs at a million
 * calls: an edge model per call, with its label, its facts and its JSON bundle key, most of them
 * folded into a bundle a moment later. Here each relationship between two charted nodes only
 * adds to its pair's running summary (count, total duration and amounts, date range, direction)
 * and member list, under a numeric key of the two node indexes and the schema. Edge models are
 * built only for what is drawn as a single link (a bundle of one, or one the user expanded), and
 * the bundle key once per pair.
 *
 * Node and edge rules are chartGraph's (shared/model/chartGraph.ts): live entities, nodes in the
 * chart's order, relationships in the entities' order, then property links.
 */
import type { ChartGraphNode } from '../../shared/model/chartGraph.ts';
import type { ChartRecord, EntityRecord } from '../../shared/model/index.ts';
import { edgeEnds, isEdgeSchema } from '../../shared/model/index.ts';
import type { ChartEdgeModel, ChartViewModel } from './chartModel.ts';
import {
  buildChartElements,
  chartNodeModel,
  finiteNumber,
  isDirectedSchema,
  propertyEdgeModels,
  relationshipEdge,
} from './chartModel.ts';
import type { BundleSummary, CombineOptions } from './parallelLinks.ts';
import { bundleEdge, bundleKey, sumOf } from './parallelLinks.ts';

/** One pair's links of one schema, as the pass collects them. */
interface Group {
  /** Relationship entities, or ready edges (property links), in order. */
  readonly members: (EntityRecord | ChartEdgeModel)[];
  readonly ids: string[];
  /** Ends and schema of the first member. */
  readonly source: string;
  readonly target: string;
  readonly schema: string;
  /** Every member directed and running from `source` to `target`. */
  sameWay: boolean;
  duration: number | undefined;
  readonly amounts: Record<string, number>;
  firstDate: string | undefined;
  lastDate: string | undefined;
}

function first(entity: EntityRecord, property: string): string | undefined {
  return entity.properties[property]?.[0];
}

/** Adds a relationship's facts, read as linkFacts reads them, to its group (as summarise does). */
function addFacts(group: Group, entity: EntityRecord): void {
  const duration = finiteNumber(first(entity, 'duration'));
  if (duration !== undefined) group.duration = (group.duration ?? 0) + duration;
  const amount = finiteNumber(first(entity, 'amount'));
  if (amount !== undefined) {
    const currency = first(entity, 'currency') || '';
    group.amounts[currency] = (group.amounts[currency] ?? 0) + amount;
  }
  const date = first(entity, 'date') ?? first(entity, 'startDate');
  for (const value of [date, first(entity, 'endDate')]) {
    if (!value) continue;
    if (group.firstDate === undefined || value < group.firstDate) group.firstDate = value;
    if (group.lastDate === undefined || value > group.lastDate) group.lastDate = value;
  }
}

function summaryOf(group: Group): BundleSummary {
  return {
    count: group.ids.length,
    ...(group.duration !== undefined ? { duration: group.duration } : {}),
    amounts: group.amounts,
    ...(group.firstDate !== undefined
      ? { firstDate: group.firstDate, lastDate: group.lastDate! }
      : {}),
  };
}

function isPropertyEdge(member: EntityRecord | ChartEdgeModel): member is ChartEdgeModel {
  return (member as ChartEdgeModel).kind === 'property';
}

/** A member drawn on its own: the relationship's edge model, or the property link as it is. */
function singleEdge(member: EntityRecord | ChartEdgeModel): ChartEdgeModel {
  if (isPropertyEdge(member)) return member;
  const ends = edgeEnds(member.schema, member.properties)!;
  return relationshipEdge(member, ends.source, ends.target);
}

/** Schemata are numbered into the low bits of a group's key. */
const SCHEMA_SLOTS = 4096;

export function buildCombinedChartElements(
  entities: readonly EntityRecord[],
  chart: Pick<ChartRecord, 'nodes'>,
  options: CombineOptions,
  typeLabel: (schema: string) => string = (schema) => schema,
): ChartViewModel {
  if (!options.combine) return buildChartElements(entities, chart);
  // chartGraph's nodes, keeping its map of live entities for the relationships.
  const byId = new Map<string, EntityRecord>();
  for (const entity of entities) if (!entity.deleted) byId.set(entity.id, entity);
  const graphNodes: ChartGraphNode[] = [];
  const index = new Map<string, number>();
  for (const [id, view] of Object.entries(chart.nodes)) {
    const entity = byId.get(id);
    if (!entity || isEdgeSchema(entity.schema)) continue;
    index.set(id, graphNodes.length);
    graphNodes.push({ entity, view });
  }
  const n = graphNodes.length;
  const schemaIndex = new Map<string, number>();
  const directed = new Map<string, boolean>();
  const groups = new Map<number, Group>();
  let edgeCount = 0;

  const groupOf = (source: string, target: string, schema: string): Group | undefined => {
    const a = index.get(source);
    const b = index.get(target);
    if (a === undefined || b === undefined) return undefined;
    let s = schemaIndex.get(schema);
    if (s === undefined) {
      s = schemaIndex.size;
      schemaIndex.set(schema, s);
    }
    // The unordered pair and the schema as one number: exact while n² · SCHEMA_SLOTS < 2^53.
    const key = (Math.min(a, b) * n + Math.max(a, b)) * SCHEMA_SLOTS + s;
    let group = groups.get(key);
    if (!group) {
      group = {
        members: [],
        ids: [],
        source,
        target,
        schema,
        sameWay: true,
        duration: undefined,
        amounts: Object.create(null) as Record<string, number>,
        firstDate: undefined,
        lastDate: undefined,
      };
      groups.set(key, group);
    }
    edgeCount++;
    return group;
  };

  for (const entity of byId.values()) {
    if (!isEdgeSchema(entity.schema)) continue;
    const ends = edgeEnds(entity.schema, entity.properties);
    if (!ends) continue;
    const group = groupOf(ends.source, ends.target, entity.schema);
    if (!group) continue;
    group.members.push(entity);
    group.ids.push(entity.id);
    let isDirected = directed.get(entity.schema);
    if (isDirected === undefined) {
      isDirected = isDirectedSchema(entity.schema);
      directed.set(entity.schema, isDirected);
    }
    if (!isDirected || ends.source !== group.source || ends.target !== group.target) {
      group.sameWay = false;
    }
    addFacts(group, entity);
  }
  for (const edge of propertyEdgeModels(graphNodes.map(({ entity }) => entity))) {
    const group = groupOf(edge.source, edge.target, edge.schema)!;
    group.members.push(edge);
    group.ids.push(edge.id);
    if (edge.source !== group.source || edge.target !== group.target) group.sameWay = false;
  }

  const nodes = graphNodes.map(chartNodeModel);
  const edges: ChartEdgeModel[] = [];
  if (groups.size === edgeCount) {
    // Nothing to combine: every link as it is (groups are in the order of their first member).
    for (const group of groups.values()) edges.push(singleEdge(group.members[0]!));
    return { nodes, edges };
  }
  const widthBy = options.widthBy ?? 'count';
  // Sums have no common unit (seconds, euros), so their widths are relative to the largest.
  let max = 0;
  for (const group of groups.values()) max = Math.max(max, sumOf(summaryOf(group)));
  for (const group of groups.values()) {
    const key = bundleKey(group);
    if (group.ids.length === 1 || options.expanded?.has(key)) {
      for (const member of group.members) edges.push(singleEdge(member));
      continue;
    }
    edges.push(
      bundleEdge(key, group, summaryOf(group), {
        directed: group.sameWay,
        widthBy,
        max,
        typeLabel,
        members: group.ids,
        memberClasses: group.members.map((m) => (isPropertyEdge(m) ? m.classes : undefined)),
      }),
    );
  }
  return { nodes, edges };
}
