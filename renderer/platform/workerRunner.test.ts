import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serveRequests } from './workerHost.ts';
import type { WorkerScope } from './workerHost.ts';
import { terminateAll, WorkerCallError, WorkerRunner } from './workerRunner.ts';
import type { WorkerErrorCode, WorkerPort } from './workerRunner.ts';

/**
 * A Worker in the same thread: messages are structured-cloned (transferables moved, as a real
 * worker does) and delivered on a later task, and a terminated worker hears nothing more.
 */
class FakeWorker implements WorkerPort {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  terminated = false;
  readonly scope: WorkerScope;
  private inside: ((event: MessageEvent) => void) | null = null;

  constructor() {
    const scope: WorkerScope = {
      onmessage: null,
      postMessage: (message, transfer) => {
        const copy = structuredClone(message, { transfer });
        setTimeout(() => {
          if (!this.terminated) this.onmessage?.({ data: copy } as MessageEvent);
        });
      },
    };
    this.scope = scope;
    this.inside = (event) => scope.onmessage?.(event);
  }

  postMessage(message: unknown, transfer: Transferable[]): void {
    const copy = structuredClone(message, { transfer });
    setTimeout(() => {
      if (!this.terminated) this.inside?.({ data: copy } as MessageEvent);
    });
  }

  terminate(): void {
    this.terminated = true;
  }

  /** What a worker's uncaught error or failed start does. */
  crash(message: string): void {
    this.onerror?.({ message, preventDefault: () => undefined } as ErrorEvent);
  }
}

interface Setup<Req, Res> {
  runner: WorkerRunner<Req, Res>;
  started: FakeWorker[];
}

function setup<Req, Res>(
  handle: (request: Req) => Res | Promise<Res>,
  options: {
    keepAlive?: boolean;
    stateful?: boolean;
    transferOf?: (result: Res) => Transferable[];
  } = {},
): Setup<Req, Res> {
  const started: FakeWorker[] = [];
  const runner = new WorkerRunner<Req, Res>(
    () => {
      const worker = new FakeWorker();
      serveRequests(handle, {
        scope: worker.scope,
        ...(options.transferOf ? { transferOf: options.transferOf } : {}),
      });
      started.push(worker);
      return worker;
    },
    { name: 'test', ...options },
  );
  return { runner, started };
}

async function codeOf(promise: Promise<unknown>): Promise<WorkerErrorCode | 'resolved'> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    if (error instanceof WorkerCallError) return error.code;
    throw error;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A handler that answers with its request after `ms`. */
const slowEcho =
  (ms: number) =>
  async (n: number): Promise<number> => {
    await sleep(ms);
    return n;
  };

