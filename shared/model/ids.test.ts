import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { newId } from './ids.ts';

describe('newId', () => {
  it('makes valid, distinct ULIDs of the current time, across many refills of the random pool', () => {
    const before = Date.now();
    const ids = Array.from({ length: 5000 }, () => newId());
    const after = Date.now();
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(isValid(id)).toBe(true);
      expect(decodeTime(id)).toBeGreaterThanOrEqual(before);
      expect(decodeTime(id)).toBeLessThanOrEqual(after);
    }
    // The random part uses the whole alphabet (a stuck pool would repeat one character).
    expect(new Set(ids.map((id) => id[20])).size).toBe(32);
  });
});
