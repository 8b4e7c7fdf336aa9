/**
 * Live reads for React components. Each hook re-runs its repository read whenever Dexie sees a
 * change to the tables the read touched (dexie-react-hooks' useLiveQuery), and returns undefined
 * while the first result is loading. Components read through these hooks; they write through
 * useRepository().
 */
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

export function useEntities(caseId: string | undefined): EntityRecord[] | undefined {
  const repository = useRepository();
  return useLiveQuery(() => (caseId ? repository.listEntities(caseId) : []), [repository, caseId]);
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

export function useCharts(caseId: string | undefined): ChartRecord[] | undefined {
  const repository = useRepository();
  return useLiveQuery(() => (caseId ? repository.listCharts(caseId) : []), [repository, caseId]);
}

export function useChart(chartId: string | undefined): ChartRecord | undefined {
  const repository = useRepository();
  return useLiveQuery(
    () => (chartId ? repository.getChart(chartId) : undefined),
    [repository, chartId],
  );
}

/** The audit trail of one record, oldest first. */
export function useHistory(recordId: string | undefined): AuditEntry[] | undefined {
  const repository = useRepository();
  return useLiveQuery(() => (recordId ? repository.history(recordId) : []), [repository, recordId]);
}
