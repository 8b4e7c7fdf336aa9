import { describe, expect, it } from 'vitest';
import { ScrollStore } from './useRowWindow.ts';

describe('scroll store (the rows follow it, useWindowSlots)', () => {
  it('tells its listeners of a new scroll position, and not of the same one again', () => {
    const store = new ScrollStore();
    let calls = 0;
    const stop = store.subscribe(() => (calls += 1));
    store.scrolled(120);
    store.scrolled(120);
    expect(calls).toBe(1);
    expect(store.get().scrollTop).toBe(120);
    stop();
    store.scrolled(300);
    expect(calls).toBe(1);
  });

  it("keeps a keyboard jump's pin while the element stays within a pixel of it", () => {
    const store = new ScrollStore();
    const pinned = { scrollTop: 1000, virtualTop: 2_345_678.5 };
    store.set({ scrollTop: 1000, pinned });
    // The browser reports the position it rounded to: the pin still holds.
    store.scrolled(1000.4);
    expect(store.get().pinned).toBe(pinned);
    // The user scrolled away: the scroll position alone says where the rows are.
    store.scrolled(1090);
    expect(store.get()).toEqual({ scrollTop: 1090 });
  });
});
