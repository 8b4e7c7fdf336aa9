import {
  DEFAULT_MARKINGS,
  HybridLogicalClock,
  newId,
  UNGRADED,
} from '../../../shared/model/index.ts';
import type { EntityProperties, EntityRecord } from '../../../shared/model/index.ts';

/**
 * An entity as the import engine makes one from row `row` of a call-record file: the import writer
 * replaces its clocks and tags it, so tests of the writer and of the worker's store start from it.
 */
export function importedEntity(
  caseId: string,
  schema: string,
  properties: EntityProperties,
  row: number,
): EntityRecord {
  const at = new HybridLogicalClock('engine').now();
  return {
    kind: 'entity',
    id: newId(),
    caseId,
    schema,
    properties,
    createdAt: at,
    updatedAt: at,
    deleted: false,
    originAgency: 'test-agency',
    markings: DEFAULT_MARKINGS,
    grading: UNGRADED,
    provenance: {
      source: 'cdr.csv',
      originAgency: 'test-agency',
      recordedBy: 'Insp. Test',
      recordedAt: '2026-12-05T12:00:00.000Z',
      imported: {
        fileName: 'cdr.csv',
        fileSha256: 'ab'.repeat(32),
        row,
        spec: 'cdr',
        specVersion: 1,
      },
    },
  };
}
