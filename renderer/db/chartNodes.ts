/**
 * Chart node positions stored per node (schema v5, issue 13). A chart is stored as its record in
 * `charts` (with a `nodes` map, as it travels in case files and bundles) plus, in `chartNodes`,
 * one row per node moved since the record was last written whole. Reading a chart lays the rows
 * over the map, so every reader sees one ChartRecord of the usual shape:
 *
 *   - a row replaces the map's entry of its entity; a row whose entity is no longer on the chart
 *     is ignored (the record was written without it);
 *   - the chart's `updatedAt` is the newest of the record's and its rows' (a move is a new version
 *     of the chart, for sync and for the undo stack's checks).
 *
 * Moves write rows only (WriteTx.moveChartNodes), so a drag on a 50,000-node chart stores the
 * moved nodes and not the 50,000 others. Any whole write of the chart (unitOfWork's put) folds:
 * the record then holds every position and the chart's rows are removed.
 *
 * Every transaction that reads charts must also hold `chartNodes` (CHART_TABLES).
 */
import { Dexie } from 'dexie';
import { compareHlc } from '../../shared/model/index.ts';
import type { ChartNodeView, ChartRecord } from '../../shared/model/index.ts';
import type { ChartNodeRow, TesseraDatabase } from './database.ts';

/**
 * The chartNodes table, or undefined in a database opened at a schema older than v5 (tests build
 * such legacy stores to upgrade them): there every chart is its record alone.
 */
export function chartNodeTable(db: TesseraDatabase): TesseraDatabase['chartNodes'] | undefined {
  return (db.chartNodes as TesseraDatabase['chartNodes'] | undefined) ?? undefined;
}

/** `chart` with its node rows laid over its `nodes` map (the chart itself when there are none). */
export function assembleChart<T extends ChartRecord>(chart: T, rows: readonly ChartNodeRow[]): T {
  if (rows.length === 0) return chart;
  const nodes = { ...chart.nodes };
  let updatedAt = chart.updatedAt;
  for (const row of rows) {
    if (row.chartId !== chart.id || !(row.entityId in chart.nodes)) continue;
    nodes[row.entityId] = row.node;
    if (compareHlc(row.updatedAt, updatedAt) > 0) updatedAt = row.updatedAt;
  }
  return { ...chart, nodes, updatedAt };
}

/**
 * The charts as readers see them: each with its node rows. One look-up per chart (a case has a
 * few charts, each with the few rows moved since its last whole write), one after the other: side
 * by side reads let a read-write transaction on the encrypting store commit early.
 *
 * Dexie promises only, no async function: inside a transaction, awaiting a promise that made no
 * request (a case without charts) let the transaction commit under the caller (PrematureCommitError).
 */
export function withNodeRows<T extends ChartRecord>(
  db: TesseraDatabase,
  charts: readonly T[],
): Promise<T[]> {
  const table = chartNodeTable(db);
  let out: Promise<T[]> = Dexie.Promise.resolve([] as T[]);
  if (!table) return Dexie.Promise.resolve([...charts]);
  for (const chart of charts) {
    out = out.then((done) =>
      table
        .where('chartId')
        .equals(chart.id)
        .toArray()
        .then((rows) => [...done, assembleChart(chart, rows)]),
    );
  }
  return out;
}

/** One chart as readers see it, or undefined. */
export function readChart(db: TesseraDatabase, chartId: string): Promise<ChartRecord | undefined> {
  return db.charts
    .get(chartId)
    .then((chart) => (chart ? withNodeRows(db, [chart]).then(([read]) => read) : undefined));
}

/** What a live reader last laid together for one chart (see liveChart). */
export interface LiveChart {
  /** The record as the records query gave it. */
  readonly record: ChartRecord;
  /** The rows laid over it. */
  readonly rows: readonly ChartNodeRow[];
  /** The chart readers see. */
  readonly chart: ChartRecord;
}

function sameRows(a: readonly ChartNodeRow[], b: readonly ChartNodeRow[]): boolean {
  if (a.length !== b.length) return false;
  const versions = new Map(a.map((row) => [row.entityId, row.updatedAt]));
  return b.every((row) => versions.get(row.entityId) === row.updatedAt);
}

