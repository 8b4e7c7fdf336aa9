/**
 * State of the Duplicates panel: candidate pairs of the case (recomputed, debounced, when its
 * entities change), pairs dismissed as "not a duplicate" (localStorage, per case) and the
 * case's merges from the audit trail.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { EntityRecord } from '../../shared/model/index.ts';
import type { DuplicateCandidate } from '../../shared/resolution/candidates.ts';
import { useAppServices } from '../core/context.ts';
import { listMerges } from '../db/mergeRepository.ts';
import type { MergeSummary } from '../db/mergeRepository.ts';
import { useEntities } from '../db/queries.ts';
import {
  dismissedStorageKey,
  openCandidates,
  pairKey,
  parseDismissed,
  resolutionInput,
} from './duplicatesModel.ts';
import { findCandidates } from './findCandidates.ts';
import type { MergeBackend } from './mergeBackend.ts';
import { errorMessage } from '../../shared/base/errors.ts';

export interface DuplicatesState {
  readonly entities: readonly EntityRecord[] | undefined;
  readonly byId: ReadonlyMap<string, EntityRecord>;
  /** undefined while the first search runs. */
  readonly candidates: DuplicateCandidate[] | undefined;
  readonly scanning: boolean;
  readonly error?: string;
  readonly merges: MergeSummary[] | undefined;
  readonly backend: MergeBackend;
  dismiss(candidate: DuplicateCandidate): void;
}

const RESCAN_DELAY_MS = 250;

export function useDuplicates(caseId: string): DuplicatesState {
  const { storage } = useAppServices();
  const backend = useMemo(() => ({ db: storage.db, work: storage.work }), [storage]);
  const entities = useEntities(caseId);
  const [found, setFound] = useState<DuplicateCandidate[] | undefined>();
  const [scanning, setScanning] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [dismissed, setDismissed] = useState(() =>
    parseDismissed(localStorage.getItem(dismissedStorageKey(caseId))),
  );
  const merges = useLiveQuery(() => listMerges(backend.db, caseId), [backend, caseId]);

  useEffect(() => {
    if (!entities) return;
    let current = true;
    const timer = setTimeout(() => {
      setScanning(true);
      findCandidates(resolutionInput(entities)).then(
        (candidates) => {
          if (!current) return;
          setFound(candidates);
          setError(undefined);
          setScanning(false);
        },
        (cause: unknown) => {
          if (!current) return;
          setError(errorMessage(cause));
          setScanning(false);
        },
      );
    }, RESCAN_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [entities]);

  const byId = useMemo(() => new Map((entities ?? []).map((e) => [e.id, e])), [entities]);
  const candidates = useMemo(
    () => found && openCandidates(found, new Set(byId.keys()), dismissed),
    [found, byId, dismissed],
  );

  const dismiss = useCallback(
    (candidate: DuplicateCandidate) => {
      setDismissed((previous) => {
        const next = new Set(previous).add(pairKey(candidate.a, candidate.b));
        localStorage.setItem(dismissedStorageKey(caseId), JSON.stringify([...next]));
        return next;
      });
    },
    [caseId],
  );

  return { entities, byId, candidates, scanning, error, merges, backend, dismiss };
}
