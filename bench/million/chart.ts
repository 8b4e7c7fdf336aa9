/**
 * `chart` section of `npm run bench -- million`: the chart of the million-record call case with
 * every phone on it (20,000 nodes, placed as "Add to chart → all" places them: busiest first on
 * a square spiral, overview/activityOrder.ts). It runs, in Node, what the app runs from the
 * case's records to the overview bitmap, stage by stage and as one figure:
 *
 *   index      the records by id, which the overlay reads for rules and grouping; the chart
 *              view builds it only for an overlay that needs it (ChartView's `needsEntities`),
 *              so with no rules, as here, it is not built (0 ms) but still printed;
 *   place      the busiest-first order and the spiral (ChartPanel's addToChart); its count of
 *              calls per phone reads the case's relationship columns, which the one walk over
 *              the records makes here (renderer/chart/overview/caseLinks.ts) and keeps;
 *   build      the view model: phones as nodes and the calls between them combined into one
 *              aggregated link per phone pair (count, total duration, date range), the calls
 *              themselves kept only as member ids to expand on demand (one pass over those
 *              columns into columns per pair, renderer/chart/combinedElements.ts);
 *   overlay    the chart's overlay (no filters or rules: the view as it is);
 *   scene      the overview scene (typed arrays, with each link's weight, overview/overviewScene.ts);
 *   paint      the painter's pass over the scene into a recording 2D context (the canvas work
 *              itself runs in the overview worker in the app and is not in this figure).
 *
 * Prints `chart 1M calls overview ms: X` (goal ≤ 5,000) with the link and node counts, the
 * view model's time (from the kept columns, and with the columns read afresh) against the
 * two-step build it replaces (buildChartElements, a model per call, then combineParallelLinks)
 * in the same run, and what the overview emphasises (the top pairs). Writes the overview as an
 * SVG to $CHART_OVERVIEW_SVG when set, for a look at it.
 */
import { writeFile } from 'node:fs/promises';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import type { ChartRecord, EntityRecord } from '../../shared/model/index.ts';
import { placeNewNodes } from '../../shared/model/caseChart.ts';
import { placementOrder } from '../../renderer/chart/overview/activityOrder.ts';
import { caseLinks } from '../../renderer/chart/overview/caseLinks.ts';
import {
  buildChartElements,
  LIGHT_CHART_THEME,
  schemaLabel,
} from '../../renderer/chart/chartModel.ts';
import { buildCombinedChartElements } from '../../renderer/chart/combinedElements.ts';
import type { ChartOverlay } from '../../renderer/chart/chartOverlay.ts';
import { applyOverlay, overlayChangesView } from '../../renderer/chart/chartOverlay.ts';
import { combineParallelLinks } from '../../renderer/chart/parallelLinks.ts';
import type { Paint2D } from '../../renderer/chart/overview/overviewScene.ts';
import {
  buildOverviewScene,
  paintScene,
  rasterFor,
  sceneToSvg,
  tierAlphas,
} from '../../renderer/chart/overview/overviewScene.ts';
import { loadMillionCase } from './case.ts';
import type { MillionSection } from './section.ts';

const OVERVIEW_GOAL_MS = 5_000;

/**
 * Every node entity of the case on one chart, placed as "Add to chart → all" places them. The
 * node entities (live, not relationships, in the list's order) are taken from the relationship
 * columns' walk, which the placement makes anyway (the store keeps the same list as `nodes`).
 */
function allOnChart(entities: readonly EntityRecord[]): ChartRecord {
  const ids = caseLinks(entities).nodes.map((e) => e.id);
  const nodes = placeNewNodes([], placementOrder(entities, ids), { x: 0, y: 0 });
  const hlc = '0019d46570000-0000-bench.chart';
  return {
    kind: 'chart',
    id: 'million-chart',
    caseId: 'million-case',
    name: 'All phones',
    nodes,
    layout: 'grid',
    createdAt: hlc,
    updatedAt: hlc,
    deleted: false,
    originAgency: 'bench',
    markings: { classification: 'OFFICIAL', tlp: 'AMBER', handling: [] },
  } as unknown as ChartRecord;
}

/** A 2D context that only counts what it is asked to draw. */
function recordingContext(): Paint2D & { readonly ops: number } {
  let ops = 0;
  const count = () => {
    ops++;
  };
  return {
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    globalAlpha: 1,
    fillRect: count,
    strokeRect: count,
    beginPath: count,
    moveTo: count,
    lineTo: count,
    arc: count,
    rect: count,
    fill: count,
    stroke: count,
    get ops() {
      return ops;
    },
  };
}

