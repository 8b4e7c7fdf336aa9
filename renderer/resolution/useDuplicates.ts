/**
 * State of the Duplicates panel: candidate pairs of the case (recomputed, debounced, when its
 * entities change), pairs dismissed as "not a duplicate" (per case, in the encrypted store: which
 * records an analyst ruled apart is case content) and the case's merges from the audit trail.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EntityRecord } from '../../shared/model/index.ts';
import type { DuplicateCandidate } from '../../shared/resolution/candidates.ts';
import { useAppServices } from '../core/context.ts';
import { listMerges } from '../db/mergeRepository.ts';
import type { MergeSummary } from '../db/mergeRepository.ts';
import { useEntities } from '../db/queries.ts';
import { readViewStateAdopting, saveViewState } from '../db/viewState.ts';
import {
  DISMISSED_VIEW,
  legacyDismissedKey,
  openCandidates,
  pairKey,
  resolutionInput,
  restoreDismissed,
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
  const { storage, notify } = useAppServices();
  const backend = useMemo(() => ({ db: storage.db, work: storage.work }), [storage]);
  const entities = useEntities(caseId);
  const [found, setFound] = useState<DuplicateCandidate[] | undefined>();
  const [scanning, setScanning] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [dismissed, setDismissed] = useState<{ caseId: string; pairs: ReadonlySet<string> }>();
  const merges = useLiveQuery(() => listMerges(backend.db, caseId), [backend, caseId]);

  useEffect(() => {
    let live = true;
    const keep = (pairs: ReadonlySet<string>) => {
      // A pair dismissed before the read finished is the newer state; keep it.
      if (live)
        setDismissed((previous) => (previous?.caseId === caseId ? previous : { caseId, pairs }));
    };
    readViewStateAdopting(storage.db, storage.work, caseId, DISMISSED_VIEW, {
      storage: localStorage,
      key: legacyDismissedKey(caseId),
    }).then(
      (value) => keep(restoreDismissed(value)),
      () => keep(new Set()),
    );
    return () => {
      live = false;
    };
  }, [caseId, storage]);

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
  const ruledOut = dismissed?.caseId === caseId ? dismissed.pairs : undefined;
  // No candidates until the dismissed pairs are read, so a ruled-out pair never flashes up.
  const candidates = useMemo(
    () => found && ruledOut && openCandidates(found, new Set(byId.keys()), ruledOut),
    [found, byId, ruledOut],
  );

  const current = useRef(ruledOut);
  current.current = ruledOut;
  const dismiss = useCallback(
    (candidate: DuplicateCandidate) => {
      const next = new Set(current.current).add(pairKey(candidate.a, candidate.b));
      current.current = next;
      setDismissed({ caseId, pairs: next });
      saveViewState(storage.work, caseId, DISMISSED_VIEW, [...next]).catch(() =>
        notify('The pair could not be marked as not a duplicate', 'error'),
      );
    },
    [caseId, storage, notify],
  );

  return { entities, byId, candidates, scanning, error, merges, backend, dismiss };
}
