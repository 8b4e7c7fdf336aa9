/**
 * Chart node positions stored per node (schema v5, issue 13): a move writes only the moved nodes'
 * rows (not the chart record), audit and undo hold only those nodes, reading the chart lays the
 * rows over its map, a whole write folds them in, and case files carry the chart as before. Each
 * test runs on a plaintext and on an encrypting store.
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { liveQuery } from 'dexie';
import type { DBCore, DBCoreMutateRequest, Middleware } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { HybridLogicalClock } from '../../shared/model/index.ts';
import type { ChartNodeView, ChartRecord } from '../../shared/model/index.ts';
import {
  assembleChart,
  liveChart,
  nodeKeysOf,
  nodesMovedBetween,
  SpareNodeMaps,
} from './chartNodes.ts';
import type { ChartNodeRow } from './database.ts';
import { TesseraDatabase } from './database.ts';
import { createRepository } from './repository.ts';
import type { CaseRepository } from './repository.types.ts';
import { encryptedTestDatabase } from './testing/encryptedDatabase.ts';
import { createUnitOfWork } from './unitOfWork.ts';

/** Every write request that reaches the tables: table name and number of rows. */
type Writes = { table: string; type: DBCoreMutateRequest['type']; rows: number }[];

function countingMiddleware(writes: Writes): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'count-writes',
    create: (down) => ({
      ...down,
      table(name) {
        const table = down.table(name);
        return {
          ...table,
          mutate(request) {
            const rows =
              request.type === 'put' || request.type === 'add'
                ? request.values.length
                : request.type === 'delete'
                  ? request.keys.length
                  : 1;
            writes.push({ table: name, type: request.type, rows });
            return table.mutate(request);
          },
        };
      },
    }),
  };
}

let counter = 0;
const opened: TesseraDatabase[] = [];

async function setup(encrypted: boolean): Promise<{
  db: TesseraDatabase;
  repo: CaseRepository;
  writes: Writes;
}> {
  counter += 1;
  const name = `chart-nodes-test-${counter}`;
  const db = encrypted
    ? (await encryptedTestDatabase(name)).db
    : new TesseraDatabase(name, undefined);
  const writes: Writes = [];
  db.use(countingMiddleware(writes));
  await db.open();
  opened.push(db);
  const repo = createRepository(
    createUnitOfWork(db, {
      actor: () => ({ userName: 'Insp. Test', agencyId: 'test-agency' }),
      clock: new HybridLogicalClock('test.node'),
    }),
  );
  return { db, repo, writes };
}

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
});

/** A case with `count` people on one chart, in a row. */
async function chartOf(repo: CaseRepository, count: number) {
  const kase = await repo.createCase({
    reference: 'TST/13',
    title: 'Big chart',
    leadInvestigator: 'Insp. Test',
  });
  const nodes: Record<string, ChartNodeView> = {};
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const person = await repo.createEntity(kase.id, 'Person', { name: [`Person ${i}`] });
    ids.push(person.id);
    nodes[person.id] = { x: i * 10, y: 0, ...(i === 0 ? { color: '#ff0000' } : {}) };
  }
  const chart = await repo.createChart(kase.id, 'Chart', nodes);
  return { kase, chart, ids };
}