/**
 * `record` (a chart as last written whole) with `rows` (its rows) for a live reader that watches
 * the two in separate live queries, so that a drag, which writes rows only, re-reads the moved
 * rows and not the 50,000-node record. The two queries answer one after the other, so for a
 * moment one may be newer than the other; `previous` (what was laid together last time) keeps
 * the chart from flickering back:
 *
 *   - rows only go away when the chart is written whole (the write folds them in): while the
 *     record is the one seen before, rows that went away are kept until the new record arrives;
 *   - every row was written after its record's last whole write, so a row whose version is not
 *     newer than the record's was folded into it (a new record read before its rows' deletion).
 *
 * Returns `previous` itself when nothing changed, so the chart object stays the same.
 */
type NodeMap = ChartRecord['nodes'];

/**
 * Node maps that liveChart laid together from an earlier one of the same record (a drag saved):
 * the same keys, and `moved` holds every id whose entry may differ from `base`'s; `root` is the
 * first map of the chain. Readers that hold the earlier map compare those ids instead of every
 * entry: on a 50,000-node chart a for-in over the map took 35-70 ms (load 10), twice per drag,
 * and the "not on the chart" list re-scanned 150,000 records (issue 13, bench/profiles/chart.md
 * §9).
 */
const movedFrom = new WeakMap<
  NodeMap,
  { readonly base: NodeMap; readonly root: NodeMap; readonly moved: ReadonlySet<string> }
>();

/** Longest chain nodesMovedBetween follows (React renders each laid chart; a few are skipped at most). */
const MOVE_CHAIN_MAX = 16;

/**
 * The ids whose entries may differ between `before` and `after` when `after` was laid together
 * from `before` by moves alone (same keys; a superset of the ids really moved), or undefined
 * when that is not known (compare the two whole).
 */
export function nodesMovedBetween(
  before: NodeMap,
  after: NodeMap,
): ReadonlySet<string> | undefined {
  const moved = new Set<string>();
  let at = after;
  for (let steps = 0; steps < MOVE_CHAIN_MAX && at !== before; steps++) {
    const step = movedFrom.get(at);
    if (!step) return undefined;
    for (const id of step.moved) moved.add(id);
    at = step.base;
  }
  return at === before ? moved : undefined;
}

/**
 * A map with the same keys as `nodes`, the same object for every map laid from it by moves
 * alone: a memo of something that reads only which entities are on the chart keys on it.
 */
export function nodeKeysOf(nodes: NodeMap): NodeMap {
  return movedFrom.get(nodes)?.root ?? nodes;
}

/** Ids whose row differs (by version) between two row sets of one record. */
function rowsMoved(before: readonly ChartNodeRow[], after: readonly ChartNodeRow[]): Set<string> {
  const versions = new Map(before.map((row) => [row.entityId, row.updatedAt]));
  const moved = new Set<string>();
  for (const row of after) {
    if (versions.get(row.entityId) !== row.updatedAt) moved.add(row.entityId);
    versions.delete(row.entityId);
  }
  for (const id of versions.keys()) moved.add(id);
  return moved;
}

/**
 * Runs `work` when the page is idle, with a check of whether that idle moment is over (a timer
 * and no limit where there is no idle callback: tests, Node).
 */
function whenIdle(work: (idleLeft: () => boolean) => void): void {
  if (typeof requestIdleCallback === 'function') {
    requestIdleCallback((deadline) => work(() => deadline.timeRemaining() > 1), {
      timeout: 2000,
    });
  } else {
    setTimeout(() => work(() => true), 0);
  }
}

/**
 * Copies of laid node maps made ahead, in slices of keys while the page is idle, for liveChart
 * to lay the next move into instead of copying the map then: on a 50,000-node chart that copy (a
 * spread of a 50,000-key object) and its garbage were the saved drag's worst frame (56 ms of
 * copying and 63 ms of collection in one 250 ms frame at load 6, bench/profiles/chart.md §15).
 * A copy is handed out once and only complete; until then, and for maps under `minKeys`,
 * liveChart copies as before. One step cannot be split: the copy's own table grows by rehashing
 * (27 ms once at about 40,000 keys in Chromium, load 3), in whichever idle moment reaches it.
 */
export class SpareNodeMaps {
  private readonly spares = new WeakMap<
    NodeMap,
    { copy: Record<string, unknown>; done: boolean }
  >();
  /** Keys of each root map (nodeKeysOf): every map laid from it by moves has the same keys. */
  private readonly keysOf = new WeakMap<NodeMap, readonly string[]>();

