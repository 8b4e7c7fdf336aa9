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
 * - the records are walked once per entity list, into columns kept with the list
 *   (overview/caseLinks.ts: both ends of each relationship as interned node numbers, its type,
 *   duration and dates), which "Add all" has usually read already to place the crowd; a build
 *   (and every rebuild: a bundle expanded, a width mode switched) loops over those columns;
 * - charted nodes are numbered 0…n-1 and a relationship's group is found by an open-addressing
 *   table over (type, lower node number, higher node number), three small integers;
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
import type { ChartRecord, EntityRecord } from '../../shared/model/index.ts';
import type { ChartEdgeModel, ChartTheme, ChartViewModel } from './chartModel.ts';
import {
  buildChartElements,
  chartNodeModel,
  isDirectedSchema,
  propertyEdgeModels,
  relationshipEdge,
} from './chartModel.ts';
import type { BundleSummary, CombineOptions } from './parallelLinks.ts';
import { BUNDLE_CLASS, bundleEdge } from './parallelLinks.ts';
import type { CaseLinks } from './overview/caseLinks.ts';
import { caseLinks, readCaseLinks } from './overview/caseLinks.ts';
import type { OverviewScene } from './overview/overviewScene.ts';
import { plainScene } from './overview/overviewScene.ts';
import { CHART_ICONS, GENERIC_ICON_KEY, iconKeyFor } from './chartIcons.ts';

/** A growable typed column. */
function widened<T extends Int32Array | Uint8Array | Float64Array>(old: T, size: number): T {
  const next = new (old.constructor as new (length: number) => T)(size);
  next.set(old);
  return next;
}

/**
 * Each group's running summary, one row per group (a pair of nodes and a link type), found by
 * an open-addressing hash table over (type, lower node number, higher node number): three small
 * integers, so no key is made or hashed as a string or a heap number.
 */
class Groups {
  size = 0;
  /** Slot → group + 1 (0: empty); the table is kept at most half full. */
  private slots: Int32Array;
  /** Link type (a number: caseLinks' schema numbers, then property links'), and the pair. */
  kind: Int32Array;
  private lo: Int32Array;
  private hi: Int32Array;
  /** Node numbers of the first member's ends. */
  source: Int32Array;
  target: Int32Array;
  count: Int32Array;
  /** 1 while every member is directed and runs from `source` to `target`. */
  sameWay: Uint8Array;
  duration: Float64Array;
  hasDuration: Uint8Array;
  readonly firstDate: (string | undefined)[] = [];
  readonly lastDate: (string | undefined)[] = [];
  /** Totals per currency; undefined for the (many) groups without an amount. */
  readonly amounts: (Record<string, number> | undefined)[] = [];

  /**
   * `expected`: about how many groups there will be (at most one per relationship): the columns
   * are made that big at once, not doubled a dozen times on the way (71 ms of a 50,000-node
   * chart's build went to growing them, and more to rehashing).
   */
  constructor(expected: number) {
    const rows = Math.max(1024, expected);
    let slots = 1 << 12;
    while (slots < 2 * rows) slots *= 2;
    this.slots = new Int32Array(slots);
    this.kind = new Int32Array(rows);
    this.lo = new Int32Array(rows);
    this.hi = new Int32Array(rows);
    this.source = new Int32Array(rows);
    this.target = new Int32Array(rows);
    this.count = new Int32Array(rows);
    this.sameWay = new Uint8Array(rows);
    this.duration = new Float64Array(rows);
    this.hasDuration = new Uint8Array(rows);
  }