describe('WorkerRunner', () => {
  it('answers each request with its own result, whatever order the handler finishes in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(5), { minLength: 1, maxLength: 8 }), async (delays) => {
        const started: FakeWorker[] = [];
        // A host that answers out of order (no queue): the runner must match replies by id.
        const runner = new WorkerRunner<{ n: number; delay: number }, number>(
          () => {
            const worker = new FakeWorker();
            worker.scope.onmessage = (event: MessageEvent) => {
              const { id, payload } = event.data as {
                id: number;
                payload: { n: number; delay: number };
              };
              setTimeout(
                () => worker.scope.postMessage({ id, ok: true, result: payload.n * 2 }, []),
                payload.delay,
              );
            };
            started.push(worker);
            return worker;
          },
          { name: 'test' },
        );
        const results = await Promise.all(delays.map((delay, n) => runner.run({ n, delay })));
        expect(results).toEqual(delays.map((_, n) => n * 2));
        // One worker for the requests in flight together, terminated once all were answered.
        expect(started).toHaveLength(1);
        expect(started[0]!.terminated).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('hands transferables over in both directions', async () => {
    const { runner } = setup<Float64Array, Float64Array>((input) => input.map((v) => v + 1), {
      transferOf: (result) => [result.buffer],
    });
    const input = new Float64Array([1, 2, 3]);
    const result = await runner.run(input, { transfer: [input.buffer] });
    expect(input.byteLength).toBe(0);
    expect([...result]).toEqual([2, 3, 4]);
  });

  it('rejects with failed and keeps the worker-side code as the reason', async () => {
    const { runner } = setup<string, string>((request) => {
      throw Object.assign(new Error(`no ${request}`), { code: 'too-big' });
    });
    const error = await runner.run('thing').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkerCallError);
    expect((error as WorkerCallError).code).toBe('failed');
    expect((error as WorkerCallError).reason).toBe('too-big');
    expect((error as WorkerCallError).message).toContain('no thing');
  });

  it('fails a request whose payload cannot be cloned, without a worker left behind', async () => {
    const { runner, started } = setup<unknown, number>(() => 1);
    expect(await codeOf(runner.run({ f: () => 1 }))).toBe('failed');
    expect(started[0]!.terminated).toBe(true);
  });

  it('cancels: rejects at once, terminates the idle worker, and drops the late reply', async () => {
    const { runner, started } = setup<number, number>(slowEcho(20));
    const controller = new AbortController();
    const call = runner.run(1, { signal: controller.signal });
    controller.abort();
    expect(await codeOf(call)).toBe('cancelled');
    expect(started[0]!.terminated).toBe(true);
    expect(runner.running).toBe(false);
    // The next request starts a fresh worker.
    expect(await runner.run(7)).toBe(7);
    expect(started).toHaveLength(2);
  });

  it('does not start a worker for a request already aborted', async () => {
    const { runner, started } = setup<number, number>((n) => n);
    expect(await codeOf(runner.run(1, { signal: AbortSignal.abort() }))).toBe('cancelled');
    expect(started).toHaveLength(0);
  });

  it('keeps a cancelled request from stopping others in flight on the same worker', async () => {
    const { runner, started } = setup<number, number>(slowEcho(5));
    const controller = new AbortController();
    const first = runner.run(1, { signal: controller.signal });
    const second = runner.run(2);
    controller.abort();
    expect(await codeOf(first)).toBe('cancelled');
    expect(await second).toBe(2);
    expect(started).toHaveLength(1);
  });

  it('rejects everything pending with crashed when the worker fails', async () => {
    const { runner, started } = setup<number, number>(slowEcho(50));
    const calls = [runner.run(1), runner.run(2)];
    started[0]!.crash('SyntaxError in worker');
    expect(await Promise.all(calls.map(codeOf))).toEqual(['crashed', 'crashed']);
    expect(started[0]!.terminated).toBe(true);
  });

  it('rejects with crashed when the worker cannot be created', async () => {
    const runner = new WorkerRunner<number, number>(
      () => {
        throw new DOMException('blocked', 'SecurityError');
      },
      { name: 'test' },
    );
    expect(await codeOf(runner.run(1))).toBe('crashed');
  });

  it('keeps a keep-alive worker between requests', async () => {
    const { runner, started } = setup<number, number>((n) => n, { keepAlive: true });
    await runner.run(1);
    await runner.run(2);
    expect(started).toHaveLength(1);
    expect(started[0]!.terminated).toBe(false);
    runner.terminate();
    expect(started[0]!.terminated).toBe(true);
  });

  it('terminateAll stops every worker; stateless runners restart, stateful ones refuse', async () => {
    const slow = slowEcho(50);
    const stateless = setup<number, number>(slow);
    const index = setup<number, number>(slow, { keepAlive: true, stateful: true });
    const idleIndex = setup<number, number>((n) => n, { keepAlive: true });
    await idleIndex.runner.run(0);
    const calls = [stateless.runner.run(1), index.runner.run(2)];

    terminateAll();

    expect(await Promise.all(calls.map(codeOf))).toEqual(['terminated', 'terminated']);
    for (const { started } of [stateless, index, idleIndex]) {
      expect(started.every((worker) => worker.terminated)).toBe(true);
    }
    expect(await stateless.runner.run(3)).toBe(3);
    expect(await codeOf(index.runner.run(4))).toBe('terminated');
    expect(index.started).toHaveLength(1);
  });
});

describe('serveRequests', () => {
  it('handles requests one at a time, in order, even when the handler is async', async () => {
    const seen: string[] = [];
    const { runner } = setup<number, number>(async (n) => {
      seen.push(`start ${n}`);
      await sleep(n === 1 ? 20 : 0);
      seen.push(`end ${n}`);
      return n;
    });
    await Promise.all([runner.run(1), runner.run(2)]);
    expect(seen).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });
});