describe.each([
  ['plaintext', false],
  ['encrypted', true],
])('chart node rows (%s store)', (_label, encrypted) => {
  it('a move writes only the moved nodes, and the chart reads with them', async () => {
    const { db, repo, writes } = await setup(encrypted);
    const { chart, ids } = await chartOf(repo, 20);
    writes.length = 0;

    await repo.moveChartNodes(chart, {
      [ids[0]!]: { x: 500, y: 40, color: '#ff0000' },
      [ids[3]!]: { x: -5, y: 7 },
    });

    // One put of two node rows and one audit entry; the chart record is not written.
    const recordWrites = writes.filter((w) => w.table !== 'audit');
    expect(recordWrites).toEqual([{ table: 'chartNodes', type: 'put', rows: 2 }]);
    expect(writes.filter((w) => w.table === 'audit')).toEqual([
      { table: 'audit', type: 'add', rows: 1 },
    ]);

    const read = (await repo.getChart(chart.id))!;
    expect(read.nodes[ids[0]!]).toEqual({ x: 500, y: 40, color: '#ff0000' });
    expect(read.nodes[ids[3]!]).toEqual({ x: -5, y: 7 });
    expect(read.nodes[ids[1]!]).toEqual({ x: 10, y: 0 });
    expect(Object.keys(read.nodes)).toHaveLength(20);
    expect(read.updatedAt > chart.updatedAt).toBe(true);
    expect((await repo.listCharts(chart.caseId))[0]).toEqual(read);

    // The audit entry holds the chart with only the moved nodes, before and after.
    const entry = (await db.audit.where('recordId').equals(chart.id).toArray()).find((e) =>
      e.summary.startsWith('moved'),
    )!;
    expect(entry.summary).toBe(`moved 2 nodes of chart 'Chart'`);
    expect((entry.before as ChartRecord).nodes).toEqual({
      [ids[0]!]: { x: 0, y: 0, color: '#ff0000' },
      [ids[3]!]: { x: 30, y: 0 },
    });
    expect((entry.after as ChartRecord).nodes).toEqual({
      [ids[0]!]: { x: 500, y: 40, color: '#ff0000' },
      [ids[3]!]: { x: -5, y: 7 },
    });
  });

  it('undo moves the nodes back and redo again, writing only their rows', async () => {
    const { repo, writes } = await setup(encrypted);
    const { chart, ids } = await chartOf(repo, 5);
    await repo.moveChartNodes(chart, { [ids[2]!]: { x: 1, y: 2 } });
    const first = (await repo.getChart(chart.id))!;
    await repo.moveChartNodes(first, { [ids[2]!]: { x: 3, y: 4 }, [ids[4]!]: { x: 9, y: 9 } });
    expect(repo.undoState().undoLabel).toBe('Move nodes on Chart');

    writes.length = 0;
    await repo.undo();
    expect(writes.filter((w) => w.table !== 'audit')).toEqual([
      { table: 'chartNodes', type: 'put', rows: 2 },
    ]);
    let read = (await repo.getChart(chart.id))!;
    expect(read.nodes[ids[2]!]).toEqual({ x: 1, y: 2 });
    expect(read.nodes[ids[4]!]).toEqual({ x: 40, y: 0 });

    await repo.undo();
    read = (await repo.getChart(chart.id))!;
    expect(read.nodes).toEqual(chart.nodes);

    await repo.redo();
    await repo.redo();
    read = (await repo.getChart(chart.id))!;
    expect(read.nodes[ids[2]!]).toEqual({ x: 3, y: 4 });
    expect(read.nodes[ids[4]!]).toEqual({ x: 9, y: 9 });
  });

  it('a whole write of the chart folds the rows in; undo of it keeps the moves', async () => {
    const { db, repo } = await setup(encrypted);
    const { chart, ids } = await chartOf(repo, 4);
    await repo.moveChartNodes(chart, { [ids[1]!]: { x: 100, y: 100 } });
    expect(await db.chartNodes.count()).toBe(1);

    await repo.updateChart(chart.id, { name: 'Renamed' });
    expect(await db.chartNodes.count()).toBe(0);
    const stored = (await db.charts.get(chart.id))!;
    expect(stored.nodes[ids[1]!]).toEqual({ x: 100, y: 100 });
    expect((await repo.getChart(chart.id))!.name).toBe('Renamed');

    await repo.undo(); // the rename
    const read = (await repo.getChart(chart.id))!;
    expect(read.name).toBe('Chart');
    expect(read.nodes[ids[1]!]).toEqual({ x: 100, y: 100 });
    await repo.undo(); // the move
    expect((await repo.getChart(chart.id))!.nodes).toEqual(chart.nodes);
  });

  it('a new entity placed on the case chart keeps the moved positions', async () => {
    const { repo } = await setup(encrypted);
    const kase = await repo.createCase({
      reference: 'TST/14',
      title: 'Case chart',
      leadInvestigator: 'Insp. Test',
      withCaseChart: true,
    });
    const a = await repo.createEntity(kase.id, 'Person', { name: ['A'] });
    const chart = (await repo.listCharts(kase.id))[0]!;
    await repo.moveChartNodes(chart, { [a.id]: { x: 777, y: 777 } });
    const b = await repo.createEntity(kase.id, 'Person', { name: ['B'] });
    const read = (await repo.listCharts(kase.id))[0]!;
    expect(read.nodes[a.id]).toEqual({ x: 777, y: 777 });
    expect(read.nodes[b.id]).toBeDefined();
  });

  it('a case file carries the chart exactly as a whole write of the same positions would', async () => {
    const { repo } = await setup(encrypted);
    const { kase, chart, ids } = await chartOf(repo, 6);
    const positions = { [ids[1]!]: { x: 11, y: 12 }, [ids[5]!]: { x: -3, y: 4 } };
    await repo.moveChartNodes(chart, positions);
    const moved = await repo.exportCase(kase.id);

    const { repo: other } = await setup(encrypted);
    await other.importCase(moved);
    const reimported = await other.exportCase(kase.id);
    const [exported] = moved.charts;
    expect(exported!.nodes).toEqual({ ...chart.nodes, ...positions });
    expect(reimported.charts).toEqual(moved.charts);

    // The same positions written whole give the same nodes map.
    await repo.updateChart(chart.id, { nodes: { ...chart.nodes, ...positions } });
    const whole = await repo.exportCase(kase.id);
    expect(whole.charts[0]!.nodes).toEqual(exported!.nodes);
  });
});

