/**
 * A case's charts, read once for every reader and from the moment the case opens (issue 13: the
 * 50,000-node chart's first render).
 *
 * Before, each reader (the chart panel, the report dialog) ran its own two live queries when it
 * mounted: a click on the chart tab began by reading the chart record (decrypted, parsed and
 * deep-cloned by Dexie's live-query cache: 0.55 s of the 50k chart's 2.35 s first render, up to
 * 2.5 s on the loaded machine). Now one pair of live queries per case (the chart records, and the
 * per-node moves laid over them, see chartNodes.ts liveChart) is shared by every reader, and the
 * case workspace starts it while the case loads (`keepCaseCharts`), so the click finds the charts
 * in memory.
 *
 * A record the records query answers again with the same id and version (`updatedAt`, a hybrid
 * logical clock: one version, one content) is kept as the object seen before, so a re-read (another
 * chart saved) leaves an unchanged chart the same object and its view is not built again.
 *
 * The reads are held by reference (`acquire`); a case's reads nobody holds are stopped a moment
 * later (a render React threw away may have looked them up without holding them).
 */
import { liveQuery } from 'dexie';
import type { ChartRecord } from '../../shared/model/index.ts';
import type { ChartNodeRow } from './database.ts';
import type { LiveChart } from './chartNodes.ts';
import { liveChart } from './chartNodes.ts';
import type { CaseRepository } from './repository.types.ts';

/** One case's shared chart reads. `subscribe`/`snapshot` fit React's useSyncExternalStore. */
export interface CaseCharts {
  /**
   * The case's charts (tombstones included, as listChartRecords gives them) with their moves laid
   * over; undefined until both reads answered. The same array until something changed.
   */
  readonly snapshot: () => ChartRecord[] | undefined;
  /** What a read failed with (the hook throws it, as useLiveQuery did). */
  readonly error: () => unknown;
  readonly subscribe: (listener: () => void) => () => void;
  /** Holds the reads until the returned release is called. */
  readonly acquire: () => () => void;
}

/** How long reads nobody holds are kept (a tab switch that unmounts one reader and mounts another). */
const DROP_DELAY_MS = 2_000;

const registries = new WeakMap<CaseRepository, Map<string, CaseCharts>>();

/** `next` with each record that has the id and version of one in `previous` replaced by that one. */
export function keepVersions(
  previous: readonly ChartRecord[] | undefined,
  next: ChartRecord[],
): ChartRecord[] {
  if (!previous || previous.length === 0) return next;
  const known = new Map(previous.map((record) => [record.id, record]));
  return next.map((record) => {
    const before = known.get(record.id);
    return before && before.updatedAt === record.updatedAt ? before : record;
  });
}

function sameItems<T>(a: readonly T[] | undefined, b: readonly T[]): boolean {
  return a !== undefined && a.length === b.length && a.every((item, i) => item === b[i]);
}

function createCaseCharts(
  repository: CaseRepository,
  caseId: string,
  registry: { readonly forget: () => void; readonly remember: () => void },
): CaseCharts {
  let records: ChartRecord[] | undefined;
  let moves: ChartNodeRow[] | undefined;
  let laid: ReadonlyMap<string, LiveChart> = new Map();
  let charts: ChartRecord[] | undefined;
  let error: unknown;
  let holders = 0;
  let dropTimer: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<() => void>();

  const publish = () => {
    for (const listener of [...listeners]) listener();
  };
  const lay = () => {
    if (!records || !moves) return;
    const byChart = new Map<string, ChartNodeRow[]>();
    for (const row of moves) {
      const list = byChart.get(row.chartId);
      if (list) list.push(row);
      else byChart.set(row.chartId, [row]);
    }
    const next = new Map<string, LiveChart>();
    const laidCharts = records.map((record) => {
      const live = liveChart(laid.get(record.id), record, byChart.get(record.id) ?? []);
      next.set(record.id, live);
      return live.chart;
    });
    // What was laid together, for the next answer of either query (see liveChart).
    laid = next;
    if (sameItems(charts, laidCharts)) return;
    charts = laidCharts;
    publish();
  };
  const failed = (reason: unknown) => {
    error = reason;
    publish();
  };
  let watching: { unsubscribe(): void }[] | undefined;
  const start = () => {
    watching = [
      liveQuery(() => repository.listChartRecords(caseId)).subscribe({
        next: (value) => {
          records = keepVersions(records, value);
          lay();
        },
        error: failed,
      }),
      liveQuery(() => repository.listChartNodeMoves(caseId)).subscribe({
        next: (value) => {
          moves = value;
          lay();
        },
        error: failed,
      }),
    ];
  };
  const dropLater = () => {
    if (dropTimer !== undefined) clearTimeout(dropTimer);
    dropTimer = setTimeout(() => {
      dropTimer = undefined;
      if (holders > 0 || !watching) return;
      for (const subscription of watching) subscription.unsubscribe();
      watching = undefined;
      registry.forget();
    }, DROP_DELAY_MS);
  };
  start();
  // Looked up by a render that may be thrown away: dropped unless someone holds it by then.
  dropLater();
  return {
    snapshot: () => charts,
    error: () => error,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    acquire: () => {
      holders++;
      if (!watching) {
        // Dropped between the render that looked it up and the effect that holds it.
        registry.remember();
        start();
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holders--;
        if (holders === 0) dropLater();
      };
    },
  };
}

/** The shared chart reads of `caseId`, started on first use (see the file's comment). */
export function caseCharts(repository: CaseRepository, caseId: string): CaseCharts {
  let registry = registries.get(repository);
  if (!registry) registries.set(repository, (registry = new Map<string, CaseCharts>()));
  let charts = registry.get(caseId);
  if (!charts) {
    const entries = registry;
    const created: CaseCharts = createCaseCharts(repository, caseId, {
      forget: () => {
        if (entries.get(caseId) === created) entries.delete(caseId);
      },
      remember: () => {
        if (!entries.has(caseId)) entries.set(caseId, created);
      },
    });
    charts = created;
    registry.set(caseId, charts);
  }
  return charts;
}
