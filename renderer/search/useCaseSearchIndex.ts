/**
 * The search index of one case: a Web Worker started for the case, fed incrementally from the
 * live queries (see indexSync.ts), terminated when the case closes or the store locks (the lock
 * screen terminates every worker, and the case view unmounts).
 *
 * Opening first loads the case's persisted index into the worker (indexStore.ts) and seeds the
 * sync with the versions it holds, so the live queries' first delivery sends only what changed
 * since; without one (or of another format) the case is indexed from its records. After a
 * change the index is saved again, debounced and only while no sync is in flight, so that the
 * versions saved are exactly those the serialised index holds.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SearchHit, SearchOptions } from '../../shared/search/types.ts';
import { useAppServices, useRepository } from '../core/context.ts';
import { useAttachments, useEntities, useNotes } from '../db/queries.ts';
import { CaseIndexSync } from '../../shared/search/indexSync.ts';
import { readPersistedIndex, savePersistedIndex } from './indexStore.ts';
import { startSearchWorker } from './searchClient.ts';
import type { StartedSearchClient } from './searchClient.ts';
import type { TesseraDatabase } from '../db/database.ts';
import { errorMessage } from '../../shared/base/errors.ts';

export interface CaseSearchIndex {
  readonly search: (query: string, options?: SearchOptions) => Promise<SearchHit[]>;
  /** Grows whenever the indexed content changed, so a shown result list can be refreshed. */
  readonly revision: number;
  /** True once the case's records have been indexed once. */
  readonly ready: boolean;
  readonly error?: string;
}

interface Running {
  readonly client: StartedSearchClient;
  readonly sync: CaseIndexSync;
}

/** Quiet time after the last change before the index is saved (a save rewrites all of it). */
const SAVE_DELAY_MS = 5000;

export function useCaseSearchIndex(caseId: string): CaseSearchIndex {
  const repository = useRepository();
  const { storage } = useAppServices();
  const db = storage.db;
  const entities = useEntities(caseId);
  const notes = useNotes(caseId);
  const attachments = useAttachments(caseId);
  const [running, setRunning] = useState<Running | null>(null);
  const [revision, setRevision] = useState(0);
  const [loaded, setLoaded] = useState({ entities: false, notes: false, attachments: false });
  const [error, setError] = useState<string | undefined>();
  const runningRef = useRef<Running | null>(null);
  const saveTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    const client = startSearchWorker();
    const sync = new CaseIndexSync(
      client,
      async (id) => {
        const blob = await repository.getAttachmentContent(id);
        return new Uint8Array(await blob.arrayBuffer());
      },
      // A case indexed for the first time is split over a second worker (both cores).
      { startHelper: startSearchWorker },
    );
    const next = { client, sync };
    let open = true;
    setRunning(null);
    setLoaded({ entities: false, notes: false, attachments: false });
    // The syncs wait for this: started on an empty worker they would send every record.
    void restoreIndex(db, caseId, next).then(() => {
      if (!open) return;
      runningRef.current = next;
      setRunning(next);
    });
    return () => {
      open = false;
      runningRef.current = null;
      clearTimeout(saveTimer.current);
      client.terminate();
    };
  }, [caseId, repository, db]);

  const scheduleSave = useCallback(
    (target: Running) => {
      clearTimeout(saveTimer.current);
      saveTimer.current = setTimeout(() => {
        if (runningRef.current !== target) return;
        if (target.sync.busy) {
          scheduleSave(target);
          return;
        }
        // Taken together, with no sync in flight: the versions are those the bytes hold.
        const versions = target.sync.versions();
        target.client
          .serialize()
          .then(
            (index) => savePersistedIndex(db, caseId, { index, versions }),
            () => undefined,
          )
          .catch(() => {
            // Locked or closed meanwhile: the next opening indexes what the saved copy lacks.
          });
      }, SAVE_DELAY_MS);
    },
    [caseId, db],
  );

  const apply = useCallback(
    (
      target: Running | null,
      part: 'entities' | 'notes' | 'attachments',
      work: ((sync: CaseIndexSync) => Promise<boolean>) | undefined,
    ) => {
      if (!target || !work) return;
      work(target.sync).then(
        (changed) => {
          if (runningRef.current !== target) return;
          if (changed) {
            setRevision((value) => value + 1);
            scheduleSave(target);
          }
          setLoaded((state) => (state[part] ? state : { ...state, [part]: true }));
        },
        (cause: unknown) => {
          if (runningRef.current !== target) return;
          setError(errorMessage(cause));
        },
      );
    },
    [scheduleSave],
  );

  useEffect(() => {
    apply(running, 'entities', entities && ((sync) => sync.syncEntities(entities)));
  }, [apply, running, entities]);
  useEffect(() => {
    apply(running, 'notes', notes && ((sync) => sync.syncNotes(notes)));
  }, [apply, running, notes]);
  useEffect(() => {
    apply(running, 'attachments', attachments && ((sync) => sync.syncAttachments(attachments)));
  }, [apply, running, attachments]);

  const search = useCallback(
    (query: string, options?: SearchOptions) =>
      running ? running.client.search(query, options) : Promise.resolve([]),
    [running],
  );

  return {
    search,
    revision,
    ready: loaded.entities && loaded.notes && loaded.attachments,
    error,
  };
}

/** Loads the case's persisted index into the worker; on any failure the case is indexed afresh. */
async function restoreIndex(
  db: TesseraDatabase,
  caseId: string,
  { client, sync }: Running,
): Promise<void> {
  try {
    const persisted = await readPersistedIndex(db, caseId);
    if (!persisted) return;
    await client.load(persisted.index);
    sync.seed(persisted.versions);
  } catch {
    // Unreadable (another format, damaged, locked meanwhile): the live records rebuild it.
  }
}
