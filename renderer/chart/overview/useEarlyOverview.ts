/**
 * The chart panel's part of a huge chart's early overview paint (earlyOverview.ts): the painter's
 * worker starts while the charts are read, and the chart view mounts one commit after the chart
 * arrives, once the paint of its first bitmap is sent (issue 13: the 50,000-node chart's first
 * render, where the paint otherwise waited for the view model, Cytoscape and the overview).
 */
import type { RefObject } from 'react';
import { useEffect, useRef, useState } from 'react';
import type { ChartRecord, EntityRecord } from '../../../shared/model/index.ts';
import type { ChartOverlay } from '../chartOverlay.ts';
import { overlayChangesView } from '../chartOverlay.ts';
import { testHooksEnabled } from '../testHooks.ts';
import { useChartTheme } from '../useChartTheme.ts';
import { OVERVIEW_NODE_BUDGET } from './ChartOverview.ts';
import { startEarlyOverview, warmEarlyOverview } from './earlyOverview.ts';
import { useKeepCaseCharts } from '../../db/queries.ts';

export interface EarlyOverview {
  /** Whether the chart view must wait (render nothing in its place this commit). */
  readonly holdView: boolean;
  /** The element the chart view fills: its size is the canvas the first bitmap is painted for. */
  readonly bodyRef: RefObject<HTMLDivElement | null>;
}

/**
 * `entities`: the case store's records (what ChartView builds from); `charts`: the case's charts
 * as read (undefined while reading); `chart`: the one to show.
 */
export function useEarlyOverview(
  entities: readonly EntityRecord[],
  charts: readonly ChartRecord[] | undefined,
  chart: ChartRecord | undefined,
  combineLinks: boolean,
  overlay: ChartOverlay,
): EarlyOverview {
  const theme = useChartTheme();
  const bodyRef = useRef<HTMLDivElement>(null);
  const [viewMounted, setViewMounted] = useState(false);
  const mountedAt = useRef(performance.now());
  const holdView =
    !viewMounted && chart !== undefined && Object.keys(chart.nodes).length > OVERVIEW_NODE_BUDGET;
  // A case this big may open a huge chart: its early painter starts while the charts are read.
  const bigCase = entities.length > OVERVIEW_NODE_BUDGET;
  const releaseWarmRef = useRef<() => void>(undefined);
  useEffect(() => {
    if (!bigCase) return undefined;
    const release = warmEarlyOverview();
    releaseWarmRef.current = release;
    return release;
  }, [bigCase]);

  useEffect(() => {
    if (charts === undefined || !testHooksEnabled()) return;
    // For the bench's timeline of the first render: when the charts were read.
    if (performance.getEntriesByName('chart:records', 'measure').length === 0) {
      performance.measure('chart:records', { start: mountedAt.current, end: performance.now() });
    }
  }, [charts]);

  useEffect(() => {
    if (viewMounted || !chart) return;
    // The painter is not needed any more once this chart's early paint is sent, or not sent.
    const release = releaseWarmRef.current;
    releaseWarmRef.current = undefined;
    const body = bodyRef.current;
    // Only the plain combined view's scene is painted early (the overview takes the bitmap only
    // if its own scene is the same).
    if (holdView && body && combineLinks && !overlayChangesView(overlay)) {
      startEarlyOverview(
        entities,
        chart,
        theme,
        body.clientWidth,
        body.clientHeight,
        OVERVIEW_NODE_BUDGET,
      );
    }
    release?.();
    setViewMounted(true);
  }, [viewMounted, holdView, chart, entities, theme, combineLinks, overlay]);

  return { holdView, bodyRef };
}

/**
 * The case workspace's part: reads the case's charts while the case loads (useKeepCaseCharts), and
 * once one of them is huge, starts the early painter's worker, so neither the chart record's read
 * nor the worker's start waits for the click on the chart tab (at 20k nodes on the loaded
 * machine the first paint waited 1.3 s for a worker started at the click). The worker stays idle
 * until the chart panel's early paint, then stops once that is back (earlyOverview.ts).
 */
export function usePrepareCharts(caseId: string): void {
  const releaseRef = useRef<() => void>(undefined);
  useKeepCaseCharts(caseId, (charts) => {
    if (releaseRef.current) return;
    if (charts.some((chart) => !chart.deleted && hasMoreNodes(chart, OVERVIEW_NODE_BUDGET))) {
      releaseRef.current = warmEarlyOverview();
    }
  });
  useEffect(
    () => () => {
      releaseRef.current?.();
      releaseRef.current = undefined;
    },
    [caseId],
  );
}

/** Whether `chart` has more than `count` nodes (without listing 50,000 keys). */
function hasMoreNodes(chart: ChartRecord, count: number): boolean {
  let seen = 0;
  for (const id in chart.nodes) if (Object.hasOwn(chart.nodes, id) && ++seen > count) return true;
  return false;
}
