/**
 * The chart's view model with parallel links combined, built in one pass over the relationships
 * (issue 13: the chart of a million-record call case). It equals
 * `combineParallelLinks(buildChartElements(entities, chart), options, typeLabel)`
 * (combinedElements.test.ts checks it on generated cases) without what that costs at a million
 * calls: an edge model per call, with its label, its facts and its JSON bundle key, most of them
 * folded into a bundle a moment later.
 *
 * How (a CPU profile of the 1M-call case put the time in objects made per call and in hash
 * lookups keyed by strings and by numbers too large to be small integers; see
 * bench/profiles/chart-1m.md):
 * - charted nodes are numbered 0…n-1; a relationship's pair is the number lo·n + hi of its two
 *   node numbers, looked up in one Map per schema (a small-integer key while n ≤ 32,768);
 * - each pair's running summary (count, total duration and amounts, date range, direction) lives
 *   in columns indexed by the pair's group number (`Groups`), and each relationship only records
 *   the group it fell into (an Int32Array), so nothing is allocated per call;
 * - members are put in group order once at the end (a counting sort of those group numbers), and
 *   edge models, labels and bundle keys are made once per drawn link: a group of one, or an
 *   expanded group, as its members' own edge models; any other group as one combined link.
 *
 * Node and edge rules are chartGraph's (shared/model/chartGraph.ts): live entities (of a repeated
 * id, the last live copy in the first one's place), nodes in the chart's order, relationships in
 * the entities' order, then property links. The case store's records (`records: 'store'`) are
 * live and unique already, and are taken as they are.
 */
import type { ChartRecord, EntityProperties, EntityRecord } from '../../shared/model/index.ts';
import { isEdgeSchema, model } from '../../shared/model/index.ts';
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
import { BUNDLE_CLASS, bundleEdge } from './parallelLinks.ts';

/** How the links of one schema are read and grouped (one per schema met). */
interface LinkSchema {
  readonly name: string;
  /** The name as JSON, for bundle keys. */
  readonly quoted: string;
  /** Properties naming a relationship's two ends (empty for property links). */
  readonly sourceProperty: string;
  readonly targetProperty: string;
  readonly directed: boolean;
  /** Pair number (lo·n + hi) → group. */
  readonly groups: Map<number, number>;
}

function linkSchema(name: string, directed: boolean, ends?: { source: string; target: string }) {
  return {
    name,
    quoted: JSON.stringify(name),
    sourceProperty: ends?.source ?? '',
    targetProperty: ends?.target ?? '',
    directed,
    groups: new Map<number, number>(),
  };
}

/** A growable typed column. */
function widened<T extends Int32Array | Uint8Array | Float64Array>(old: T, size: number): T {
  const next = new (old.constructor as new (length: number) => T)(size);
  next.set(old);
  return next;
}

/** Each group's running summary, one row per group (a pair of nodes and a schema). */
class Groups {
  size = 0;
  /** Node numbers of the first member's ends. */
  source = new Int32Array(1024);
  target = new Int32Array(1024);
  count = new Int32Array(1024);
  /** 1 while every member is directed and runs from `source` to `target`. */
  sameWay = new Uint8Array(1024);
  duration = new Float64Array(1024);
  hasDuration = new Uint8Array(1024);
  readonly schema: LinkSchema[] = [];
  readonly firstDate: (string | undefined)[] = [];
  readonly lastDate: (string | undefined)[] = [];
  /** Totals per currency; undefined for the (many) groups without an amount. */
  readonly amounts: (Record<string, number> | undefined)[] = [];

  /** The group of `schema` between node numbers `a` and `b`, made on first use. */
  of(schema: LinkSchema, a: number, b: number, n: number): number {
    const pair = a < b ? a * n + b : b * n + a;
    const known = schema.groups.get(pair);
    if (known !== undefined) {
      if (!schema.directed || this.source[known] !== a || this.target[known] !== b) {
        this.sameWay[known] = 0;
      }
      this.count[known]!++;
      return known;
    }
    const g = this.size++;
    if (g === this.source.length) {
      const size = 2 * g;
      this.source = widened(this.source, size);
      this.target = widened(this.target, size);
      this.count = widened(this.count, size);
      this.sameWay = widened(this.sameWay, size);
      this.duration = widened(this.duration, size);
      this.hasDuration = widened(this.hasDuration, size);
    }
    schema.groups.set(pair, g);
    this.source[g] = a;
    this.target[g] = b;
    this.count[g] = 1;
    this.sameWay[g] = schema.directed ? 1 : 0;
    this.schema.push(schema);
    this.firstDate.push(undefined);
    this.lastDate.push(undefined);
    this.amounts.push(undefined);
    return g;
  }

