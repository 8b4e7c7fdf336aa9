/**
 * The case's shared chart reads (caseCharts.ts, issue 13): one read for every reader, started
 * before the chart tab asks, moves laid over the records, and an unchanged chart kept as the same
 * object when another chart of the case is saved.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HybridLogicalClock } from '../../shared/model/index.ts';
import type { ChartNodeView, ChartRecord } from '../../shared/model/index.ts';
import { caseCharts, keepVersions } from './caseCharts.ts';
import { TesseraDatabase } from './database.ts';
import { createRepository } from './repository.ts';
import type { CaseRepository } from './repository.types.ts';
import { createUnitOfWork } from './unitOfWork.ts';

let counter = 0;
const opened: TesseraDatabase[] = [];

async function setup(): Promise<CaseRepository> {
  counter += 1;
  const db = new TesseraDatabase(`case-charts-test-${counter}`, undefined);
  await db.open();
  opened.push(db);
  return createRepository(
    createUnitOfWork(db, {
      actor: () => ({ userName: 'Insp. Test', agencyId: 'test-agency' }),
      clock: new HybridLogicalClock('test.node'),
    }),
  );
}

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
});

/** Resolves once `done()` holds, or fails after two seconds. */
async function until(done: () => boolean): Promise<void> {
  const stop = Date.now() + 2_000;
  while (!done()) {
    if (Date.now() > stop) throw new Error('the chart reads did not answer');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function caseWithCharts(repo: CaseRepository) {
  const kase = await repo.createCase({
    reference: 'TST/13',
    title: 'Charts',
    leadInvestigator: 'X',
  });
  const nodes: Record<string, ChartNodeView> = {};
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const person = await repo.createEntity(kase.id, 'Person', { name: [`Person ${i}`] });
    ids.push(person.id);
    nodes[person.id] = { x: i * 10, y: 0 };
  }
  const big = await repo.createChart(kase.id, 'Big', nodes);
  const other = await repo.createChart(kase.id, 'Other', {});
  return { kase, big, other, ids };
}

/** The repository with its chart-record reads counted. */
function counting(repo: CaseRepository): { repo: CaseRepository; reads: () => number } {
  let reads = 0;
  return {
    repo: {
      ...repo,
      listChartRecords: (caseId: string) => {
        reads++;
        return repo.listChartRecords(caseId);
      },
    },
    reads: () => reads,
  };
}

describe('caseCharts', () => {
  it('reads once for every reader, and the readers share one array', async () => {
    const base = await setup();
    const { kase, big } = await caseWithCharts(base);
    const { repo, reads } = counting(base);
    const first = caseCharts(repo, kase.id);
    const release = first.acquire();
    try {
      await until(() => first.snapshot() !== undefined);
      // A second reader (the chart tab, after the workspace started the read) finds it in memory.
      const second = caseCharts(repo, kase.id);
      expect(second).toBe(first);
      expect(second.snapshot()).toBe(first.snapshot());
      expect(reads()).toBe(1);
      expect(
        first
          .snapshot()!
          .map((chart) => chart.id)
          .sort(),
      ).toEqual(
        [big.id, (await base.listChartRecords(kase.id)).find((c) => c.id !== big.id)!.id].sort(),
      );
    } finally {
      release();
    }
  });

  it('lays the moves over the record, and keeps an unchanged chart when another is saved', async () => {
    const repo = await setup();
    const { kase, big, other, ids } = await caseWithCharts(repo);
    const charts = caseCharts(repo, kase.id);
    const release = charts.acquire();
    const published: (ChartRecord[] | undefined)[] = [];
    const stop = charts.subscribe(() => published.push(charts.snapshot()));
    try {
      await until(() => charts.snapshot() !== undefined);
      const bigBefore = charts.snapshot()!.find((chart) => chart.id === big.id)!;

      await repo.moveChartNodes(bigBefore, { [ids[1]!]: { x: 99, y: 9 } });
      await until(() => charts.snapshot()!.find((c) => c.id === big.id)!.nodes[ids[1]!]!.x === 99);
      const moved = charts.snapshot()!.find((chart) => chart.id === big.id)!;
      expect(moved).toEqual(await repo.getChart(big.id));

      // Another chart's write re-reads every chart record: the big one, unchanged, stays the
      // same object (its view model is not built again).
      await repo.updateChart(other.id, { name: 'Renamed' });
      await until(() => charts.snapshot()!.some((c) => c.name === 'Renamed'));
      expect(charts.snapshot()!.find((chart) => chart.id === big.id)).toBe(moved);
      expect(published.length).toBeGreaterThan(0);
    } finally {
      stop();
      release();
    }
  });

  it('a read nobody holds is stopped, and the next reader reads again', async () => {
    const base = await setup();
    const { kase } = await caseWithCharts(base);
    const { repo, reads } = counting(base);
    const first = caseCharts(repo, kase.id);
    first.acquire()();
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    const next = caseCharts(repo, kase.id);
    expect(next).not.toBe(first);
    const release = next.acquire();
    try {
      await until(() => next.snapshot() !== undefined);
      expect(reads()).toBe(2);
    } finally {
      release();
    }
  });
});

describe('keepVersions', () => {
  const record = (id: string, updatedAt: string, name: string) =>
    ({ id, updatedAt, name }) as unknown as ChartRecord;

  it('keeps the object seen before for every record of the same id and version', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.nat(2)), { maxLength: 4 }),
        (before, after) => {
          const previous = before.map((id) => record(id, '1', `old ${id}`));
          const next = after.map(([id, v]) => record(id, String(v), `new ${id}`));
          const kept = keepVersions(previous, next);
          expect(kept).toHaveLength(next.length);
          kept.forEach((chart, i) => {
            const old = previous.find(
              (p) => p.id === chart.id && p.updatedAt === next[i]!.updatedAt,
            );
            expect(chart).toBe(old ?? next[i]);
          });
        },
      ),
    );
  });
});
