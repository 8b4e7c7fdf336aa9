/**
 * Live reads for React components. Each hook re-runs its repository read whenever Dexie sees a
 * change to the tables the read touched (dexie-react-hooks' useLiveQuery), and returns undefined
 * while the first result is loading. A case's entities are the exception: they are read once
 * into the case's in-memory store (caseStore.ts), which the unit of work keeps current. Components read through these hooks; they write through
 * useRepository().
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
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
import { caseCharts } from './caseCharts.ts';
import { errorMessage } from '../../shared/base/errors.ts';
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
 * The two queries are the case's shared reads (caseCharts.ts), usually started when the case
 * opened (useKeepCaseCharts), so a chart tab finds its chart in memory.
 */
export function useCharts(caseId: string | undefined): ChartRecord[] | undefined {
  const repository = useRepository();
  const charts = caseId ? caseCharts(repository, caseId) : undefined;
  useEffect(() => charts?.acquire(), [charts]);
  const value = useSyncExternalStore(charts ? charts.subscribe : noSubscription, () =>
    charts ? charts.snapshot() : NO_CHARTS,
  );
  const error = charts?.error();
  // As useLiveQuery did: a failed read is thrown to the nearest error boundary.
  if (error !== undefined) throw error instanceof Error ? error : new Error(errorMessage(error));
  return value;
}

const NO_CHARTS: ChartRecord[] = [];

/**
 * Starts the case's chart reads once its node entities are in (the entity table can show its
 * first page; the relationships are still loading), and holds them while the workspace is open:
 * the chart tab then finds its chart in memory instead of reading the chart record after the
 * click (issue 13). Re-renders nothing; `onCharts` (optional) sees every answer of the reads.
 */
export function useKeepCaseCharts(
  caseId: string,
  onCharts?: (charts: readonly ChartRecord[]) => void,
): void {
  const repository = useRepository();
  const onChartsRef = useRef(onCharts);
  useEffect(() => {
    onChartsRef.current = onCharts;
  });
  useEffect(() => {
    const store = repository.caseStores.store(caseId);
    let release: (() => void) | undefined;
    let unsubscribe: (() => void) | undefined;
    let unwatch: (() => void) | undefined;
    const check = () => {
      if (release) return;
      const state = store.snapshot();
      if (state.nodes === undefined && state.phase === 'loading') return;
      const charts = caseCharts(repository, caseId);
      release = charts.acquire();
      unsubscribe?.();
      unsubscribe = undefined;
      const seen = () => {
        const value = charts.snapshot();
        if (value) onChartsRef.current?.(value);
      };
      unwatch = charts.subscribe(seen);
      seen();
    };
    unsubscribe = store.subscribe(check);
    check();
    return () => {
      unsubscribe?.();
      unwatch?.();
      release?.();
    };
  }, [repository, caseId]);
}

/** The audit trail of one record, oldest first. */
export function useHistory(recordId: string | undefined): AuditEntry[] | undefined {
  const repository = useRepository();
  return useLiveQuery(() => (recordId ? repository.history(recordId) : []), [repository, recordId]);
}