  constructor(
    private readonly minKeys = 5_000,
    private readonly sliceKeys = 1_000,
    private readonly schedule: (work: (idleLeft: () => boolean) => void) => void = whenIdle,
  ) {}

  /** Starts a copy of `nodes`, unless one exists or is on its way. */
  prepare(nodes: NodeMap): void {
    if (this.spares.has(nodes)) return;
    const spare = { copy: {} as Record<string, unknown>, done: false };
    this.spares.set(nodes, spare);
    let at = 0;
    const step = (idleLeft: () => boolean) => {
      if (this.spares.get(nodes) !== spare) return;
      const root = nodeKeysOf(nodes);
      let keys = this.keysOf.get(root);
      if (!keys) {
        keys = Object.keys(nodes);
        this.keysOf.set(root, keys);
      }
      if (keys.length < this.minKeys) {
        this.spares.delete(nodes);
        return;
      }
      // Slices while the idle moment lasts: a frame's idle time is a few milliseconds while
      // the user pans, and the first slices came in the pan right after first render.
      do {
        const end = Math.min(keys.length, at + this.sliceKeys);
        for (; at < end; at++) spare.copy[keys[at]!] = nodes[keys[at]!];
      } while (at < keys.length && idleLeft());
      if (at < keys.length) this.schedule(step);
      else spare.done = true;
    };
    this.schedule(step);
  }

  /** A complete copy of `nodes` that nobody else holds (handed out once), or undefined. */
  take(nodes: NodeMap): NodeMap | undefined {
    const spare = this.spares.get(nodes);
    if (!spare?.done) return undefined;
    this.spares.delete(nodes);
    return spare.copy as NodeMap;
  }
}

const spareNodeMaps = new SpareNodeMaps();

/**
 * assembleChart(record, rows) for a live reader that showed `previous` (laid from the same
 * record), made from a spare copy of its map: only the entries whose row changed are written.
 */
function assembleFromSpare(
  previous: LiveChart,
  record: ChartRecord,
  rows: readonly ChartNodeRow[],
  spares: SpareNodeMaps,
): ChartRecord | undefined {
  if (rows.length === 0 || previous.record !== record) return undefined;
  const nodes = spares.take(previous.chart.nodes) as Record<string, ChartNodeView> | undefined;
  if (!nodes) return undefined;
  const byEntity = new Map(rows.map((row) => [row.entityId, row]));
  for (const id of rowsMoved(previous.rows, rows)) {
    if (!(id in record.nodes)) continue;
    nodes[id] = byEntity.get(id)?.node ?? record.nodes[id]!;
  }
  let updatedAt = record.updatedAt;
  for (const row of rows) {
    if (row.entityId in record.nodes && compareHlc(row.updatedAt, updatedAt) > 0) {
      updatedAt = row.updatedAt;
    }
  }
  return { ...record, nodes, updatedAt };
}

export function liveChart(
  previous: LiveChart | undefined,
  record: ChartRecord,
  rows: readonly ChartNodeRow[],
  spares: SpareNodeMaps = spareNodeMaps,
): LiveChart {
  let effective: readonly ChartNodeRow[] = rows;
  if (previous && previous.record === record && previous.rows.length > 0) {
    const newest = new Map(previous.rows.map((row) => [row.entityId, row]));
    for (const row of rows) {
      const kept = newest.get(row.entityId);
      if (!kept || compareHlc(row.updatedAt, kept.updatedAt) >= 0) newest.set(row.entityId, row);
    }
    effective = [...newest.values()];
  }
  effective = effective.filter(
    (row) => row.chartId === record.id && compareHlc(row.updatedAt, record.updatedAt) > 0,
  );
  if (previous && previous.record === record && sameRows(previous.rows, effective)) {
    return previous;
  }
  const chart =
    (previous && assembleFromSpare(previous, record, effective, spares)) ??
    assembleChart(record, effective);
  // The next move's map, copied while the page is idle.
  spares.prepare(chart.nodes);
  if (previous && previous.record === record && chart.nodes !== record.nodes) {
    // The same record with other rows: a fresh copy of its map, moved from the one shown before.
    movedFrom.set(chart.nodes, {
      base: previous.chart.nodes,
      root: nodeKeysOf(previous.chart.nodes),
      moved: rowsMoved(previous.rows, effective),
    });
  }
  return { record, rows: effective, chart };
}
