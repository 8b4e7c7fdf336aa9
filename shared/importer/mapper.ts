import type { ImportBatch, ImportRunOptions, ImportSpec, ImportSummary } from './types.ts';

export interface RowMapper {
  /** When the spec/file has a header row. */
  setHeader(cells: readonly string[]): void;
  mapRows(rows: readonly (readonly string[])[], firstRowNumber: number): ImportBatch;
  summary(): ImportSummary;
}

export function createRowMapper(spec: ImportSpec, options: ImportRunOptions): RowMapper {
  void spec;
  void options;
  return {
    setHeader: () => undefined,
    mapRows: (rows) => ({
      created: [],
      updated: [],
      problems: [],
      rowsRead: rows.length,
      rowsImported: 0,
      rowsExcluded: 0,
    }),
    summary: () => ({
      rowsRead: 0,
      rowsImported: 0,
      rowsExcluded: 0,
      rowsRejected: 0,
      entitiesCreated: 0,
      entitiesMerged: 0,
    }),
  };
}
