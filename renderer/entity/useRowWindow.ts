/**
 * The rows of a scrolled grid that are in view (rowWindow.ts: any number of rows, the canvas
 * capped below the browser's tallest element). Re-renders on scroll and on resize of the element.
 */
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { rowWindowGeometry, scrollToRow, windowRows } from './rowWindow.ts';
import type { Pinned, RowWindowInput, WindowRow } from './rowWindow.ts';

export interface RowWindowOptions {
  readonly count: number;
  readonly rowHeight: number;
  readonly header: number;
  readonly overscan: number;
}

export function useRowWindow({ count, rowHeight, header, overscan }: RowWindowOptions): {
  /** The scrolled element's ref: a callback, since the grid appears only once rows are loaded. */
  readonly ref: (element: HTMLElement | null) => void;
  readonly canvasHeight: number;
  readonly rows: readonly WindowRow[];
  readonly scrollToIndex: (index: number) => void;
} {
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(0);
  const pinned = useRef<Pinned | undefined>(undefined);
  const [element, setElement] = useState<HTMLElement | null>(null);
  const scrollRef = useRef<HTMLElement | null>(null);
  scrollRef.current = element;

  useLayoutEffect(() => {
    if (!element) return undefined;
    const onScroll = () => setScrollTop(element.scrollTop);
    const observer = new ResizeObserver(() => setViewport(element.clientHeight));
    setViewport(element.clientHeight);
    setScrollTop(element.scrollTop);
    element.addEventListener('scroll', onScroll, { passive: true });
    observer.observe(element);
    return () => {
      element.removeEventListener('scroll', onScroll);
      observer.disconnect();
    };
  }, [element]);

  const input: RowWindowInput = { count, rowHeight, header, viewport };
  const { canvasHeight } = rowWindowGeometry(input);
  // A pin holds only while the element stays where it was put.
  if (pinned.current && Math.abs(pinned.current.scrollTop - scrollTop) >= 1) {
    pinned.current = undefined;
  }
  const rows = windowRows(input, scrollTop, overscan, pinned.current);

  const latest = useRef({ input, pinned });
  latest.current = { input, pinned };
  const scrollToIndex = useCallback((index: number) => {
    const scroller = scrollRef.current;
    if (!scroller) return;
    const now = latest.current;
    const target = scrollToRow(now.input, scroller.scrollTop, index, now.pinned.current);
    if (!target) return;
    scroller.scrollTop = target.scrollTop;
    // The element rounds the position; the pin keeps the exact one it stands for.
    now.pinned.current = { scrollTop: scroller.scrollTop, virtualTop: target.virtualTop };
    setScrollTop(scroller.scrollTop);
  }, []);
  return { ref: setElement, canvasHeight, rows, scrollToIndex };
}
