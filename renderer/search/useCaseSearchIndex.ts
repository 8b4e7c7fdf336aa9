/**
 * The search index of one case: a Web Worker started for the case, fed incrementally from the
 * live queries (see indexSync.ts), terminated when the case closes.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SearchHit, SearchOptions } from '../../shared/search/types.ts';
import { useRepository } from '../core/context.ts';
import { useAttachments, useEntities, useNotes } from '../db/queries.ts';
import { CaseIndexSync } from './indexSync.ts';
import { startSearchWorker } from './searchClient.ts';
import type { StartedSearchClient } from './searchClient.ts';
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

export function useCaseSearchIndex(caseId: string): CaseSearchIndex {
  const repository = useRepository();
  const entities = useEntities(caseId);
  const notes = useNotes(caseId);
  const attachments = useAttachments(caseId);
  const [running, setRunning] = useState<Running | null>(null);
  const [revision, setRevision] = useState(0);
  const [loaded, setLoaded] = useState({ entities: false, notes: false, attachments: false });
  const [error, setError] = useState<string | undefined>();
  const runningRef = useRef<Running | null>(null);

  useEffect(() => {
    const client = startSearchWorker();
    const sync = new CaseIndexSync(client, async (id) => {
      const blob = await repository.getAttachmentContent(id);
      return new Uint8Array(await blob.arrayBuffer());
    });
    const next = { client, sync };
    runningRef.current = next;
    setRunning(next);
    setLoaded({ entities: false, notes: false, attachments: false });
    return () => {
      runningRef.current = null;
      client.terminate();
    };
  }, [caseId, repository]);

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
          if (changed) setRevision((value) => value + 1);
          setLoaded((state) => (state[part] ? state : { ...state, [part]: true }));
        },
        (cause: unknown) => {
          if (runningRef.current !== target) return;
          setError(errorMessage(cause));
        },
      );
    },
    [],
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
