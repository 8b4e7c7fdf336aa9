import { describe, expect, it } from 'vitest';
import { singleFlight } from './singleFlight.ts';

describe('singleFlight', () => {
  it('runs the action once while it is pending (double-click on Create case)', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const create = singleFlight(async () => {
      runs += 1;
      await new Promise<void>((resolve) => (release = resolve));
      return runs;
    });
    const first = create();
    const second = create();
    expect(second).toBe(first);
    release();
    expect(await first).toBe(1);
    expect(runs).toBe(1);
  });

  it('runs again once the previous call settled, also after a failure', async () => {
    let runs = 0;
    const flaky = singleFlight(() => {
      runs += 1;
      return runs === 1 ? Promise.reject(new Error('first fails')) : Promise.resolve(runs);
    });
    await expect(flaky()).rejects.toThrow('first fails');
    expect(await flaky()).toBe(2);
  });
});
