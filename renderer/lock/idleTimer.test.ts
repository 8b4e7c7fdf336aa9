import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchIdle } from './idleTimer.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const MINUTE = 60_000;

describe('watchIdle', () => {
  it('locks after the idle time without input, once', () => {
    const target = new EventTarget();
    const onIdle = vi.fn();
    watchIdle({ timeoutMs: 15 * MINUTE, onIdle, target });
    vi.advanceTimersByTime(15 * MINUTE - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60 * MINUTE);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('counts keys, pointer and wheel as activity and restarts the interval from the last one', () => {
    const target = new EventTarget();
    const onIdle = vi.fn();
    watchIdle({ timeoutMs: 10 * MINUTE, onIdle, target });
    for (const type of ['keydown', 'pointermove', 'wheel']) {
      vi.advanceTimersByTime(9 * MINUTE);
      target.dispatchEvent(new Event(type));
    }
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(10 * MINUTE - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('does not count other events (a focus change, a storage event) as a person', () => {
    const target = new EventTarget();
    const onIdle = vi.fn();
    watchIdle({ timeoutMs: MINUTE, onIdle, target });
    vi.advanceTimersByTime(MINUTE / 2);
    target.dispatchEvent(new Event('focus'));
    target.dispatchEvent(new Event('storage'));
    vi.advanceTimersByTime(MINUTE / 2);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('locks at once when the timer fires late after a sleep', () => {
    const target = new EventTarget();
    const onIdle = vi.fn();
    let clock = 0;
    watchIdle({ timeoutMs: 15 * MINUTE, onIdle, target, now: () => clock });
    // The machine slept for an hour: the clock jumped, the timer had not fired yet.
    clock = 60 * MINUTE;
    target.dispatchEvent(new Event('pointermove'));
    vi.advanceTimersByTime(15 * MINUTE);
    // Activity right after waking re-arms; the timer then compares with that.
    expect(onIdle).not.toHaveBeenCalled();
    clock = 80 * MINUTE;
    vi.advanceTimersByTime(1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.runOnlyPendingTimers();
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('stops listening when stopped', () => {
    const target = new EventTarget();
    const onIdle = vi.fn();
    const stop = watchIdle({ timeoutMs: MINUTE, onIdle, target });
    stop();
    vi.advanceTimersByTime(10 * MINUTE);
    expect(onIdle).not.toHaveBeenCalled();
  });
});