/** Resolves once `done()` holds (a live query has answered), or fails after two seconds. */
async function until(done: () => boolean): Promise<void> {
  const stop = Date.now() + 2_000;
  while (!done()) {
    if (Date.now() > stop) throw new Error('a live query did not answer');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.each([
  ['plaintext', false],
  ['encrypted', true],
])('chart records and moves read apart (%s store)', (_label, encrypted) => {
  it('a drag re-runs the moves query only, and the two laid together read as the chart', async () => {
    const { repo } = await setup(encrypted);
    const { chart, ids } = await chartOf(repo, 5);
    const records: ChartRecord[][] = [];
    const moves: ChartNodeRow[][] = [];
    const watching = [
      liveQuery(() => repo.listChartRecords(chart.caseId)).subscribe((v) => records.push(v)),
      liveQuery(() => repo.listChartNodeMoves(chart.caseId)).subscribe((v) => moves.push(v)),
    ];
    try {
      await until(() => records.length === 1 && moves.length === 1);
      await repo.moveChartNodes(chart, { [ids[2]!]: { x: 77, y: 8 } });
      await until(() => moves.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The 50,000-node record of the issue is not read again for a drag.
      expect(records).toHaveLength(1);
      expect(moves[1]!.map((row) => row.entityId)).toEqual([ids[2]]);
      const laid = liveChart(undefined, records[0]![0]!, moves[1]!);
      expect(laid.chart).toEqual(await repo.getChart(chart.id));

      // A whole write re-reads the record, and its rows are folded in.
      await repo.updateChart(chart.id, { name: 'Renamed' });
      await until(() => records.length === 2 && moves.length === 3);
      expect(moves[2]).toEqual([]);
      const after = liveChart(laid, records[1]![0]!, moves[2]!);
      expect(after.chart).toEqual(await repo.getChart(chart.id));
      expect(after.chart.nodes[ids[2]!]).toEqual({ x: 77, y: 8 });
    } finally {
      for (const subscription of watching) subscription.unsubscribe();
    }
  });
});

type LiveStep =
  { kind: 'move' | 'write'; node: number } | { kind: 'answerRecords' } | { kind: 'answerMoves' };

/**
 * A chart's record and its node rows as the store holds them, written by generated steps. Every
 * write gives the node it moves a higher x than any before it.
 */
class StoredChart {
  private readonly clock = new HybridLogicalClock('test.node');
  private stamp = 0;
  record: ChartRecord;
  rows: ChartNodeRow[] = [];

  constructor(ids: readonly string[]) {
    this.record = {
      id: 'chart-1',
      caseId: 'case-1',
      kind: 'chart',
      name: 'Chart',
      nodes: Object.fromEntries(ids.map((id) => [id, { x: 0, y: 0 }])),
      createdAt: this.clock.now(),
      updatedAt: this.clock.now(),
      deleted: false,
    } as unknown as ChartRecord;
  }

  /** A drag: the node's own row, replacing the one it had. */
  move(id: string, y: number): void {
    const row: ChartNodeRow = {
      chartId: this.record.id,
      entityId: id,
      caseId: this.record.caseId,
      updatedAt: this.clock.now(),
      node: { x: ++this.stamp, y },
    };
    this.rows = [...this.rows.filter((r) => r.entityId !== id), row];
  }

  /** A whole write (a layout moving `id`, or a save moving none) folds the rows into the record. */
  write(id?: string, y = 0): void {
    const whole = assembleChart(this.record, this.rows);
    const nodes = id === undefined ? whole.nodes : { ...whole.nodes, [id]: { x: ++this.stamp, y } };
    this.record = { ...whole, nodes, updatedAt: this.clock.now() };
    this.rows = [];
  }
}

describe('liveChart: the two live queries answering in any order', () => {
  const ids = ['n0', 'n1', 'n2', 'n3'];
  const step = fc.oneof(
    fc.record({ kind: fc.constantFrom('move' as const, 'write' as const), node: fc.nat(3) }),
    fc.constantFrom<LiveStep>({ kind: 'answerRecords' }, { kind: 'answerMoves' }),
  );

  it('shows the stored chart once both answered, and never an older position meanwhile', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        // Every write gives the node it moves a higher x: the x shown must never go down.
        const store = new StoredChart(ids);
        let seenRecord = store.record;
        let seenRows = store.rows;
        let live = liveChart(undefined, seenRecord, seenRows);
        const shown = new Map(ids.map((id) => [id, 0]));
        const look = () => {
          for (const id of ids) {
            const x = live.chart.nodes[id]!.x;
            expect(x).toBeGreaterThanOrEqual(shown.get(id)!);
            shown.set(id, x);
          }
        };
        for (const s of steps) {
          if (s.kind === 'move') store.move(ids[s.node]!, 0);
          else if (s.kind === 'write') store.write(ids[s.node]!);
          else {
            if (s.kind === 'answerRecords') seenRecord = store.record;
            else seenRows = store.rows;
            live = liveChart(live, seenRecord, seenRows);
            look();
          }
        }
        const { record, rows } = store;
        live = liveChart(liveChart(live, record, seenRows), record, rows);
        look();
        expect(live.chart.nodes).toEqual(assembleChart(record, rows).nodes);
      }),
      { numRuns: 300 },
    );
  });

  it('says which nodes a chart laid after a move may have changed, and nothing else differs', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const store = new StoredChart(ids);
        let seenRecord = store.record;
        let seenRows = store.rows;
        let live = liveChart(undefined, seenRecord, seenRows);
        // Every chart shown so far: each later one laid from it by moves alone must say so.
        const shown: ChartRecord[] = [live.chart];
        for (const s of steps) {
          if (s.kind === 'move') {
            store.move(ids[s.node]!, 0);
            continue;
          }
          if (s.kind === 'write') {
            store.write();
            continue;
          }
          if (s.kind === 'answerRecords') seenRecord = store.record;
          else seenRows = store.rows;
          const before = live;
          live = liveChart(live, seenRecord, seenRows);
          for (const earlier of shown) {
            const moved = nodesMovedBetween(earlier.nodes, live.chart.nodes);
            if (!moved) continue;
            // Same keys, the same key identity, and every entry outside `moved` the same.
            expect(Object.keys(live.chart.nodes).sort()).toEqual(Object.keys(earlier.nodes).sort());
            expect(nodeKeysOf(live.chart.nodes)).toBe(nodeKeysOf(earlier.nodes));
            for (const id of ids) {
              if (!moved.has(id)) expect(live.chart.nodes[id]).toEqual(earlier.nodes[id]);
            }
          }
          // A move read over the same record is always known (the drag's case).
          if (before.record === live.record) {
            expect(nodesMovedBetween(before.chart.nodes, live.chart.nodes)).toBeDefined();
          }
          shown.push(live.chart);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lays a move into a spare copy made ahead as it would copy the map, and changes no chart shown', () => {
    let taken = 0;
    fc.assert(
      // Each step after an idle moment or not.
      fc.property(fc.array(fc.tuple(step, fc.boolean()), { maxLength: 40 }), (steps) => {
        const store = new StoredChart(ids);
        let seenRecord = store.record;
        let seenRows = store.rows;
        // Copies made in slices of 3 keys when idle; the reference copies as before.
        const queue: (() => void)[] = [];
        const spares = new (class extends SpareNodeMaps {
          override take(nodes: ChartRecord['nodes']) {
            const copy = super.take(nodes);
            if (copy) taken++;
            return copy;
          }
        })(0, 3, (work) => queue.push(() => work(() => false)));
        const plain = new SpareNodeMaps(Infinity, 1, () => undefined);
        let live = liveChart(undefined, seenRecord, seenRows, spares);
        let reference = liveChart(undefined, seenRecord, seenRows, plain);
        const shown: { chart: ChartRecord; copy: ChartRecord }[] = [];
        const show = () => {
          expect(live.chart).toEqual(reference.chart);
          // The same key order too: readers see one map either way.
          expect(Object.keys(live.chart.nodes)).toEqual(Object.keys(reference.chart.nodes));
          shown.push({ chart: live.chart, copy: structuredClone(live.chart) });
        };
        show();
        for (const [s, idle] of steps) {
          // A moment idle: the copies on their way go on until done (slices: the test below).
          while (idle && queue.length > 0) queue.shift()!();
          if (s.kind === 'move') store.move(ids[s.node]!, s.node);
          else if (s.kind === 'write') store.write(ids[s.node]!, 1);
          else {
            if (s.kind === 'answerRecords') seenRecord = store.record;
            else seenRows = store.rows;
            live = liveChart(live, seenRecord, seenRows, spares);
            reference = liveChart(reference, seenRecord, seenRows, plain);
            show();
          }
        }
        // No chart handed out earlier was written into afterwards (a spare is nobody's map).
        for (const { chart, copy } of shown) expect(chart).toEqual(copy);
      }),
      { numRuns: 300 },
    );
    // The spare path itself was exercised, not only the copy it falls back to.
    expect(taken).toBeGreaterThan(50);
  });

  it('hands a spare copy out only once it is complete, and only once', () => {
    const queue: (() => void)[] = [];
    // One slice per idle moment: the moment is over after each.
    const spares = new SpareNodeMaps(2, 1, (work) => queue.push(() => work(() => false)));
    const nodes = { a: { x: 1, y: 1 }, b: { x: 2, y: 2 } };
    spares.prepare(nodes);
    spares.prepare(nodes);
    expect(queue).toHaveLength(1);
    queue.shift()!();
    expect(spares.take(nodes)).toBeUndefined();
    queue.shift()!();
    const copy = spares.take(nodes);
    expect(copy).toEqual(nodes);
    expect(copy).not.toBe(nodes);
    expect(spares.take(nodes)).toBeUndefined();
    // A map under the size floor gets no copy.
    const small = { a: { x: 1, y: 1 } };
    spares.prepare(small);
    while (queue.length > 0) queue.shift()!();
    expect(spares.take(small)).toBeUndefined();
    // A long idle moment copies a whole map in one go.
    const once = new SpareNodeMaps(2, 1, (work) => work(() => true));
    once.prepare(nodes);
    expect(once.take(nodes)).toEqual(nodes);
  });

  it('keeps the chart object while nothing it shows changed', () => {
    const clock = new HybridLogicalClock('test.node');
    const record = {
      id: 'chart-1',
      caseId: 'case-1',
      nodes: { a: { x: 1, y: 2 } },
      updatedAt: clock.now(),
    } as unknown as ChartRecord;
    const row: ChartNodeRow = {
      chartId: 'chart-1',
      entityId: 'a',
      caseId: 'case-1',
      updatedAt: clock.now(),
      node: { x: 5, y: 6 },
    };
    const first = liveChart(undefined, record, [row]);
    expect(first.chart.nodes.a).toEqual({ x: 5, y: 6 });
    expect(liveChart(first, record, [{ ...row }])).toBe(first);
  });
});

