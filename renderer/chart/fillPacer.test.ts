import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FILL_PACING, FillPacer } from './fillPacer.ts';

const options = { targetMs: 40, initial: 100, min: 20, max: 1000 };

describe('FillPacer', () => {
  it('shrinks the slice after a slow frame, in proportion to what that slice moved', () => {
    const pacer = new FillPacer(options);
    pacer.observe(400, 100);
    expect(pacer.budget).toBe(20);
    const other = new FillPacer(options);
    other.observe(80, 100);
    expect(other.budget).toBe(50);
  });

  it('at most doubles after a quick frame, and not after a short last slice', () => {
    const pacer = new FillPacer(options);
    pacer.observe(5, 100);
    expect(pacer.budget).toBe(200);
    pacer.observe(5, 30);
    expect(pacer.budget).toBe(200);
    for (let i = 0; i < 10; i++) pacer.observe(1, pacer.budget);
    expect(pacer.budget).toBe(1000);
  });

  it('by default starts with a slice of 10 (cold style code) and keeps at least 20 after', () => {
    const pacer = new FillPacer(DEFAULT_FILL_PACING);
    expect(pacer.budget).toBe(10);
    pacer.observe(10_000, 10);
    expect(pacer.budget).toBe(20);
  });

  it('by default never moves more than 800 elements in a frame, however quick the frames', () => {
    const pacer = new FillPacer(DEFAULT_FILL_PACING);
    for (let i = 0; i < 20; i++) pacer.observe(1, pacer.budget);
    expect(pacer.budget).toBe(800);
  });

  it('stays within its bounds and settles near the target for a steady cost per element', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 2000, noNaN: true }), fc.nat(3000))),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        (frames, msPerElement) => {
          const pacer = new FillPacer(options);
          for (const [ms, moved] of frames) {
            pacer.observe(ms, moved);
            expect(pacer.budget).toBeGreaterThanOrEqual(options.min);
            expect(pacer.budget).toBeLessThanOrEqual(options.max);
          }
          // Frames that cost msPerElement per element moved: the budget ends near the target.
          for (let i = 0; i < 30; i++) pacer.observe(pacer.budget * msPerElement, pacer.budget);
          const ideal = Math.min(
            options.max,
            Math.max(options.min, options.targetMs / msPerElement),
          );
          expect(pacer.budget).toBeGreaterThanOrEqual(Math.floor(ideal / 2) - 1);
          expect(pacer.budget).toBeLessThanOrEqual(Math.ceil(ideal) + 1);
        },
      ),
    );
  });
});
