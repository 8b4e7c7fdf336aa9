/**
 * Version 6: an `entities` index `[caseId+schema+id]` (issue 13: opening a million-record case).
 * The case store (renderer/db/caseStore.ts) reads a case one type at a time in slices; with only
 * `[caseId+schema]` it had to list a type's ids first and then fetch each record by its key, one
 * IndexedDB request per record. This index orders a type's records by id, so each slice is one
 * range read: from the last id read onwards, up to the slice's size.
 *
 * The schema part is stored as the encrypting middleware's keyed blind index, as in
 * `[caseId+schema]` (v4): the index shows no more than that one already did. No upgrade function:
 * IndexedDB fills a new index from the rows as they are, sealed or not.
 * Self-contained on purpose: a shipped migration must not change when the live code does.
 */
import type { Migration } from './types.ts';

export const v6: Migration = {
  version: 6,
  stores: {
    entities: 'id, caseId, [caseId+schema], [caseId+schema+id]',
  },
};
