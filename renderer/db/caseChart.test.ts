/**
 * The case chart in the store (issue 12): a case made in the app starts with a chart, and a new
 * entity lands on the case's case chart in the change that records it, so one undo takes back both.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CASE_CHART_NAME, PLACEMENT_SPACING } from '../../shared/model/caseChart.ts';
import type { TesseraDatabase } from './database.ts';
import type { CaseRepository } from './repository.types.ts';
import { dropTestDatabase, openTestRepository } from './testing/testRepository.ts';

let db: TesseraDatabase;
let repo: CaseRepository;

beforeEach(async () => {
  ({ db, repo } = await openTestRepository('case-chart-test'));
});

afterEach(() => dropTestDatabase(db));

const input = { reference: 'TST/1', title: 'Case chart', leadInvestigator: 'Insp. Test' };

describe('the case chart', () => {
  it('comes with a case made in the app, in the same undoable change', async () => {
    const kase = await repo.createCase({ ...input, withCaseChart: true });
    const charts = await repo.listCharts(kase.id);
    expect(charts.map((c) => [c.name, c.nodes])).toEqual([[CASE_CHART_NAME, {}]]);
    expect(repo.undoState().undoLabel).toBe(`Create case ${kase.reference}`);
    await repo.undo();
    expect(await repo.listCases()).toEqual([]);
    expect(await repo.listCharts(kase.id)).toEqual([]);
  });

  it('is not made for a case built record by record (imports, tests)', async () => {
    const kase = await repo.createCase(input);
    expect(await repo.listCharts(kase.id)).toEqual([]);
    // And without a chart a new entity goes nowhere.
    await repo.createEntity(kase.id, 'Person', { name: ['Marta Ionescu'] });
    expect(await repo.listCharts(kase.id)).toEqual([]);
  });

  it('receives each new entity at a free spot, a phone next to its owner, and no relationships', async () => {
    const kase = await repo.createCase({ ...input, withCaseChart: true });
    const marta = await repo.createEntity(kase.id, 'Person', { name: ['Marta Ionescu'] });
    const ion = await repo.createEntity(kase.id, 'Person', { name: ['Ion Popa'] });
    const phone = await repo.createEntity(kase.id, 'Phone', {
      number: ['+43 660 1234567'],
      owner: [ion.id],
    });
    const link = await repo.createEntity(kase.id, 'Associate', {
      person: [marta.id],
      associate: [ion.id],
    });
    const [chart] = await repo.listCharts(kase.id);
    const nodes = chart!.nodes;
    expect(Object.keys(nodes).sort()).toEqual([marta.id, ion.id, phone.id].sort());
    expect(link.id in nodes).toBe(false);
    const spots = Object.values(nodes).map((n) => `${n.x},${n.y}`);
    expect(new Set(spots).size).toBe(3);
    const distance = Math.hypot(
      nodes[phone.id]!.x - nodes[ion.id]!.x,
      nodes[phone.id]!.y - nodes[ion.id]!.y,
    );
    expect(distance).toBeLessThanOrEqual(PLACEMENT_SPACING * Math.SQRT2 + 1);

    // One undo takes back the entity and its place on the chart.
    await repo.undo(); // the relationship
    await repo.undo(); // the phone
    const [after] = await repo.listCharts(kase.id);
    expect(phone.id in after!.nodes).toBe(false);
    expect(await repo.getEntity(phone.id)).toBeUndefined();
  });

  it('is the oldest chart still there: deleting it hands the role to the next', async () => {
    const kase = await repo.createCase({ ...input, withCaseChart: true });
    const [first] = await repo.listCharts(kase.id);
    const second = await repo.createChart(kase.id, 'Suspects');
    const a = await repo.createEntity(kase.id, 'Person', { name: ['A'] });
    expect((await repo.getChart(first!.id))!.nodes[a.id]).toBeDefined();
    expect((await repo.getChart(second.id))!.nodes[a.id]).toBeUndefined();
    await repo.deleteChart(first!.id);
    const b = await repo.createEntity(kase.id, 'Person', { name: ['B'] });
    expect((await repo.getChart(second.id))!.nodes[b.id]).toBeDefined();
  });
});
