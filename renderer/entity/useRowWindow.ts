/**
 * The rows of a scrolled grid that are in view (rowWindow.ts: any number of rows, the canvas
 * capped below the browser's tallest element), in two halves so that scrolling re-renders the
 * rows and nothing else:
 *   - `useRowWindow`, in the grid's component, owns the scrolled element, its height (re-rendering
 *     on resize only), the canvas height and keyboard jumps (`scrollToIndex`);
 *   - `useWindowSlots`, in the component that draws the rows, reads the scroll position from a
 *     small store through `useSyncExternalStore`. A store update renders synchronously, inside the
 *     scroll event, so the frame that shows the new scroll position also shows its rows (no blank
 *     frame before React gets to it), and the header, toolbar and grid are not rendered again.
 */
import { useCallback, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import { rowWindowGeometry, scrollToRow, windowSlots } from './rowWindow.ts';
import type { Pinned, RowSlots, RowWindowInput } from './rowWindow.ts';

export interface RowWindowOptions {
  readonly count: number;
  readonly rowHeight: number;
  readonly header: number;
  readonly overscan: number;
}

/** Where the element is scrolled to, and the keyboard's pin while it stays there. */
interface ScrollSnapshot {
  readonly scrollTop: number;
  readonly pinned?: Pinned;
}

/** The scroll position as an external store: one per grid, kept across renders. */
export class ScrollStore {
  snapshot: ScrollSnapshot = { scrollTop: 0 };
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly get = (): ScrollSnapshot => this.snapshot;

  /** The element scrolled (by the user or the browser): a pin holds only while it stays put. */
  scrolled(scrollTop: number): void {
    const { pinned } = this.snapshot;
    if (scrollTop === this.snapshot.scrollTop) return;
    const keep = pinned && Math.abs(pinned.scrollTop - scrollTop) < 1 ? pinned : undefined;
    this.set(keep ? { scrollTop, pinned: keep } : { scrollTop });
  }

  set(snapshot: ScrollSnapshot): void {
    this.snapshot = snapshot;
    for (const listener of this.listeners) listener();
  }
}

/** What the rows' component needs to follow the scroll position. */
export interface RowWindowView {
  readonly store: ScrollStore;
  readonly input: RowWindowInput;
  readonly overscan: number;
}

export function useRowWindow({ count, rowHeight, header, overscan }: RowWindowOptions): {
  /** The scrolled element's ref: a callback, since the grid appears only once rows are loaded. */
  readonly ref: (element: HTMLElement | null) => void;
  readonly canvasHeight: number;
  /** For useWindowSlots, in the component that draws the rows. */
  readonly view: RowWindowView;
  readonly scrollToIndex: (index: number) => void;
} {
  const [store] = useState(() => new ScrollStore());
  const [viewport, setViewport] = useState(0);
  const [element, setElement] = useState<HTMLElement | null>(null);
  const scrollRef = useRef<HTMLElement | null>(null);
  scrollRef.current = element;

  useLayoutEffect(() => {
    if (!element) return undefined;
    const onScroll = () => store.scrolled(element.scrollTop);
    const observer = new ResizeObserver(() => setViewport(element.clientHeight));
    setViewport(element.clientHeight);
    store.scrolled(element.scrollTop);
    element.addEventListener('scroll', onScroll, { passive: true });
    observer.observe(element);
    return () => {
      element.removeEventListener('scroll', onScroll);
      observer.disconnect();
    };
  }, [element, store]);

  const input: RowWindowInput = { count, rowHeight, header, viewport };
  const { canvasHeight } = rowWindowGeometry(input);
  const latest = useRef(input);
  latest.current = input;
  const scrollToIndex = useCallback(
    (index: number) => {
      const scroller = scrollRef.current;
      if (!scroller) return;
      const { pinned } = store.snapshot;
      const target = scrollToRow(latest.current, scroller.scrollTop, index, pinned);
      if (!target) return;
      scroller.scrollTop = target.scrollTop;
      // The element rounds the position; the pin keeps the exact one it stands for.
      const scrollTop = scroller.scrollTop;
      store.set({ scrollTop, pinned: { scrollTop, virtualTop: target.virtualTop } });
    },
    [store],
  );
  const view = { store, input, overscan };
  return { ref: setElement, canvasHeight, view, scrollToIndex };
}

/** The rows to draw now (rowWindow.ts: windowSlots); re-renders its component on scroll. */
export function useWindowSlots(view: RowWindowView): RowSlots {
  const { scrollTop, pinned } = useSyncExternalStore(view.store.subscribe, view.store.get);
  return windowSlots(view.input, scrollTop, view.overscan, pinned);
}
