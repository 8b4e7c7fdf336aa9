/**
 * A case's search index, persisted so that reopening the case loads it instead of indexing every
 * record again (issue 13: a million-record case took minutes to index).
 *
 * One row of the `meta` table per case, under `case:<id>:search-index`, so it goes when the case
 * is purged. The row's `content` is a Blob: the encrypting store seals Blob fields in 1 MiB chunks
 * (renderer/db/encryption.ts), where a value inside `value` would be sealed as JSON, which a
 * hundred-megabyte index should not be. The Blob holds, in one binary container (shared/search/
 * binary.ts): the index's own persisted form and, per record kind, the id and `updatedAt` of
 * every record it holds (CaseIndexSync.versions).
 *
 * Those versions are the fingerprint that tells a stale index: on reopening, the sync compares
 * them with the live records and sends only what was added, changed or removed since the save.
 * They are per record rather than one "highest HLC and count", because records received from a
 * partner agency carry the partner's clocks, and an older clock on a newly received record would
 * pass a highest-HLC check unseen. A different SEARCH_INDEX_FORMAT is a rebuild.
 *
 * The row is written directly, not through the unit of work: an index is derived data, so it has
 * no audit entry and no undo step, and the unit of work's `putMeta` stores its value inside the
 * record envelope rather than as a chunked Blob.
 */
import type { MetaEntry, TesseraDatabase } from '../db/database.ts';
import { caseMetaPrefix } from '../db/unitOfWork.ts';
import { SearchIndexError } from '../../shared/search/binary.ts';
import {
  decodePersistedIndex,
  encodePersistedIndexParts,
  VERSION_KINDS,
} from '../../shared/search/persisted.ts';
import type { LoadedIndex, PersistedIndex } from '../../shared/search/persisted.ts';
import { SEARCH_INDEX_FORMAT } from '../../shared/search/searchIndex.ts';

export type { PersistedIndex } from '../../shared/search/persisted.ts';

export function searchIndexKey(caseId: string): string {
  return `${caseMetaPrefix(caseId)}search-index`;
}

/** What the row's `value` says about its content, readable without opening the Blob. */
export interface PersistedIndexInfo {
  readonly format: number;
  readonly documents: number;
  readonly bytes: number;
}

interface PersistedIndexRow extends MetaEntry {
  readonly value: PersistedIndexInfo;
  readonly content: Blob;
}

const nextTask = (): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, 0);
  });

export async function savePersistedIndex(
  db: TesseraDatabase,
  caseId: string,
  persisted: PersistedIndex,
): Promise<void> {
  // In slices, between which the page draws frames; the Blob takes the parts as they are.
  const parts = await encodePersistedIndexParts(persisted, nextTask);
  const row: PersistedIndexRow = {
    key: searchIndexKey(caseId),
    value: {
      format: SEARCH_INDEX_FORMAT,
      documents: VERSION_KINDS.reduce((sum, kind) => sum + persisted.versions[kind].size, 0),
      bytes: parts.reduce((sum, part) => sum + part.byteLength, 0),
    },
    content: new Blob(parts as Uint8Array<ArrayBuffer>[]),
  };
  await db.meta.put(row);
}

/**
 * The case's persisted index, or undefined when there is none or it is of another format (then
 * the caller indexes the case afresh). Throws what the store throws (locked, tampered).
 */
export async function readPersistedIndex(
  db: TesseraDatabase,
  caseId: string,
): Promise<LoadedIndex | undefined> {
  const row = (await db.meta.get(searchIndexKey(caseId))) as Partial<PersistedIndexRow> | undefined;
  if (!row || row.value?.format !== SEARCH_INDEX_FORMAT || !(row.content instanceof Blob)) {
    return undefined;
  }
  try {
    return decodePersistedIndex(new Uint8Array(await row.content.arrayBuffer()));
  } catch (error) {
    if (error instanceof SearchIndexError) return undefined;
    throw error;
  }
}

/** Forgets the case's persisted index (it will be rebuilt on the next opening). */
export async function dropPersistedIndex(db: TesseraDatabase, caseId: string): Promise<void> {
  await db.meta.delete(searchIndexKey(caseId));
}