  /** The group of link type `kind` between node numbers `a` and `b`, made on first use. */
  of(kind: number, directed: boolean, a: number, b: number): number {
    const lo = a < b ? a : b;
    const hi = a < b ? b : a;
    const mask = this.slots.length - 1;
    let slot = slotOf(kind, lo, hi) & mask;
    for (let held = this.slots[slot]!; held !== 0; held = this.slots[slot]!) {
      const known = held - 1;
      if (this.lo[known] === lo && this.hi[known] === hi && this.kind[known] === kind) {
        if (!directed || this.source[known] !== a || this.target[known] !== b) {
          this.sameWay[known] = 0;
        }
        this.count[known]!++;
        return known;
      }
      slot = (slot + 1) & mask;
    }
    const g = this.size++;
    if (g === this.source.length) this.widen(2 * g);
    this.slots[slot] = g + 1;
    this.kind[g] = kind;
    this.lo[g] = lo;
    this.hi[g] = hi;
    this.source[g] = a;
    this.target[g] = b;
    this.count[g] = 1;
    this.sameWay[g] = directed ? 1 : 0;
    this.firstDate.push(undefined);
    this.lastDate.push(undefined);
    this.amounts.push(undefined);
    if (2 * this.size > this.slots.length) this.rehash(2 * this.slots.length);
    return g;
  }

  private widen(size: number): void {
    this.kind = widened(this.kind, size);
    this.lo = widened(this.lo, size);
    this.hi = widened(this.hi, size);
    this.source = widened(this.source, size);
    this.target = widened(this.target, size);
    this.count = widened(this.count, size);
    this.sameWay = widened(this.sameWay, size);
    this.duration = widened(this.duration, size);
    this.hasDuration = widened(this.hasDuration, size);
  }

  private rehash(capacity: number): void {
    const slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let g = 0; g < this.size; g++) {
      let slot = slotOf(this.kind[g]!, this.lo[g]!, this.hi[g]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = g + 1;
    }
    this.slots = slots;
  }

