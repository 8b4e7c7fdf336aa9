/**
 * Version 2: entities get a normalised `searchText` (caption and names, lower case, accents folded)
 * and a `[caseId+schema]` compound index, so the entity table can filter by type and the quick
 * search can do prefix look-ups without loading a whole case. The upgrade backfills `searchText`
 * for every stored entity.
 */
import type { EntityRecord } from '../../../shared/model/index.ts';
import { entitySearchText } from '../searchText.ts';
import type { Migration } from './types.ts';

export const v2: Migration = {
  version: 2,
  stores: {
    entities: 'id, caseId, [caseId+schema], updatedAt, searchText',
    audit: 'id, recordId, caseId, changeId, hlc',
  },
  async upgrade(tx) {
    await tx
      .table<EntityRecord & { searchText?: string }, string>('entities')
      .toCollection()
      .modify((entity) => {
        entity.searchText = entitySearchText(entity.schema, entity.properties);
      });
  },
};
