import type { Migration } from './types.ts';

/** The initial schema: one table per record kind, indexed by case and by the keys the UI looks up. */
export const v1: Migration = {
  version: 1,
  stores: {
    cases: 'id, updatedAt',
    entities: 'id, caseId, updatedAt',
    notes: 'id, caseId, entityId',
    attachments: 'id, caseId, entityId',
    attachmentBlobs: 'id',
    notices: 'id, caseId, subjectId',
    charts: 'id, caseId',
    audit: 'id, recordId, caseId, changeId',
    meta: 'key',
  },
};
