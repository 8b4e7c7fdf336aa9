/**
 * A generated case for chart tests and the chart benchmark: a seeded scale-free graph
 * (shared/layout/generate.ts, 2 edges per node) as people and companies linked by associations
 * and directorships, and one chart holding every entity, laid out by Tessera's force layout in
 * Node (so no layout runs in the page). Written straight into the app's IndexedDB.
 */
import type { Page } from 'playwright-core';
import { createRandom, forceLayout, generateScaleFreeGraph } from '../../shared/layout/index.ts';
import type {
  CaseRecord,
  ChartNodeView,
  ChartRecord,
  EntityRecord,
} from '../../shared/model/index.ts';
import { DEFAULT_MARKINGS, formatHlc, UNGRADED, validateEntity } from '../../shared/model/index.ts';
import { entitySearchText } from '../../renderer/db/searchText.ts';

/**
 * Headers for generated records: each call stamps the next hybrid logical clock tick (from
 * 2024-01-01, node "bench"), with default markings and agency "bench".
 */
export function createRecordHeaders(): (id: string) => {
  id: string;
  createdAt: string;
  updatedAt: string;
  deleted: false;
  originAgency: string;
  markings: typeof DEFAULT_MARKINGS;
} {
  let counter = 0;
  return (id) => {
    counter += 1;
    const stamp = formatHlc({
      wallMs: Date.UTC(2024, 0, 1) + Math.floor(counter / 60000),
      counter: counter % 60000,
      node: 'bench',
    });
    return {
      id,
      createdAt: stamp,
      updatedAt: stamp,
      deleted: false,
      originAgency: 'bench',
      markings: DEFAULT_MARKINGS,
    };
  };
}

/** Drawn node diameter the layout keeps apart (the chart's default node size). */
const NODE_SIZE = 40;

export interface GeneratedCase {
  readonly caseRecord: CaseRecord;
  readonly entities: (EntityRecord & { searchText: string })[];
  readonly chart: ChartRecord;
  readonly nodeCount: number;
  readonly edgeCount: number;
}

/** Entities (people and companies), one relationship per graph edge, and a laid-out chart. */
export function generateChartCase(
  caseId: string,
  title: string,
  nodeCount: number,
  seed: number,
): GeneratedCase {
  const graph = generateScaleFreeGraph(nodeCount, { edgesPerNode: 2, seed });
  const random = createRandom(seed + 1);
  const common = createRecordHeaders();
  const provenance = {
    source: 'bench',
    originAgency: 'bench',
    recordedBy: 'bench',
    recordedAt: '2024-01-01',
  };
  const entityId = (i: number) => `${caseId}-n${i}`;
  const isCompany = (i: number) => i % 5 === 0;
  const entities: (EntityRecord & { searchText: string })[] = [];
  const push = (record: Omit<EntityRecord, 'searchText'>) =>
    entities.push({
      ...(record as EntityRecord),
      searchText: entitySearchText(record.schema, record.properties),
    });
  for (let i = 0; i < nodeCount; i++) {
    push({
      ...common(entityId(i)),
      kind: 'entity',
      caseId,
      schema: isCompany(i) ? 'Company' : 'Person',
      properties: isCompany(i)
        ? { name: [`Holding ${i} SRL`], jurisdiction: [i % 2 ? 'ro' : 'at'] }
        : { name: [`Person ${i}`], nationality: [i % 3 ? 'ro' : 'it'] },
      provenance,
      grading: UNGRADED,
    } as EntityRecord);
  }
  for (let k = 0; k < graph.edgeSources.length; k++) {
    const s = graph.edgeSources[k]!;
    const t = graph.edgeTargets[k]!;
    let properties: Record<string, string[]>;
    let schema: string;
    if (isCompany(s) || isCompany(t)) {
      const org = isCompany(t) ? t : s;
      const other = org === t ? s : t;
      schema = 'Directorship';
      properties = { director: [entityId(other)], organization: [entityId(org)] };
    } else {
      schema = 'Associate';
      properties = { person: [entityId(s)], associate: [entityId(t)] };
    }
    push({
      ...common(`${caseId}-r${k}`),
      kind: 'entity',
      caseId,
      schema,
      properties,
      provenance,
      grading: UNGRADED,
    } as EntityRecord);
  }
  // The records skip importCase's checks, so check them here (on a sample: they are uniform).
  const ids = new Set(entities.map((e) => e.id));
  for (let i = 0; i < entities.length; i += Math.max(1, Math.floor(entities.length / 500))) {
    const entity = entities[i]!;
    const problems = Object.values(validateEntity(entity.schema, entity.properties, ids));
    if (problems.length > 0) throw new Error(`generated ${entity.id}: ${problems.join('; ')}`);
  }

  const positions = forceLayout(
    { ...graph, nodeSizes: new Float32Array(nodeCount).fill(NODE_SIZE) },
    { seed: Math.floor(random() * 1e6) },
  );
  const nodes: Record<string, ChartNodeView> = {};
  for (let i = 0; i < nodeCount; i++) {
    nodes[entityId(i)] = {
      x: Math.round(positions[2 * i]! * 10) / 10,
      y: Math.round(positions[2 * i + 1]! * 10) / 10,
    };
  }
  const caseRecord = {
    ...common(caseId),
    kind: 'case',
    reference: `BENCH/${nodeCount}`,
    title,
    status: 'open',
    leadInvestigator: 'Bench',
    crimeAreas: [],
    jurisdictions: ['ro'],
    openedOn: '2024-01-01',
  } as unknown as CaseRecord;
  const chart = {
    ...common(`${caseId}-chart`),
    kind: 'chart',
    caseId,
    name: 'All entities',
    nodes,
    layout: 'force-fast',
  } as ChartRecord;
  return { caseRecord, entities, chart, nodeCount, edgeCount: graph.edgeSources.length };
}

