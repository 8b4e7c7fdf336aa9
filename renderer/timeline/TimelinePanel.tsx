import { useEffect, useMemo, useRef, useState } from 'react';
import type { EntityRecord } from '../../shared/model/index.ts';
import { useNotices } from '../db/queries.ts';
import { RangeSlider } from './RangeSlider.tsx';
import { TimelineCanvas } from './TimelineCanvas.tsx';
import { countInRange, timelineIndexOf } from './timelineIndex.ts';
import type { Domain } from './timelineModel.ts';
import { clampDomain, paddedDomain, zoomDomain } from './timelineModel.ts';
import type { TimeRange } from './timeRange.ts';
import '../core/common.css';
import './timeline.css';

const NO_NOTICES: readonly never[] = [];

export interface TimelinePanelProps {
  readonly caseId: string;
  /** The case's live entities and relationships (useEntities(caseId)). */
  readonly entities: readonly EntityRecord[];
  readonly selectedId?: string | undefined;
  readonly onSelect: (entityId: string) => void;
  /** The workspace's date filter (null: none); the chart and the map follow it. */
  readonly range: TimeRange | null;
  readonly onRangeChange: (range: TimeRange | null) => void;
}

/** Dated entities, relationships and notices on lanes by kind, with the date-range filter below. */
export function TimelinePanel(props: TimelinePanelProps) {
  const { caseId, entities, selectedId, onSelect, range, onRangeChange } = props;
  const notices = useNotices(caseId);
  // A million items are indexed, not held as objects; the canvas asks for details when zoomed in.
  const index = useMemo(
    () => timelineIndexOf(entities, notices ?? NO_NOTICES),
    [entities, notices],
  );
  const { extent, focus } = index;
  const limit = useMemo(() => (extent ? paddedDomain(extent) : undefined), [extent]);
  const [view, setView] = useState<Domain | undefined>();
  const [width, setWidth] = useState(900);
  const boxRef = useRef<HTMLDivElement>(null);
  const hasItems = extent !== undefined;

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return undefined;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.max(320, Math.floor(entry.contentRect.width)));
    });
    observer.observe(box);
    return () => observer.disconnect();
  }, [hasItems]);

  if (!extent || !limit) {
    return (
      <section
        className="view-panel timeline-panel"
        aria-label="Timeline"
        data-testid="timeline-panel"
      >
        <p className="timeline-empty">
          No dated entities yet. Dates of events, calls, payments, trips, relationships (start and
          end), births and notices appear here.
        </p>
      </section>
    );
  }

  const first = paddedDomain(focus ?? extent);
  const domain = clampDomain(view ?? first, limit);
  // Updates read the latest view, not this render's: wheel and drag events can come several to
  // a frame on a big case, and each must count.
  const zoom = (factor: number, anchor = (domain.start + domain.end) / 2) =>
    setView((current) => zoomDomain(clampDomain(current ?? first, limit), factor, anchor, limit));
  const visibleCount = range ? countInRange(index, range.from, range.to) : index.size;

  return (
    <section
      className="view-panel timeline-panel"
      aria-label="Timeline"
      data-testid="timeline-panel"
      data-item-count={index.size}
    >
      <div className="view-toolbar timeline-toolbar">
        <button
          type="button"
          onClick={() => zoom(0.5)}
          aria-label="Zoom in"
          title="Zoom in (or scroll)"
        >
          +
        </button>
        <button type="button" onClick={() => zoom(2)} aria-label="Zoom out" title="Zoom out">
          −
        </button>
        <button type="button" onClick={() => setView(limit)} data-testid="timeline-fit">
          Fit all
        </button>
        <button
          type="button"
          onClick={() => setView(undefined)}
          title="Show the period of events, calls and payments"
        >
          Activity
        </button>
        <button
          type="button"
          disabled={!range}
          onClick={() => range && setView(paddedDomain({ start: range.from, end: range.to }))}
        >
          Zoom to range
        </button>
        <button
          type="button"
          onClick={() =>
            onRangeChange({
              from: Math.max(domain.start, extent.start),
              to: Math.min(domain.end, extent.end),
            })
          }
          title="Filter the chart and the map to the dates now in view"
          data-testid="timeline-range-from-view"
        >
          Filter to view
        </button>
        <span className="timeline-count" data-testid="timeline-count">
          {range
            ? `${visibleCount} of ${index.size} dated items in range`
            : `${index.size} dated items`}
        </span>
      </div>
      <div className="timeline-scroll" ref={boxRef}>
        <TimelineCanvas
          index={index}
          domain={domain}
          width={width}
          range={range}
          selectedId={selectedId}
          onSelect={onSelect}
          onZoom={(factor, anchor) => zoom(factor, anchor)}
          onPan={(ms) =>
            setView((current) => {
              const from = clampDomain(current ?? first, limit);
              return clampDomain({ start: from.start + ms, end: from.end + ms }, limit);
            })
          }
        />
      </div>
      <RangeSlider extent={focus ?? extent} range={range} onChange={onRangeChange} />
    </section>
  );
}
