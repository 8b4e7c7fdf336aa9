/**
 * Locks after a stretch without input (issue 10): keyboard, pointer, wheel and touch count as
 * activity; nothing else does (a live query or a running layout is not a person at the keyboard).
 *
 * One timer, never reset per event: an event only records the time, and when the timer fires it
 * either locks or sleeps for the rest of the interval. A timer that fires late — the laptop slept,
 * the tab was throttled — compares clock times, so a long sleep locks at once on wake.
 */

export const ACTIVITY_EVENTS = [
  'keydown',
  'pointerdown',
  'pointermove',
  'wheel',
  'touchstart',
] as const;

export interface IdleTarget {
  addEventListener(type: string, listener: () => void, options?: { passive?: boolean }): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface IdleWatchOptions {
  readonly timeoutMs: number;
  readonly onIdle: () => void;
  readonly target: IdleTarget;
  readonly now?: () => number;
}

/** Starts watching; calls `onIdle` once after `timeoutMs` without activity. Returns the stop. */
export function watchIdle(options: IdleWatchOptions): () => void {
  const { timeoutMs, onIdle, target } = options;
  const now = options.now ?? Date.now;
  let last = now();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const onActivity = () => {
    last = now();
  };
  const check = () => {
    timer = null;
    if (stopped) return;
    const quiet = now() - last;
    if (quiet >= timeoutMs) {
      stop();
      onIdle();
      return;
    }
    timer = setTimeout(check, timeoutMs - quiet);
  };
  function stop(): void {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    for (const type of ACTIVITY_EVENTS) target.removeEventListener(type, onActivity);
  }

  for (const type of ACTIVITY_EVENTS) target.addEventListener(type, onActivity, { passive: true });
  timer = setTimeout(check, timeoutMs);
  return stop;
}

const MINUTE_MS = 60_000;

/**
 * How long one minute of the idle setting lasts: a minute, except in an end-to-end run that shortens
 * it (`window.__TESSERA_TEST__` plus `__TESSERA_IDLE_MINUTE_MS__`, both set by the harness in an init
 * script) so that the idle lock can be seen without waiting a minute. A shorter minute only locks
 * sooner.
 */
export function idleMinuteMs(): number {
  if (typeof window === 'undefined') return MINUTE_MS;
  const hooks = window as { __TESSERA_TEST__?: unknown; __TESSERA_IDLE_MINUTE_MS__?: unknown };
  const override = hooks.__TESSERA_IDLE_MINUTE_MS__;
  if (hooks.__TESSERA_TEST__ === true && typeof override === 'number' && override > 0) {
    return Math.min(override, MINUTE_MS);
  }
  return MINUTE_MS;
}