describe('chart node rows, generated moves', () => {
  it('reads as the moves applied in order, and undoing every move gives the chart back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(
            fc.record({
              node: fc.nat(7),
              x: fc.integer({ min: -1000, max: 1000 }),
              y: fc.integer({ min: -1000, max: 1000 }),
            }),
            { minLength: 1, maxLength: 4 },
          ),
          { minLength: 1, maxLength: 6 },
        ),
        fc.boolean(),
        async (moves, renameHalfway) => {
          const { db, repo } = await setup(false);
          const { chart, ids } = await chartOf(repo, 8);
          const expected: Record<string, ChartNodeView> = { ...chart.nodes };
          let changes = 0;
          for (const [index, move] of moves.entries()) {
            const current = (await repo.getChart(chart.id))!;
            const nodes: Record<string, ChartNodeView> = {};
            for (const { node, x, y } of move) {
              nodes[ids[node]!] = { ...current.nodes[ids[node]!]!, x, y };
            }
            await repo.moveChartNodes(current, nodes);
            Object.assign(expected, nodes);
            changes++;
            if (renameHalfway && index === Math.floor(moves.length / 2)) {
              await repo.updateChart(chart.id, { name: `Renamed ${index}` });
              changes++;
            }
          }
          expect((await repo.getChart(chart.id))!.nodes).toEqual(expected);
          for (let i = 0; i < changes; i++) await repo.undo();
          const back = (await repo.getChart(chart.id))!;
          expect(back.nodes).toEqual(chart.nodes);
          expect(back.name).toBe('Chart');
          db.close();
        },
      ),
      { numRuns: 15 },
    );
  });
});
