import { useEffect, useMemo, useRef } from 'react';
import type { PointerEvent as ReactPointerEvent } from 'react';
import type { TimeItem, TimeLane } from '../../shared/time/index.ts';
import { formatDate } from '../../shared/time/index.ts';
import type { LaneIndex, TimelineIndex } from './timelineIndex.ts';
import { binCounts, DETAIL_LIMIT, detailItems } from './timelineIndex.ts';
import type { Domain, Scale } from './timelineModel.ts';
import { fromX, itemExtent, packRows, timeTicks, toX } from './timelineModel.ts';
import type { TimeRange } from './timeRange.ts';

const GUTTER = 128;
const ROW = 16;
const LANE_PAD = 6;
const AXIS = 24;
const MAX_ROWS = 6;
/** Pixels per bar when a lane is drawn as counts. */
const BIN = 2;

interface TimelineCanvasProps {
  readonly index: TimelineIndex;
  readonly domain: Domain;
  readonly width: number;
  readonly range: TimeRange | null;
  readonly selectedId?: string | undefined;
  readonly onSelect: (id: string) => void;
  /** Zoom by factor around time `anchor`. */
  readonly onZoom: (factor: number, anchor: number) => void;
  /** Shift the domain by `ms` (positive moves the view later). */
  readonly onPan: (ms: number) => void;
}

function describe(item: TimeItem): string {
  const start = formatDate(item.start, item.precision);
  const end = formatDate(item.end, item.precision);
  const when = item.start === item.end || start === end ? start : `${start} → ${end}`;
  return `${item.label}\n${when}${item.detail ? `\n${item.detail}` : ''}`;
}

/** The item's label inside its bar, where the visible part of the bar is wide enough. */
function barLabel(item: TimeItem, x1: number, x2: number, plotWidth: number, y: number) {
  const left = Math.max(x1, 0) + 4;
  const room = Math.min(x2, plotWidth) - left - 4;
  if (room < 60) return null;
  const chars = Math.floor(room / 6.2);
  const text = item.label.length > chars ? `${item.label.slice(0, chars - 1)}…` : item.label;
  return (
    <text className="timeline-bar-label" x={left} y={y + ROW / 2 + 1}>
      {text}
    </text>
  );
}

/**
 * A lane with too many items in view to draw one by one: a bar per BIN pixels, as high as the
 * logarithm of the number of items overlapping its time (so a single call still shows).
 */
function LaneBins({ lane, scale, height }: { lane: LaneIndex; scale: Scale; height: number }) {
  const path = useMemo(() => {
    const counts = binCounts(lane, scale, BIN);
    let max = 0;
    for (const count of counts) if (count > max) max = count;
    const room = height - LANE_PAD * 2;
    const parts: string[] = [];
    for (let b = 0; b < counts.length; b++) {
      const count = counts[b]!;
      if (count === 0) continue;
      const h = Math.max(2, (room * Math.log1p(count)) / Math.log1p(max));
      parts.push(`M${b * BIN} ${height - LANE_PAD - h}h${BIN}v${h}h${-BIN}z`);
    }
    return parts.join('');
  }, [lane, scale, height]);
  return <path className="timeline-bins" data-testid="timeline-bins" d={path} />;
}

/**
 * The SVG timeline: a date axis and one band per lane that has items; wheel zooms, drag pans.
 * Items are drawn one by one when few are in view, else as counts per bin (timelineIndex.ts).
 */
