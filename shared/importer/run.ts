import type { AbortSignalSlice } from './platform.ts';
import type { ImportBatch, ImportRunOptions, ImportSpec, ImportSummary } from './types.ts';

export async function runImport(
  chunks: AsyncIterable<Uint8Array>,
  spec: ImportSpec,
  options: ImportRunOptions,
  onBatch: (batch: ImportBatch) => void | Promise<void>,
  signal?: AbortSignalSlice,
): Promise<ImportSummary> {
  void chunks;
  void spec;
  void options;
  void onBatch;
  void signal;
  await Promise.resolve();
  return {
    rowsRead: 0,
    rowsImported: 0,
    rowsExcluded: 0,
    rowsRejected: 0,
    entitiesCreated: 0,
    entitiesMerged: 0,
  };
}
