/**
 * The worker side of workerRunner.ts: answers each request with one reply of the same id. Requests
 * are handled one at a time, in the order they came, so an async handler (the search index reading
 * an attachment) never sees a later request overtake an earlier one. A handler that throws is
 * answered with its message and, where it has one, its `code`.
 */
import { errorMessage } from '../../shared/base/errors.ts';
import type { WorkerReplyMessage, WorkerRequestMessage } from './workerRunner.ts';

/** The part of a worker's global scope the host uses (a test hands in a fake). */
export interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

export interface ServeOptions<Res> {
  /** What of a result to hand back rather than copy (a positions buffer, a bitmap). */
  readonly transferOf?: (result: Res) => Transferable[];
  /** Defaults to the worker's own global scope. */
  readonly scope?: WorkerScope;
}

export function serveRequests<Req, Res>(
  handle: (request: Req) => Res | Promise<Res>,
  options: ServeOptions<Res> = {},
): void {
  const scope = options.scope ?? (globalThis as unknown as WorkerScope);
  let queue: Promise<void> = Promise.resolve();
  scope.onmessage = (event: MessageEvent) => {
    const { id, payload } = event.data as WorkerRequestMessage<Req>;
    queue = queue.then(async () => {
      let reply: WorkerReplyMessage<Res>;
      let transfer: Transferable[] = [];
      try {
        const result = await handle(payload);
        reply = { id, ok: true, result };
        transfer = options.transferOf?.(result) ?? [];
      } catch (error) {
        reply = { id, ok: false, error: errorMessage(error), ...codeOf(error) };
      }
      scope.postMessage(reply, transfer);
    });
  };
}

function codeOf(error: unknown): { code?: string } {
  if (typeof error !== 'object' || error === null || !('code' in error)) return {};
  const { code } = error as { code: unknown };
  return typeof code === 'string' ? { code } : {};
}
