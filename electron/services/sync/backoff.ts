/**
 * Retry timing for the synchronizer: exponential backoff with "equal jitter" (half of each delay
 * fixed, half random), so many desks coming back online at once spread out, yet none retries at
 * once. Clock and timers are injected so tests drive them with fake timers.
 */

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Reads the globals at call time, so fake timers installed later are honoured. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface BackoffPolicy {
  /** First retry delay before jitter. */
  readonly initialMs: number;
  /** Ceiling of the delay before jitter. */
  readonly maxMs: number;
  readonly factor: number;
  /** Share of the delay that is random, 0…1. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 2_000,
  maxMs: 5 * 60_000,
  factor: 2,
  jitter: 0.5,
};

/** Delay before retry number `attempt` (1 = first retry); `random` returns 0 ≤ x < 1. */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(base * (1 - jitter) + base * jitter * random());
}