/** Entities are written in chunks of this many, so no one CDP message is huge. */
const WRITE_CHUNK = 10_000;

/**
 * Raw bulkPut into the app's own tables through the app test hook (`__tesseraApp.storage()`),
 * skipping the repository: the records are built and checked by generateChartCase.
 */
export async function writeGeneratedCase(page: Page, generated: GeneratedCase): Promise<void> {
  for (let start = 0; start < generated.entities.length; start += WRITE_CHUNK) {
    const chunk = generated.entities.slice(start, start + WRITE_CHUNK);
    await page.evaluate(async (json) => {
      const { db } = await window.__tesseraApp!.storage();
      // One string crosses CDP far faster than Playwright's walk of 10,000 nested objects.
      await db.entities.bulkPut(JSON.parse(json) as Parameters<typeof db.entities.bulkPut>[0]);
    }, JSON.stringify(chunk));
  }
  await page.evaluate(
    async ({ caseRecord, chart }) => {
      const { db } = await window.__tesseraApp!.storage();
      await db.transaction('rw', db.cases, db.charts, async () => {
        await db.cases.put(caseRecord as Parameters<typeof db.cases.put>[0]);
        await db.charts.put(chart as Parameters<typeof db.charts.put>[0]);
      });
    },
    { caseRecord: generated.caseRecord, chart: generated.chart },
  );
}

/**
 * Writes a generated case into the app of a freshly opened page (test hooks on), reloads, opens the
 * case and its chart, and waits until every node of it is drawn.
 */
export async function openGeneratedChart(page: Page, generated: GeneratedCase): Promise<void> {
  await page.waitForFunction(() => window.__tesseraApp !== undefined);
  await writeGeneratedCase(page, generated);
  await page.reload();
  await page.locator('.case-open-link', { hasText: generated.caseRecord.title }).click();
  await page.getByTestId('case-workspace').waitFor();
  await page.getByTestId('tab-chart').click();
  // Not vitest's expect.poll: the benchmarks import this module outside the test runner.
  await page.waitForFunction(
    (count) =>
      document.querySelector('[data-testid="chart-view"]')?.getAttribute('data-node-count') ===
      count,
    String(generated.nodeCount),
    { timeout: 60_000 },
  );
}
