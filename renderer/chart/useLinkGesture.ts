/**
 * The "draw a relationship" gesture: press on a node while link mode is on (or while Shift is
 * held), drag, and release over another node. It listens in the capture phase on the chart's
 * wrapper, so a press that starts a link never reaches Cytoscape (the node is not dragged and
 * the view does not pan); every other press passes through untouched.
 */
import { useEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';
import type { Point } from './chartGeometry.ts';
import { nodeAt } from './chartGeometry.ts';
import type { ChartAdapter } from './cytoscapeAdapter.ts';

export interface LinkPreview {
  readonly sourceId: string;
  /** Container pixels of the source node's centre. */
  readonly from: Point;
  /** Container pixels of the pointer. */
  readonly to: Point;
  readonly targetId?: string;
}

export function useLinkGesture(
  wrapperRef: RefObject<HTMLElement | null>,
  adapterRef: RefObject<ChartAdapter | undefined>,
  linkMode: boolean,
  onLink: (sourceId: string, targetId: string) => void,
): LinkPreview | undefined {
  const [preview, setPreview] = useState<LinkPreview>();
  const linkModeRef = useRef(linkMode);
  const onLinkRef = useRef(onLink);
  useEffect(() => {
    linkModeRef.current = linkMode;
    onLinkRef.current = onLink;
  }, [linkMode, onLink]);

  useEffect(() => {
    const wrapper = wrapperRef.current;
    if (!wrapper) return undefined;
    let sourceId: string | undefined;

    const local = (adapter: ChartAdapter, event: MouseEvent): Point => {
      const rect = adapter.containerRect() ?? wrapper.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    };
    const targetAt = (adapter: ChartAdapter, point: Point): string | undefined => {
      const id = nodeAt(adapter.renderedNodeCircles(), point.x, point.y);
      return id === sourceId ? undefined : id;
    };
    const stop = () => {
      window.removeEventListener('mousemove', onMove, true);
      window.removeEventListener('mouseup', onUp, true);
      window.removeEventListener('keydown', onKey, true);
      const adapter = adapterRef.current;
      adapter?.setClass(undefined, 'chart-link-source');
      adapter?.setClass(undefined, 'chart-link-target');
      sourceId = undefined;
      setPreview(undefined);
    };
    const onMove = (event: MouseEvent) => {
      const adapter = adapterRef.current;
      if (!adapter || sourceId === undefined) return;
      event.stopPropagation();
      const to = local(adapter, event);
      const targetId = targetAt(adapter, to);
      adapter.setClass(targetId, 'chart-link-target');
      const from = adapter.renderedPosition(sourceId) ?? to;
      setPreview({ sourceId, from, to, ...(targetId !== undefined ? { targetId } : {}) });
    };
    const onUp = (event: MouseEvent) => {
      const adapter = adapterRef.current;
      const source = sourceId;
      const target =
        adapter && source !== undefined ? targetAt(adapter, local(adapter, event)) : undefined;
      event.stopPropagation();
      stop();
      if (source !== undefined && target !== undefined) onLinkRef.current(source, target);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation();
      stop();
    };
    const onDown = (event: MouseEvent) => {
      if (event.button !== 0 || !(linkModeRef.current || event.shiftKey)) return;
      const adapter = adapterRef.current;
      if (!adapter) return;
      const point = local(adapter, event);
      const id = nodeAt(adapter.renderedNodeCircles(), point.x, point.y);
      if (id === undefined) return;
      event.stopPropagation();
      event.preventDefault();
      // preventDefault suppresses the focus change, but keyboard shortcuts need the chart focused.
      wrapper.focus({ preventScroll: true });
      sourceId = id;
      adapter.setClass(id, 'chart-link-source');
      setPreview({ sourceId: id, from: adapter.renderedPosition(id) ?? point, to: point });
      window.addEventListener('mousemove', onMove, true);
      window.addEventListener('mouseup', onUp, true);
      window.addEventListener('keydown', onKey, true);
    };

    wrapper.addEventListener('mousedown', onDown, true);
    return () => {
      wrapper.removeEventListener('mousedown', onDown, true);
      if (sourceId !== undefined) stop();
    };
  }, [wrapperRef, adapterRef]);

  return preview;
}
