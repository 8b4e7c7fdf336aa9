import { describe, expect, it } from 'vitest';
import { compareHlc, formatHlc, HybridLogicalClock, parseHlc } from './hlc.ts';

describe('hybrid logical clock', () => {
  it('formats so that string order is clock order', () => {
    const early = formatHlc({ wallMs: 1_000, counter: 65_535, node: 'b' });
    const later = formatHlc({ wallMs: 1_001, counter: 0, node: 'a' });
    expect(compareHlc(early, later)).toBe(-1);
    expect(parseHlc(later)).toEqual({ wallMs: 1_001, counter: 0, node: 'a' });
  });

  it('stays monotonic when the wall clock stands still or goes back', () => {
    let wall = 5_000;
    const clock = new HybridLogicalClock('agency-a', () => wall);
    const first = clock.now();
    const second = clock.now();
    wall = 4_000;
    const third = clock.now();
    expect(compareHlc(first, second)).toBe(-1);
    expect(compareHlc(second, third)).toBe(-1);
    expect(parseHlc(third).wallMs).toBe(5_000);
  });

  it('orders local events after a received remote timestamp', () => {
    const clock = new HybridLogicalClock('a', () => 1_000);
    const remote = formatHlc({ wallMs: 9_000, counter: 3, node: 'b' });
    const merged = clock.receive(remote);
    expect(compareHlc(remote, merged)).toBe(-1);
    expect(compareHlc(merged, clock.now())).toBe(-1);
  });

  it('breaks ties between writers with the node id', () => {
    const a = formatHlc({ wallMs: 7, counter: 1, node: 'agency-a' });
    const b = formatHlc({ wallMs: 7, counter: 1, node: 'agency-b' });
    expect(compareHlc(a, b)).toBe(-1);
  });

  it('refuses a remote clock more than a day ahead', () => {
    const clock = new HybridLogicalClock('a', () => 0);
    expect(() =>
      clock.receive(formatHlc({ wallMs: 2 * 86_400_000, counter: 0, node: 'b' })),
    ).toThrow(/ahead/);
  });

  it('rejects malformed timestamps and node ids', () => {
    expect(() => parseHlc('yesterday')).toThrow(/not a hybrid logical clock/);
    expect(() => new HybridLogicalClock('has space')).toThrow(/invalid clock node/);
  });
});
