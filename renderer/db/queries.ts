/**
 * Live reads for React components. Each hook re-runs its repository read whenever Dexie sees a
 * change to the tables the read touched (dexie-react-hooks' useLiveQuery), and returns undefined
 * while the first result is loading. A case's entities are the exception: they are read once
 * into the case's in-memory store (caseStore.ts), which the unit of work keeps current. Components read through these hooks; they write through
 * useRepository().
 */
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import type {
  AttachmentRecord,
  AuditEntry,
  CaseRecord,
  ChartRecord,
  EntityRecord,
  NoteRecord,
  NoticeRecord,
} from '../../shared/model/index.ts';
import type { CaseEntities, CaseEntityStore } from './caseStore.ts';
import type { LiveChart } from './chartNodes.ts';
import { liveChart } from './chartNodes.ts';
import { useRepository } from './repositoryContext.ts';

export function useCases(): CaseRecord[] | undefined {
  const repository = useRepository();
  return useLiveQuery(() => repository.listCases(), [repository]);
}

/** undefined while loading or when there is no such case (or no id). */
export function useCase(caseId: string | undefined): CaseRecord | undefined {
  const repository = useRepository();
  return useLiveQuery(
    () => (caseId ? repository.getCase(caseId) : undefined),
    [repository, caseId],
  );
}

const NO_ENTITIES: readonly EntityRecord[] = [];

/**
 * The store of `caseId`, held while the calling component is mounted. Rendering only looks it up
 * (creating it on first use, so the first paint already starts the load); the effect holds it,
 * and a store nobody holds is dropped a moment later (caseStore.ts), even after a render that
 * React threw away.
 */
function useCaseStore(caseId: string | undefined): CaseEntityStore | undefined {
  const { caseStores } = useRepository();
  const store = caseId ? caseStores.store(caseId) : undefined;
  useEffect(() => (caseId ? caseStores.acquire(caseId).release : undefined), [caseStores, caseId]);
  return store;
}

const noSubscription = () => () => undefined;

/**
 * The case's live entities and relationships from its in-memory store: undefined while they load.
 * The same array until something of the case changes; then a new array in which every unchanged
 * record is the same object as before (the contract of `CaseEntities`).
 */
export function useEntities(caseId: string | undefined): readonly EntityRecord[] | undefined {
  const store = useCaseStore(caseId);
  return useSyncExternalStore(store ? store.subscribe : noSubscription, () =>
    store ? store.snapshot().all : caseId ? undefined : NO_ENTITIES,
  );
}

/** The whole state of the case's store (progress, `nodes` before `all`, the last change's ids). */
export function useCaseEntities(caseId: string | undefined): CaseEntities | undefined {
  const store = useCaseStore(caseId);
  return useSyncExternalStore(store ? store.subscribe : noSubscription, () => store?.snapshot());
}

export function useEntity(entityId: string | undefined): EntityRecord | undefined {
  const repository = useRepository();
  return useLiveQuery(
    () => (entityId ? repository.getEntity(entityId) : undefined),
    [repository, entityId],
  );
}

export function useNotes(caseId: string | undefined): NoteRecord[] | undefined {
  const repository = useRepository();
  return useLiveQuery(() => (caseId ? repository.listNotes(caseId) : []), [repository, caseId]);
}

export function useAttachments(caseId: string | undefined): AttachmentRecord[] | undefined {
  const repository = useRepository();
  return useLiveQuery(
    () => (caseId ? repository.listAttachments(caseId) : []),
    [repository, caseId],
  );
}

export function useNotices(caseId: string | undefined): NoticeRecord[] | undefined {
  const repository = useRepository();
  return useLiveQuery(() => (caseId ? repository.listNotices(caseId) : []), [repository, caseId]);
}

/**
 * The case's live charts, each with the node moves since its last whole write. The records and
 * the moves are watched by two live queries: a drag writes move rows only, so it re-reads those
 * and not every chart record (a 50,000-node chart's is megabytes to decrypt, copy and lay out
 * again); liveChart keeps the two consistent while one query has answered and the other not yet.
 */
export function useCharts(caseId: string | undefined): ChartRecord[] | undefined {
  const repository = useRepository();
  const records = useLiveQuery(
    () => (caseId ? repository.listChartRecords(caseId) : []),
    [repository, caseId],
  );
  const moves = useLiveQuery(
    () => (caseId ? repository.listChartNodeMoves(caseId) : []),
    [repository, caseId],
  );
  const laid = useRef<ReadonlyMap<string, LiveChart>>(new Map());
  return useMemo(() => {
    if (!records || !moves) return undefined;
    const byChart = new Map<string, (typeof moves)[number][]>();
    for (const row of moves) {
      const list = byChart.get(row.chartId);
      if (list) list.push(row);
      else byChart.set(row.chartId, [row]);
    }
    const next = new Map<string, LiveChart>();
    const charts = records.map((record) => {
      const live = liveChart(laid.current.get(record.id), record, byChart.get(record.id) ?? []);
      next.set(record.id, live);
      return live.chart;
    });
    // What was laid together, for the next answer of either query (see liveChart).
    laid.current = next;
    return charts;
  }, [records, moves]);
}

/** The audit trail of one record, oldest first. */
export function useHistory(recordId: string | undefined): AuditEntry[] | undefined {
  const repository = useRepository();
  return useLiveQuery(() => (recordId ? repository.history(recordId) : []), [repository, recordId]);
}