export const chartSection: MillionSection = {
  name: 'chart',
  async run({ rows }) {
    const { entities } = await loadMillionCase(rows);
    const calls = entities.filter((e) => e.schema === 'Call').length;
    const times: [string, number][] = [];
    const timed = <T>(name: string, work: () => T): T => {
      const start = performance.now();
      const result = work();
      times.push([name, performance.now() - start]);
      return result;
    };
    const overlay: ChartOverlay = { rules: [] };
    // Garbage collections during the stages: with 1.3 GB of records on the heap, the copies of
    // the new edge models (and any full collection) are a share of the figure worth knowing.
    const collections: PerformanceEntry[] = [];
    const gcObserver = new PerformanceObserver((list) => collections.push(...list.getEntries()));
    gcObserver.observe({ entryTypes: ['gc'] });
    const start = performance.now();
    const byId = timed('index', () =>
      overlayChangesView(overlay)
        ? new Map(entities.map((e) => [e.id, e]))
        : new Map<string, EntityRecord>(),
    );
    const chart = timed('place', () => allOnChart(entities));
    const options = { combine: true, widthBy: 'count' } as const;
    const view = timed('build', () =>
      // The case file's records are what the case store holds: live, each id once.
      buildCombinedChartElements(entities, chart, options, schemaLabel, 'store'),
    );
    const drawn = timed('overlay', () => applyOverlay(view, byId, overlay));
    const scene = timed('scene', () => buildOverviewScene(drawn, LIGHT_CHART_THEME));
    const context = recordingContext();
    timed('paint', () => paintScene(context, scene, rasterFor(scene.bounds)));
    const total = performance.now() - start;
    // Entries are delivered a while after the work that caused them: let them in, then stop.
    await new Promise((resolve) => setTimeout(resolve, 200));
    gcObserver.disconnect();
    const during = collections.filter(
      (entry) => entry.startTime >= start && entry.startTime <= start + total,
    );
    const major = during.filter(
      (entry) =>
        // A gc entry's detail says which collector ran (Node's perf_hooks; not in this typing).
        (entry as PerformanceEntry & { readonly detail?: { readonly kind?: number } }).detail
          ?.kind === constants.NODE_PERFORMANCE_GC_MAJOR,
    );
    const gcMs = (entries: readonly PerformanceEntry[]) =>
      Math.round(entries.reduce((sum, entry) => sum + entry.duration, 0));
    const links = drawn.edges.length;
    const members = drawn.edges.reduce((sum, edge) => sum + (edge.members?.length ?? 1), 0);
    console.log(
      `chart 1M calls: ${calls} calls, ${drawn.nodes.length} phones on the chart, ${links} aggregated links (one per pair) standing for ${members} calls`,
    );
    console.log(
      `chart 1M calls top pairs: ${scene.edgeWeight.filter((w) => w >= scene.strongWeight).length} links of ${scene.strongWeight}+ calls drawn on top in the accent; single-call links at opacity ${tierAlphas(links)[0]!.toFixed(2)}`,
    );
    console.log(
      `chart 1M calls stages ms: ${times.map(([name, ms]) => `${name} ${Math.round(ms)}`).join(', ')}`,
    );
    console.log(
      `chart 1M calls gc during the stages: ${during.length} collections, ${gcMs(during)} ms (${major.length} full, ${gcMs(major)} ms)`,
    );
    console.log(
      `chart 1M calls overview ms: ${Math.round(total)} (goal ≤ ${OVERVIEW_GOAL_MS}; records in memory → overview painted, Node)`,
    );
    // The references: the same one-pass build on a copy of the list, so its relationship
    // columns are read afresh (the walk the place stage paid above), and the two-step build it
    // replaces (a model per call, then combined).
    const fresh = performance.now();
    buildCombinedChartElements([...entities], chart, options, schemaLabel, 'store');
    const freshMs = performance.now() - fresh;
    const before = performance.now();
    const twoStep = combineParallelLinks(
      applyOverlay(buildChartElements(entities, chart), byId, overlay),
      options,
      schemaLabel,
    );
    const twoStepMs = performance.now() - before;
    if (twoStep.edges.length !== drawn.edges.length) throw new Error('the two builds differ');
    const buildMs = times.find(([name]) => name === 'build')![1];
    console.log(
      `chart 1M calls view model ms: ${Math.round(buildMs)} from the kept columns, ${Math.round(freshMs)} reading them afresh vs ${Math.round(twoStepMs)} two steps (ratio ${(freshMs / twoStepMs).toFixed(2)})`,
    );
    const svgPath = process.env['CHART_OVERVIEW_SVG'];
    if (svgPath) await writeFile(svgPath, sceneToSvg(scene));
  },
};
