/**
 * The main thread's handle on the import worker (importWorker.ts), through the page's worker
 * runner: locking the app terminates it (terminateAll), as it does every worker holding case data.
 * A running import gets a worker of its own (it holds the reader's state); detection and the live
 * preview share one that stops when idle.
 */
import { WorkerRunner } from '../platform/workerRunner.ts';
import type { ImportReaderRequest, ImportReaderResponse } from './importReader.ts';

/** What the pipeline and the wizard ask the reader through (tests pass an in-process one). */
export interface ImportReaderPort {
  call(request: ImportReaderRequest, signal?: AbortSignal): Promise<ImportReaderResponse>;
  close(): void;
}

function newRunner(stateful: boolean): WorkerRunner<ImportReaderRequest, ImportReaderResponse> {
  return new WorkerRunner<ImportReaderRequest, ImportReaderResponse>(
    () => new Worker(new URL('./importWorker.ts', import.meta.url), { type: 'module' }),
    { name: 'import', keepAlive: stateful, stateful },
  );
}

/** A worker for one import run; `close` terminates it. */
export function startImportWorker(): ImportReaderPort {
  const runner = newRunner(true);
  return {
    call: (request, signal) => runner.run(request, signal ? { signal } : {}),
    close: () => runner.terminate(),
  };
}

let previewRunner: WorkerRunner<ImportReaderRequest, ImportReaderResponse> | undefined;

/** Detection and the live preview (stateless requests). */
export function previewWorker(): ImportReaderPort {
  previewRunner ??= newRunner(false);
  const runner = previewRunner;
  return {
    call: (request, signal) => runner.run(request, signal ? { signal } : {}),
    close: () => undefined,
  };
}