export function TimelineCanvas(props: TimelineCanvasProps) {
  const { index, domain, width, range, selectedId, onSelect } = props;
  const svgRef = useRef<SVGSVGElement>(null);
  const handlers = useRef(props);
  handlers.current = props;
  const plotWidth = Math.max(width - GUTTER, 50);
  const scale: Scale = useMemo(() => ({ ...domain, width: plotWidth }), [domain, plotWidth]);

  const details = useMemo(() => detailItems(index, domain), [index, domain]);
  const lanes = useMemo(() => {
    let y = AXIS;
    const result: {
      id: TimeLane;
      index: LaneIndex;
      y: number;
      height: number;
      /** The items drawn one by one; null when the lane is drawn as counts. */
      items: TimeItem[] | null;
      rows: Map<string, number>;
    }[] = [];
    for (const lane of index.lanes) {
      const laneItems = details?.filter((item) => item.lane === lane.lane) ?? null;
      const { rows, rowCount } = laneItems
        ? packRows(laneItems, scale, MAX_ROWS)
        : { rows: new Map<string, number>(), rowCount: MAX_ROWS };
      // A big case switches between counts and items as it zooms: its lanes keep one height, so
      // the timeline does not shrink away from under the pointer that is zooming it.
      const height = (index.size > DETAIL_LIMIT ? MAX_ROWS : rowCount) * ROW + LANE_PAD * 2;
      result.push({ id: lane.lane, index: lane, y, height, items: laneItems, rows });
      y += height;
    }
    return result;
  }, [index, details, scale]);
  const height = (lanes.at(-1)?.y ?? AXIS) + (lanes.at(-1)?.height ?? 0) + 4;
  const ticks = useMemo(
    () => timeTicks(domain, Math.max(2, Math.floor(plotWidth / 90))),
    [domain, plotWidth],
  );

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return undefined;
    const onWheel = (event: WheelEvent) => {
      if (event.ctrlKey === false && Math.abs(event.deltaX) > Math.abs(event.deltaY)) return;
      event.preventDefault();
      const box = svg.getBoundingClientRect();
      const { domain: current, width: w } = handlers.current;
      const anchor = fromX(
        { ...current, width: Math.max(w - GUTTER, 50) },
        event.clientX - box.left - GUTTER,
      );
      handlers.current.onZoom(event.deltaY > 0 ? 1.25 : 0.8, anchor);
    };
    svg.addEventListener('wheel', onWheel, { passive: false });
    return () => svg.removeEventListener('wheel', onWheel);
  }, []);

  const onPointerDown = (event: ReactPointerEvent<SVGSVGElement>) => {
    if ((event.target as Element).closest('.timeline-item')) return;
    const svg = event.currentTarget;
    let lastX = event.clientX;
    svg.setPointerCapture(event.pointerId);
    const move = (e: PointerEvent) => {
      const dx = e.clientX - lastX;
      lastX = e.clientX;
      const { domain: current } = handlers.current;
      handlers.current.onPan((-dx / plotWidth) * (current.end - current.start));
    };
    const up = () => {
      svg.removeEventListener('pointermove', move);
      svg.removeEventListener('pointerup', up);
    };
    svg.addEventListener('pointermove', move);
    svg.addEventListener('pointerup', up);
  };

  const rangeX = range ? { x1: toX(scale, range.from), x2: toX(scale, range.to) } : undefined;
  const inRange = (item: TimeItem) => !range || (item.start <= range.to && item.end >= range.from);

  return (
    <svg
      ref={svgRef}
      className="timeline-svg"
      width={width}
      height={height}
      onPointerDown={onPointerDown}
      data-testid="timeline-svg"
      data-mode={details ? 'items' : 'bins'}
      role="group"
      aria-label="Timeline"
    >
      <g transform={`translate(${GUTTER},0)`}>
        {ticks.map((tick) => {
          const x = toX(scale, tick.t);
          return (
            <g key={tick.t} className="timeline-tick">
              <line x1={x} x2={x} y1={AXIS - 4} y2={height} />
              <text x={x + 3} y={AXIS - 8}>
                {tick.label}
              </text>
            </g>
          );
        })}
        {rangeX && (
          <g className="timeline-outside">
            <rect
              x={0}
              y={AXIS}
              width={Math.min(Math.max(0, rangeX.x1), plotWidth)}
              height={height - AXIS}
            />
            <rect
              x={Math.max(0, Math.min(rangeX.x2, plotWidth))}
              y={AXIS}
              width={Math.max(0, plotWidth - Math.max(0, rangeX.x2))}
              height={height - AXIS}
            />
          </g>
        )}
      </g>
      {lanes.map((lane) => (
        <g
          key={lane.id}
          className={`timeline-lane timeline-lane-${lane.id}`}
          data-testid={`timeline-lane-${lane.id}`}
        >
          <rect
            className="timeline-lane-band"
            x={0}
            y={lane.y}
            width={width}
            height={lane.height}
          />
          <text className="timeline-lane-label" x={8} y={lane.y + LANE_PAD + 12}>
            {lane.index.label} ({lane.index.count})
          </text>
          <svg x={GUTTER} y={lane.y} width={plotWidth} height={lane.height} overflow="hidden">
            {!lane.items && <LaneBins lane={lane.index} scale={scale} height={lane.height} />}
            {lane.items?.map((item) => {
              const { x1, x2 } = itemExtent(item, scale);
              if (x2 < -10 || x1 > plotWidth + 10) return null;
              const y = LANE_PAD + (lane.rows.get(item.key) ?? 0) * ROW + 2;
              const point = x2 - x1 <= 8.5;
              const classes = [
                'timeline-item',
                item.selectId && item.selectId === selectedId ? 'timeline-item-selected' : '',
                inRange(item) ? '' : 'timeline-item-outside',
              ].join(' ');
              const activate = () => item.selectId && onSelect(item.selectId);
              return (
                <g
                  key={item.key}
                  className={classes}
                  role="button"
                  tabIndex={0}
                  aria-label={describe(item).replace(/\n/g, ', ')}
                  data-testid="timeline-item"
                  data-record-id={item.recordId}
                  onClick={activate}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter' || event.key === ' ') {
                      event.preventDefault();
                      activate();
                    }
                  }}
                >
                  <title>{describe(item)}</title>
                  {point ? (
                    <path d={`M${(x1 + x2) / 2} ${y} l5 6 l-5 6 l-5 -6 z`} />
                  ) : (
                    <rect x={x1} y={y} width={x2 - x1} height={ROW - 4} rx={3} />
                  )}
                  {!point && barLabel(item, x1, x2, plotWidth, y)}
                </g>
              );
            })}
          </svg>
        </g>
      ))}
    </svg>
  );
}
