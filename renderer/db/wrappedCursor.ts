import type { DBCoreCursor } from 'dexie';

/**
 * A DBCore cursor over `inner` that shows `value()` as its current value and runs `onEach` for
 * every row the inner cursor reaches, which calls `onNext` to hand the row on (or steps over it).
 * The middlewares that wrap cursors (pendingImports.ts skips rows, encryption.ts opens them)
 * differ only in those two; the rest is delegation, with `next` written in terms of `start` as in
 * Dexie's own cursors.
 */
export function wrappedCursor(
  inner: DBCoreCursor,
  value: () => unknown,
  onEach: (onNext: () => void) => void,
): DBCoreCursor {
  const outer: DBCoreCursor = {
    get trans() {
      return inner.trans;
    },
    get key(): unknown {
      return inner.key as unknown;
    },
    get primaryKey(): unknown {
      return inner.primaryKey as unknown;
    },
    get value(): unknown {
      return value();
    },
    get done() {
      return inner.done;
    },
    continue: (key?: unknown) => inner.continue(key),
    continuePrimaryKey: (key: unknown, primaryKey: unknown) =>
      inner.continuePrimaryKey(key, primaryKey),
    advance: (count: number) => inner.advance(count),
    stop: (result?: unknown) => inner.stop(result),
    fail: (error: Error) => inner.fail(error),
    next() {
      let gotOne = 1;
      return outer.start(() => (gotOne-- ? outer.continue() : outer.stop())).then(() => outer);
    },
    start(onNext: () => void) {
      return inner.start(() => onEach(onNext));
    },
  };
  return outer;
}
