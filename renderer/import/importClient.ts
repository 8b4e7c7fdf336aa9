/**
 * The main thread's handle on the import worker (importWorker.ts), through the page's worker
 * runner: locking the app terminates it (terminateAll), as it does every worker holding case data.
 * A running import gets a worker of its own (it holds the reader's state) and, when it writes to
 * the store, a writer worker beside it (importStoreWorker.ts, holding the store's keys: ended the
 * same way); the two talk over a MessageChannel, so the records never pass through the page.
 * Detection and the live preview share one worker that stops when idle.
 */
import { WorkerRunner } from '../platform/workerRunner.ts';
import type { ImportReaderRequest, ImportReaderResponse } from './importReader.ts';
import type { ImportStoreRequest, ImportStoreResponse } from './importStore.ts';

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

/**
 * The workers of one import run; `close` terminates them. A `start` with a store opens it in the
 * writer worker (the keys go there, not to the reader) and hands the reader a port to it.
 */
export function startImportWorker(): ImportReaderPort {
  const runner = newRunner(true);
  const writer = new WorkerRunner<ImportStoreRequest, ImportStoreResponse>(
    () => new Worker(new URL('./importStoreWorker.ts', import.meta.url), { type: 'module' }),
    { name: 'import store', keepAlive: true, stateful: true },
  );
  return {
    async call(request, signal) {
      if (request.type !== 'start' || !request.store) {
        return runner.run(request, signal ? { signal } : {});
      }
      const { store, ...rest } = request;
      const channel = new MessageChannel();
      await writer.run(
        {
          type: 'open',
          target: store,
          existing: (request.options.existing ?? []).map((entity) => entity.id),
          port: channel.port2,
        },
        { transfer: [channel.port2], ...(signal ? { signal } : {}) },
      );
      return runner.run(
        { ...rest, storePort: channel.port1 },
        { transfer: [channel.port1], ...(signal ? { signal } : {}) },
      );
    },
    close() {
      runner.terminate();
      writer.terminate();
    },
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
