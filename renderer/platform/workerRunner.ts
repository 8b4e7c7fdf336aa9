/**
 * The renderer's one way to talk to a Web Worker (issue 9: search, duplicate candidates, analysis,
 * the chart's layouts and its overview painter each had their own). A `WorkerRunner` owns one
 * worker, started on the first request:
 *
 * 1. Every request carries an id; the worker's host (workerHost.ts) answers each with exactly one
 *    reply of the same id, a result or an error, so any number may be in flight.
 * 2. Typed arrays, bitmaps and other transferables are handed over, not copied, when the caller
 *    names them (`transfer`), in both directions.
 * 3. Failures reject with a `WorkerCallError` whose `code` says what happened (the worker's own
 *    error code, where it threw one, is kept as `reason`); callers branch on the code.
 * 4. An aborted request rejects at once with `cancelled`. A worker with nothing left to do is
 *    terminated, unless it is kept alive (it holds an index, or paints frame after frame): a
 *    computation cannot be interrupted from outside, so terminating is how it is stopped.
 * 5. `terminateAll()` terminates every worker the page started through a runner, so data decrypted
 *    into a worker's memory goes with it (the lock screen calls it). Pending requests reject with
 *    `terminated`; a stateless runner starts a fresh worker on its next request, a stateful one
 *    (whose state would be silently missing) refuses.
 */
import { errorMessage } from '../../shared/base/errors.ts';

/** What a call through a runner can fail with. */
export type WorkerErrorCode =
  /** The request's AbortSignal fired. */
  | 'cancelled'
  /** The worker was terminated (terminate(), terminateAll()) before it answered. */
  | 'terminated'
  /** The worker could not start or threw outside a request (an `error` event). */
  | 'crashed'
  /** The request's handler threw; `reason` holds its code, if it had one. */
  | 'failed';

export class WorkerCallError extends Error {
  override readonly name = 'WorkerCallError';
  constructor(
    message: string,
    readonly code: WorkerErrorCode,
    /** The worker-side error's own `code`, for a `failed` request. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** A request as it travels to the worker. */
export interface WorkerRequestMessage<Req> {
  readonly id: number;
  readonly payload: Req;
}

/** The worker's answer to the request with the same id. */
export type WorkerReplyMessage<Res> =
  | { readonly id: number; readonly ok: true; readonly result: Res }
  | { readonly id: number; readonly ok: false; readonly error: string; readonly code?: string };

/** The part of a Worker the runner uses (a test hands in a fake). */
export interface WorkerPort {
  postMessage(message: unknown, transfer: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export interface WorkerRunnerOptions {
  /** Names the worker in error messages ("search", "chart layout"). */
  readonly name: string;
  /** Keep the worker between requests; otherwise it is terminated once nothing is pending. */
  readonly keepAlive?: boolean;
  /**
   * The worker holds state the caller built up (a search index): after a termination its
   * requests reject with `terminated` instead of reaching a fresh, empty worker.
   */
  readonly stateful?: boolean;
}

export interface RunOptions {
  /** Buffers (or bitmaps) handed to the worker with the request; the caller's copies empty. */
  readonly transfer?: readonly Transferable[];
  readonly signal?: AbortSignal;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: WorkerCallError): void;
  /** Removes the abort listener. */
  release(): void;
}

const live = new Set<WorkerRunner<unknown, unknown>>();

/** Terminates every runner's worker; their pending requests reject with `terminated`. */
export function terminateAll(): void {
  for (const runner of [...live]) runner.terminate();
}

export class WorkerRunner<Req, Res> {
  private worker: WorkerPort | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Set once a stateful runner's worker was terminated: it does not come back. */
  private closed = false;

  constructor(
    private readonly create: () => WorkerPort,
    private readonly options: WorkerRunnerOptions,
  ) {}

  /** Whether a worker is running now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Sends one request; resolves with the worker's result. */
  run(payload: Req, options: RunOptions = {}): Promise<Res> {
    const { signal, transfer = [] } = options;
    return new Promise<Res>((resolve, reject) => {
      if (signal?.aborted) {
        reject(this.error('cancelled', 'cancelled'));
        return;
      }
      if (this.closed) {
        reject(this.error('terminated', 'terminated'));
        return;
      }
      let worker: WorkerPort;
      try {
        worker = this.start();
      } catch (cause) {
        // The Worker constructor itself refused (a blocked or malformed script URL).
        reject(this.error('crashed', `could not start: ${errorMessage(cause)}`));
        return;
      }
      const id = this.nextId++;
      const onAbort = (): void => {
        const entry = this.pending.get(id);
        if (!entry) return;
        this.pending.delete(id);
        entry.release();
        entry.reject(this.error('cancelled', 'cancelled'));
        this.stopIfIdle();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolve as (result: unknown) => void,
        reject,
        release: () => signal?.removeEventListener('abort', onAbort),
      });
      const message: WorkerRequestMessage<Req> = { id, payload };
      try {
        worker.postMessage(message, [...transfer]);
      } catch (cause) {
        // A payload that cannot be cloned (a function, a detached buffer) fails here, not later.
        this.settle(id, (entry) =>
          entry.reject(
            this.error('failed', `could not send to ${this.options.name}: ${errorMessage(cause)}`),
          ),
        );
      }
    });
  }

  /** Stops the worker now; pending requests reject with `terminated`. */
  terminate(): void {
    if (this.options.stateful && this.worker) this.closed = true;
    this.stop(this.error('terminated', 'terminated'));
  }

  private start(): WorkerPort {
    if (this.worker) return this.worker;
    const worker = this.create();
    worker.onmessage = (event: MessageEvent) =>
      this.received(event.data as WorkerReplyMessage<Res>);
    worker.onerror = (event: ErrorEvent) => {
      // Without preventDefault the browser also reports it as an uncaught page error.
      event.preventDefault();
      const detail = event.message ? `: ${event.message}` : '';
      if (this.options.stateful) this.closed = true;
      this.stop(this.error('crashed', `crashed${detail}`));
    };
    this.worker = worker;
    live.add(this as WorkerRunner<unknown, unknown>);
    return worker;
  }

  private received(reply: WorkerReplyMessage<Res>): void {
    this.settle(reply.id, (entry) => {
      if (reply.ok) entry.resolve(reply.result);
      else entry.reject(this.error('failed', reply.error, reply.code));
    });
  }

  private settle(id: number, action: (entry: Pending) => void): void {
    const entry = this.pending.get(id);
    // A reply to a cancelled request arrives after its caller has gone: dropped.
    if (!entry) return;
    this.pending.delete(id);
    entry.release();
    action(entry);
    this.stopIfIdle();
  }

  private stopIfIdle(): void {
    if (this.pending.size === 0 && !this.options.keepAlive) this.stop(undefined);
  }

  private stop(error: WorkerCallError | undefined): void {
    const worker = this.worker;
    this.worker = undefined;
    live.delete(this as WorkerRunner<unknown, unknown>);
    if (worker) {
      worker.onmessage = null;
      worker.onerror = null;
      worker.terminate();
    }
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const entry of pending) {
      entry.release();
      if (error) entry.reject(error);
    }
  }

  private error(code: WorkerErrorCode, what: string, reason?: string): WorkerCallError {
    // A failed request says what its handler said (callers add their own context, as they did
    // before); the runner's own failures name the worker.
    const message = code === 'failed' ? what : `${this.options.name} worker ${what}`;
    return new WorkerCallError(message, code, reason);
  }
}