  /** Adds row `k`'s facts, summed as summarise sums them (parallelLinks.ts). */
  addFacts(g: number, links: CaseLinks, k: number): void {
    const duration = links.duration[k]!;
    if (!Number.isNaN(duration)) {
      this.duration[g] = this.duration[g]! + duration;
      this.hasDuration[g] = 1;
    }
    const amount = links.amount?.[k];
    if (amount !== undefined && !Number.isNaN(amount)) {
      const currency = links.currency![k]!;
      const amounts = (this.amounts[g] ??= Object.create(null) as Record<string, number>);
      amounts[currency] = (amounts[currency] ?? 0) + amount;
    }
    this.addDate(g, links.date[k]);
    if (links.endDate) this.addDate(g, links.endDate[k]);
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

/** A hash of three small integers (multiplicative mixing; the caller masks it to the table). */
function slotOf(kind: number, lo: number, hi: number): number {
  const h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca77) ^ Math.imul(kind, 0xc2b2ae3d);
  return h ^ (h >>> 15);
}

/**
 * What the records passed in are: 'store' for the case store's list (CaseEntities.all: every
 * record live, each id once), whose columns (caseLinks) are read once and kept with the list;
 * 'any' for whatever chartGraph takes (tombstones, repeated ids), read afresh after chartGraph's
 * rules picked the live copies.
 */
export type RecordSource = 'store' | 'any';

/** chartGraph's live records: of a repeated id, the last live copy in the first one's place. */
function liveEntities(entities: readonly EntityRecord[]): EntityRecord[] {
  const byId = new Map<string, EntityRecord>();
  for (const entity of entities) if (!entity.deleted) byId.set(entity.id, entity);
  return [...byId.values()];
}

/**
 * What a combined build reads off the records, before any model is made: the charted nodes in the
 * chart's order, each relationship's group and the groups' summaries, as columns. It depends on
 * the records and the chart's nodes only (not on expanded bundles or the width mode), so it is
 * kept per record list and node map (`planOf`): the overview's early paint (earlyOverview.ts)
 * and the view model's build that follows it read the records once.
 */
export interface CombinedPlan {
  readonly live: readonly EntityRecord[];
  readonly links: CaseLinks;
  readonly nodeEntities: readonly EntityRecord[];
  readonly nodeViews: readonly ChartRecord['nodes'][string][];
  readonly nodeIds: readonly string[];
  /** caseLinks' end numbers → chart numbers (-1: not on the chart, or no node entity). */
  readonly chartNumber: Int32Array;
  readonly kinds: readonly { readonly name: string; readonly directed: boolean }[];
  readonly groups: Groups;
  readonly memberCount: number;
  /** A row of caseLinks, or -1 - p for the p-th property link, per member. */
  readonly memberRef: Int32Array;
  readonly memberGroup: Int32Array;
  readonly propertyLinks: readonly ChartEdgeModel[];
  readonly nodeNumber: ReadonlyMap<string, number>;
}

const plans = new WeakMap<
  readonly EntityRecord[],
  WeakMap<ChartRecord['nodes'], Partial<Record<RecordSource, CombinedPlan>>>
>();

/** The plan of `chart` over `entities`, made once per record list, node map and source. */
export function planOf(
  entities: readonly EntityRecord[],
  chart: Pick<ChartRecord, 'nodes'>,
  records: RecordSource = 'any',
): CombinedPlan {
  let byNodes = plans.get(entities);
  if (!byNodes) plans.set(entities, (byNodes = new WeakMap()));
  let bySource = byNodes.get(chart.nodes);
  if (!bySource) byNodes.set(chart.nodes, (bySource = {}));
  return (bySource[records] ??= plan(entities, chart, records));
}

/** Views built from a plan with nothing expanded: their overview scene is the plan's. */
const viewPlans = new WeakMap<ChartViewModel, CombinedPlan>();

/**
 * The plan `view` was built from, when buildCombinedChartElements made it with links combined and
 * nothing expanded: then `overviewSceneOfPlan(plan, theme)` is its scene (equal to
 * buildOverviewScene's; combinedElements.test.ts), and the overview need not build it again.
 */
export function planOfView(view: ChartViewModel): CombinedPlan | undefined {
  return viewPlans.get(view);
}

/** The most groups a plan's columns are made for at once (see plan). */
const PRESIZED_GROUPS = 1 << 17;

function plan(
  entities: readonly EntityRecord[],
  chart: Pick<ChartRecord, 'nodes'>,
  records: RecordSource,
): CombinedPlan {
  const live = records === 'store' ? entities : liveEntities(entities);
  const links = records === 'store' ? caseLinks(entities) : readCaseLinks(live);
  // chartGraph's nodes, numbered in the chart's order; `chartNumber` maps caseLinks' end
  // numbers to them (-1: not on the chart, or no node entity).
  const nodeEntities: EntityRecord[] = [];
  const nodeViews: ChartRecord['nodes'][string][] = [];
  const chartNumber = new Int32Array(links.nodes.length + links.otherEnds.size).fill(-1);
  for (const [id, view] of Object.entries(chart.nodes)) {
    const c = links.nodeNumber.get(id);
    if (c === undefined) continue;
    chartNumber[c] = nodeEntities.length;
    nodeEntities.push(links.nodes[c]!);
    nodeViews.push(view);
  }
  const nodeIds = nodeEntities.map((entity) => entity.id);

  // Link types: the relationship schemata by caseLinks' numbers, then property links' schemata.
  const kinds = links.schemata.map((name) => ({ name, directed: isDirectedSchema(name) }));
  const directed = kinds.map((kind) => kind.directed);

  // One pass over the relationship rows: each adds to its group's summary and records its group.
  // Members are kept as numbers (typed arrays the garbage collector never walks): a row of
  // caseLinks, or -1 - p for the p-th property link.
  // Relationships between charted nodes, most of a case's links: every one may be a group. Up
  // to a cap: a million calls make a third as many pairs, and a table sized for a million made
  // the 1M-call build 0.9 s slower than growing it (bench/profiles/chart.md §16).
  const groups = new Groups(Math.min(links.size, PRESIZED_GROUPS));
  let memberCount = 0;
  let memberRef = new Int32Array(Math.max(1024, links.size));
  let memberGroup = new Int32Array(Math.max(1024, links.size));
  const addMember = (ref: number, g: number) => {
    const k = memberCount++;
    if (k === memberGroup.length) {
      memberRef = widened(memberRef, 2 * k);
      memberGroup = widened(memberGroup, 2 * k);
    }
    memberRef[k] = ref;
    memberGroup[k] = g;
  };
  const { source, target, schema } = links;
  for (let k = 0; k < links.size; k++) {
    const a = chartNumber[source[k]!]!;
    const b = chartNumber[target[k]!]!;
    if (a < 0 || b < 0) continue;
    const kind = schema[k]!;
    const g = groups.of(kind, directed[kind]!, a, b);
    groups.addFacts(g, links, k);
    addMember(k, g);
  }
  const nodeNumber = new Map(nodeIds.map((id, i) => [id, i]));
  const propertyLinks = propertyEdgeModels(nodeEntities);
  const propertyKinds = new Map<string, number>();
  propertyLinks.forEach((edge, p) => {
    let kind = propertyKinds.get(edge.schema);
    if (kind === undefined) {
      kind = kinds.length;
      kinds.push({ name: edge.schema, directed: true });
      propertyKinds.set(edge.schema, kind);
    }
    const a = nodeNumber.get(edge.source)!;
    const b = nodeNumber.get(edge.target)!;
    addMember(-1 - p, groups.of(kind, true, a, b));
  });
  return {
    live,
    links,
    nodeEntities,
    nodeViews,
    nodeIds,
    chartNumber,
    kinds,
    groups,
    memberCount,
    memberRef,
    memberGroup,
    propertyLinks,
    nodeNumber,
  };
}

/** Each group's members as one run, in member order (a stable counting sort of their groups). */
function membersByGroup(plan: CombinedPlan): { start: Int32Array; byGroup: Int32Array } {
  const { groups, memberCount, memberRef, memberGroup } = plan;
  const start = new Int32Array(groups.size + 1);
  for (let g = 0; g < groups.size; g++) start[g + 1] = start[g]! + groups.count[g]!;
  const next = start.slice(0, groups.size);
  const byGroup = new Int32Array(memberCount);
  for (let k = 0; k < memberCount; k++) byGroup[next[memberGroup[k]!]!++] = memberRef[k]!;
  return { start, byGroup };
}

export function buildCombinedChartElements(
  entities: readonly EntityRecord[],
  chart: Pick<ChartRecord, 'nodes'>,
  options: CombineOptions,
  typeLabel: (schema: string) => string = (schema) => schema,
  records: RecordSource = 'any',
): ChartViewModel {
  if (!options.combine) return buildChartElements(entities, chart);
  const planned = planOf(entities, chart, records);
  const view = combinedView(planned, options, typeLabel);
  if (!options.expanded || options.expanded.size === 0) viewPlans.set(view, planned);
  return view;
}

function combinedView(
  planned: CombinedPlan,
  options: CombineOptions,
  typeLabel: (schema: string) => string,
): ChartViewModel {
  const { live, links, nodeEntities, nodeViews, nodeIds, kinds, groups, propertyLinks } = planned;
  const { memberCount, memberRef } = planned;
  const { source, target } = links;

  const nodes = nodeEntities.map((entity, i) => chartNodeModel({ entity, view: nodeViews[i]! }));
  const idOf = (ref: number): string => (ref >= 0 ? links.id[ref]! : propertyLinks[-1 - ref]!.id);
  const single = (ref: number): ChartEdgeModel => {
    if (ref < 0) return propertyLinks[-1 - ref]!;
    // The relationship's own ends (a group's members may run either way).
    const { nodes: caseNodes } = links;
    return relationshipEdge(
      live[links.record[ref]!]!,
      caseNodes[source[ref]!]!.id,
      caseNodes[target[ref]!]!.id,
    );
  };
  const edges: ChartEdgeModel[] = [];
  if (groups.size === memberCount) {
    // Nothing to combine: every link as it is (groups are in the order of their first member).
    for (let k = 0; k < memberCount; k++) edges.push(single(memberRef[k]!));
    return { nodes, edges };
  }

  const { start, byGroup } = membersByGroup(planned);
  const widthBy = options.widthBy ?? 'count';
  // Sums have no common unit (seconds, euros), so their widths are relative to the largest.
  let max = 0;
  for (let g = 0; g < groups.size; g++) max = Math.max(max, groups.sum(g));
  const quoted = nodeIds.map((id) => JSON.stringify(id));
  const quotedKinds = kinds.map((kind) => JSON.stringify(kind.name));
  const expanded = options.expanded;
  for (let g = 0; g < groups.size; g++) {
    const from = start[g]!;
    const to = start[g + 1]!;
    const kind = groups.kind[g]!;
    const a = groups.source[g]!;
    const b = groups.target[g]!;
    const key =
      to - from === 1 ? undefined : bundleKeyOf(nodeIds, quoted, a, b, quotedKinds[kind]!);
    if (key === undefined || expanded?.has(key)) {
      for (let at = from; at < to; at++) edges.push(single(byGroup[at]!));
      continue;
    }
    const ids: string[] = new Array<string>(to - from);
    for (let at = from; at < to; at++) ids[at - from] = idOf(byGroup[at]!);
    edges.push(
      bundleEdge(
        key,
        { source: nodeIds[a]!, target: nodeIds[b]!, schema: kinds[kind]!.name },
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

/**
 * The overview scene of the combined view with nothing expanded and no overlay, straight from the
 * plan: equal to `buildOverviewScene(buildCombinedChartElements(…, { combine: true }), theme)`
 * (combinedElements.test.ts checks it on generated cases), without a node or edge model. A huge
 * chart's first bitmap is painted from it while those models are still being made.
 */
export function overviewSceneOfPlan(planned: CombinedPlan, theme: ChartTheme): OverviewScene {
  const { nodeEntities, nodeViews, chartNumber, groups, memberCount, memberRef } = planned;
  const { links, propertyLinks, nodeNumber } = planned;
  const nodes = nodeEntities.map((entity, i) => {
    const view = nodeViews[i]!;
    const icon = CHART_ICONS[iconKeyFor(entity.schema)] ?? CHART_ICONS[GENERIC_ICON_KEY]!;
    return { x: view.x, y: view.y, size: view.size, fill: view.color ?? icon.color };
  });
  // Each group is drawn as one link: its bundle, or its single member.
  const edgeSource = new Uint32Array(groups.size);
  const edgeTarget = new Uint32Array(groups.size);
  const edgeWeight = new Uint32Array(groups.size);
  const put = (e: number, ref: number) => {
    if (ref >= 0) {
      edgeSource[e] = chartNumber[links.source[ref]!]!;
      edgeTarget[e] = chartNumber[links.target[ref]!]!;
    } else {
      const edge = propertyLinks[-1 - ref]!;
      edgeSource[e] = nodeNumber.get(edge.source)!;
      edgeTarget[e] = nodeNumber.get(edge.target)!;
    }
    edgeWeight[e] = 1;
  };
  if (groups.size === memberCount) {
    for (let k = 0; k < memberCount; k++) put(k, memberRef[k]!);
  } else {
    const { start, byGroup } = membersByGroup(planned);
    for (let g = 0; g < groups.size; g++) {
      if (start[g + 1]! - start[g]! === 1) {
        put(g, byGroup[start[g]!]!);
      } else {
        edgeSource[g] = groups.source[g]!;
        edgeTarget[g] = groups.target[g]!;
        edgeWeight[g] = groups.count[g]!;
      }
    }
  }
  return plainScene(nodes, edgeSource, edgeTarget, edgeWeight, theme);
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
