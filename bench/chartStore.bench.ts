/**
 * `npm run bench -- chartStore`: what a node drag costs the case store on a 50,000-node chart,
 * in Node (fake-indexeddb under the encrypting middleware, as the app's store is encrypted), the
 * per-node rows of schema v5 (repository.moveChartNodes, what the chart view now writes) against
 * the whole-chart write it replaces (repository.updateChart with the full node map), in the same
 * run. Each is the median of DRAGS drags of one node. The browser figure is chart.bench.ts's
 * `chart 50k drag commit ms` (real IndexedDB); this one isolates the store and runs anywhere.
 */
import 'fake-indexeddb/auto';
import { HybridLogicalClock } from '../shared/model/index.ts';
import type { ChartNodeView, ChartRecord } from '../shared/model/index.ts';
import { createRepository } from '../renderer/db/repository.ts';
import { encryptedTestDatabase } from '../renderer/db/testing/encryptedDatabase.ts';
import { createUnitOfWork } from '../renderer/db/unitOfWork.ts';

const NODES = Number(process.env['CHART_STORE_NODES'] ?? 50_000);
const DRAGS = 7;
const GOAL_MS = 50;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const { db } = await encryptedTestDatabase('chart-store-bench');
await db.open();
const repo = createRepository(
  createUnitOfWork(db, {
    actor: () => ({ userName: 'Bench', agencyId: 'bench' }),
    clock: new HybridLogicalClock('bench.node'),
  }),
);
const kase = await repo.createCase({
  reference: 'BENCH/CHART',
  title: 'Chart store',
  leadInvestigator: 'Bench',
});
// The chart's nodes need no entities to be stored (the chart view shows only those it finds).
const nodes: Record<string, ChartNodeView> = {};
for (let i = 0; i < NODES; i++)
  nodes[`node-${i}`] = { x: (i % 250) * 90, y: Math.floor(i / 250) * 90 };
let chart: ChartRecord = await repo.createChart(kase.id, 'Bench chart', nodes);

const rows: number[] = [];
const whole: number[] = [];
// Each path on its own, moves first (the whole writes' garbage would land in the moves' timings).
for (let drag = 0; drag < DRAGS; drag++) {
  const id = `node-${(drag * 7919) % NODES}`;
  const moved = { [id]: { x: drag * 3, y: drag * 5 } };
  const start = performance.now();
  await repo.moveChartNodes(chart, moved);
  rows.push(performance.now() - start);
  chart = { ...chart, nodes: { ...chart.nodes, ...moved } };
}
for (let drag = 0; drag < DRAGS; drag++) {
  const id = `node-${(drag * 7919) % NODES}`;
  const start = performance.now();
  chart = await repo.updateChart(chart.id, {
    nodes: { ...chart.nodes, [id]: { x: drag, y: drag } },
  });
  whole.push(performance.now() - start);
}
const rowsMs = median(rows);
const wholeMs = median(whole);
console.log(
  `chart ${NODES / 1000}k drag commit ms (store, Node): ${rowsMs.toFixed(1)} per-node rows vs ${wholeMs.toFixed(1)} whole chart (ratio ${(rowsMs / wholeMs).toFixed(3)}; goal ≤ ${GOAL_MS})`,
);
db.close();
await db.delete();