  /** Adds a relationship's facts, read as linkFacts reads them and summed as summarise sums. */
  addFacts(g: number, properties: EntityProperties): void {
    const duration = finiteNumber(properties['duration']?.[0]);
    if (duration !== undefined) {
      this.duration[g] = this.duration[g]! + duration;
      this.hasDuration[g] = 1;
    }
    const amount = finiteNumber(properties['amount']?.[0]);
    if (amount !== undefined) {
      const currency = properties['currency']?.[0] || '';
      const amounts = (this.amounts[g] ??= Object.create(null) as Record<string, number>);
      amounts[currency] = (amounts[currency] ?? 0) + amount;
    }
    this.addDate(g, properties['date']?.[0] ?? properties['startDate']?.[0]);
    this.addDate(g, properties['endDate']?.[0]);
  }

  private addDate(g: number, value: string | undefined): void {
    if (!value) return;
    // ISO dates of any precision order as strings (a prefix sorts first).
    const first = this.firstDate[g];
    if (first === undefined || value < first) this.firstDate[g] = value;
    const last = this.lastDate[g];
    if (last === undefined || value > last) this.lastDate[g] = value;
  }

  summary(g: number): BundleSummary {
    const firstDate = this.firstDate[g];
    return {
      count: this.count[g]!,
      ...(this.hasDuration[g] ? { duration: this.duration[g]! } : {}),
      amounts: this.amounts[g] ?? (Object.create(null) as Record<string, number>),
      ...(firstDate !== undefined ? { firstDate, lastDate: this.lastDate[g]! } : {}),
    };
  }

  /** sumOf(summary(g)), without making the summary. */
  sum(g: number): number {
    if (this.hasDuration[g]) return this.duration[g]!;
    let total = 0;
    const amounts = this.amounts[g];
    if (amounts) for (const currency in amounts) total += amounts[currency]!;
    return total;
  }
}

/**
 * What the records passed in are: 'store' for the case store's list (CaseEntities.all: every
 * record live, each id once), which spares the map over every record's id (a million string
 * keys, a fifth of the build); 'any' for whatever chartGraph takes (tombstones, repeated ids).
 */
export type RecordSource = 'store' | 'any';

/** The live records in order, and the live copy of each node entity by id (chartGraph's rules). */
function liveEntities(
  entities: readonly EntityRecord[],
  records: RecordSource,
): {
  /** Live records, each id once (the store's list as it is). */
  readonly live: readonly EntityRecord[];
  /** Node entities by id (every entity, where ids may repeat). */
  readonly byId: ReadonlyMap<string, EntityRecord>;
} {
  if (records === 'store') {
    const nodes = new Map<string, EntityRecord>();
    for (const entity of entities) if (!isEdgeSchema(entity.schema)) nodes.set(entity.id, entity);
    return { live: entities, byId: nodes };
  }
  // chartGraph's own map: of a repeated id, the last live copy in the first one's place.
  const byId = new Map<string, EntityRecord>();
  for (const entity of entities) if (!entity.deleted) byId.set(entity.id, entity);
  return { live: [...byId.values()], byId };
}

