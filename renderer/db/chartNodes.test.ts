/**
 * Chart node positions stored per node (schema v5, issue 13): a move writes only the moved nodes'
 * rows (not the chart record), audit and undo hold only those nodes, reading the chart lays the
 * rows over its map, a whole write folds them in, and case files carry the chart as before. Each
 * test runs on a plaintext and on an encrypting store.
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import type { DBCore, DBCoreMutateRequest, Middleware } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { HybridLogicalClock } from '../../shared/model/index.ts';
import type { ChartNodeView, ChartRecord } from '../../shared/model/index.ts';
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