export function buildCombinedChartElements(
  entities: readonly EntityRecord[],
  chart: Pick<ChartRecord, 'nodes'>,
  options: CombineOptions,
  typeLabel: (schema: string) => string = (schema) => schema,
  records: RecordSource = 'any',
): ChartViewModel {
  if (!options.combine) return buildChartElements(entities, chart);
  const { live, byId } = liveEntities(entities, records);
  // chartGraph's nodes, numbered in the chart's order.
  const nodeEntities: EntityRecord[] = [];
  const nodeViews: ChartRecord['nodes'][string][] = [];
  const nodeNumber = new Map<string, number>();
  for (const [id, view] of Object.entries(chart.nodes)) {
    const entity = byId.get(id);
    if (!entity || isEdgeSchema(entity.schema)) continue;
    nodeNumber.set(id, nodeEntities.length);
    nodeEntities.push(entity);
    nodeViews.push(view);
  }
  const n = nodeEntities.length;
  const nodeIds = nodeEntities.map((entity) => entity.id);

  // One pass over the relationships: each adds to its group's summary and records its group.
  // Members are kept as numbers (typed arrays the garbage collector never walks): a record's
  // index in `live`, or -1 - p for the p-th property link.
  const schemata = new Map<string, LinkSchema | null>();
  const groups = new Groups();
  const propertyLinks = propertyEdgeModels(nodeEntities);
  let memberCount = 0;
  let memberRef = new Int32Array(1024);
  let memberGroup = new Int32Array(1024);
  /** Node numbers of each member's own ends (a group's members may run either way). */
  let memberFrom = new Int32Array(1024);
  let memberTo = new Int32Array(1024);
  const addMember = (ref: number, g: number, a: number, b: number) => {
    const k = memberCount++;
    if (k === memberGroup.length) {
      memberRef = widened(memberRef, 2 * k);
      memberGroup = widened(memberGroup, 2 * k);
      memberFrom = widened(memberFrom, 2 * k);
      memberTo = widened(memberTo, 2 * k);
    }
    memberRef[k] = ref;
    memberGroup[k] = g;
    memberFrom[k] = a;
    memberTo[k] = b;
  };
  for (let i = 0; i < live.length; i++) {
    const entity = live[i]!;
    let schema = schemata.get(entity.schema);
    if (schema === undefined) {
      const ends = isEdgeSchema(entity.schema) ? model.schemata[entity.schema]?.edge : undefined;
      schema = ends ? linkSchema(entity.schema, isDirectedSchema(entity.schema), ends) : null;
      schemata.set(entity.schema, schema);
    }
    if (schema === null) continue;
    const source = entity.properties[schema.sourceProperty]?.[0];
    const target = entity.properties[schema.targetProperty]?.[0];
    if (!source || !target) continue;
    const a = nodeNumber.get(source);
    const b = nodeNumber.get(target);
    if (a === undefined || b === undefined) continue;
    const g = groups.of(schema, a, b, n);
    groups.addFacts(g, entity.properties);
    addMember(i, g, a, b);
  }
  const propertySchemata = new Map<string, LinkSchema>();
  propertyLinks.forEach((edge, p) => {
    let schema = propertySchemata.get(edge.schema);
    if (!schema) {
      schema = linkSchema(edge.schema, true);
      propertySchemata.set(edge.schema, schema);
    }
    const a = nodeNumber.get(edge.source)!;
    const b = nodeNumber.get(edge.target)!;
    addMember(-1 - p, groups.of(schema, a, b, n), a, b);
  });

  const nodes = nodeEntities.map((entity, i) => chartNodeModel({ entity, view: nodeViews[i]! }));
  const idOf = (k: number): string => {
    const ref = memberRef[k]!;
    return ref >= 0 ? live[ref]!.id : propertyLinks[-1 - ref]!.id;
  };
  const single = (k: number): ChartEdgeModel => {
    const ref = memberRef[k]!;
    if (ref < 0) return propertyLinks[-1 - ref]!;
    return relationshipEdge(live[ref]!, nodeIds[memberFrom[k]!]!, nodeIds[memberTo[k]!]!);
  };
  const edges: ChartEdgeModel[] = [];
  if (groups.size === memberCount) {
    // Nothing to combine: every link as it is (groups are in the order of their first member).
    for (let k = 0; k < memberCount; k++) edges.push(single(k));
    return { nodes, edges };
  }

  // Members in group order (a stable counting sort), so a group's members are one run.
  const start = new Int32Array(groups.size + 1);
  for (let g = 0; g < groups.size; g++) start[g + 1] = start[g]! + groups.count[g]!;
  const next = start.slice(0, groups.size);
  const byGroup = new Int32Array(memberCount);
  for (let k = 0; k < memberCount; k++) byGroup[next[memberGroup[k]!]!++] = k;

  const widthBy = options.widthBy ?? 'count';
  // Sums have no common unit (seconds, euros), so their widths are relative to the largest.
  let max = 0;
  for (let g = 0; g < groups.size; g++) max = Math.max(max, groups.sum(g));
  const quoted = nodeIds.map((id) => JSON.stringify(id));
  const expanded = options.expanded;
  for (let g = 0; g < groups.size; g++) {
    const from = start[g]!;
    const to = start[g + 1]!;
    const schema = groups.schema[g]!;
    const source = groups.source[g]!;
    const target = groups.target[g]!;
    const key =
      to - from === 1 ? undefined : bundleKeyOf(nodeIds, quoted, source, target, schema.quoted);
    if (key === undefined || expanded?.has(key)) {
      for (let at = from; at < to; at++) edges.push(single(byGroup[at]!));
      continue;
    }
    const ids: string[] = new Array<string>(to - from);
    for (let at = from; at < to; at++) ids[at - from] = idOf(byGroup[at]!);
    edges.push(
      bundleEdge(
        key,
        { source: nodeIds[source]!, target: nodeIds[target]!, schema: schema.name },
        groups.summary(g),
        {
          directed: groups.sameWay[g] === 1,
          widthBy,
          max,
          typeLabel,
          members: ids,
          // Neither relationships nor property links carry classes before the overlay.
          classes: BUNDLE_CLASS,
        },
      ),
    );
  }
  return { nodes, edges };
}

/** bundleKey of a link between node numbers a and b: JSON of the sorted ids and the schema. */
function bundleKeyOf(
  ids: readonly string[],
  quoted: readonly string[],
  a: number,
  b: number,
  schema: string,
): string {
  const [lo, hi] = ids[a]! < ids[b]! ? [a, b] : [b, a];
  return `[${quoted[lo]!},${quoted[hi]!},${schema}]`;
}
