import type { TimeSpan } from '../../shared/time/index.ts';
import { DAY, dayIndex } from './timelineModel.ts';
import type { TimeRange } from './timeRange.ts';

interface RangeSliderProps {
  /** The span the handles can move over (the items' extent). */
  readonly extent: TimeSpan;
  readonly range: TimeRange | null;
  readonly onChange: (range: TimeRange | null) => void;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const parseDay = (text: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;

/**
 * Two handles over whole UTC days, drawn as two overlaid native range inputs (keyboard and screen
 * readers work as usual), plus date fields for exact entry. Moving a handle to both ends clears the
 * range, so "everything" is never a filter.
 */
export function RangeSlider({ extent, range, onChange }: RangeSliderProps) {
  const origin = Math.floor(extent.start / DAY) * DAY;
  const max = Math.max(dayIndex(origin, Math.floor(extent.end / DAY) * DAY), 1);
  const fromIndex = range ? Math.min(Math.max(dayIndex(origin, range.from), 0), max) : 0;
  const toIndex = range ? Math.min(Math.max(dayIndex(origin, range.to - DAY + 1), 0), max) : max;

  const set = (from: number, to: number) => {
    const lo = Math.max(0, Math.min(from, to));
    const hi = Math.min(max, Math.max(from, to));
    if (lo === 0 && hi === max) onChange(null);
    else onChange({ from: origin + lo * DAY, to: origin + (hi + 1) * DAY - 1 });
  };
  // A native thumb's centre runs from half a thumb in from each end: 7px for the 14px thumb.
  const at = (index: number) => `calc(${(index / max) * 100}% + ${7 - (index / max) * 14}px)`;

  return (
    <div className="timeline-slider" data-testid="timeline-slider">
      <DayField
        label="From"
        origin={origin}
        max={max}
        index={fromIndex}
        onIndex={(index) => set(index, toIndex)}
        testId="timeline-range-from-date"
      />
      <div className="timeline-slider-track">
        <div
          className="timeline-slider-fill"
          style={{ left: at(fromIndex), width: `calc(${at(toIndex)} - ${at(fromIndex)})` }}
        />
        <input
          type="range"
          min={0}
          max={max}
          step={1}
          value={fromIndex}
          onChange={(event) => set(Math.min(Number(event.target.value), toIndex), toIndex)}
          aria-label="Start of the date range"
          aria-valuetext={isoDay(origin + fromIndex * DAY)}
          data-testid="timeline-range-from"
        />
        <input
          type="range"
          min={0}
          max={max}
          step={1}
          value={toIndex}
          onChange={(event) => set(fromIndex, Math.max(Number(event.target.value), fromIndex))}
          aria-label="End of the date range"
          aria-valuetext={isoDay(origin + toIndex * DAY)}
          data-testid="timeline-range-to"
        />
      </div>
      <DayField
        label="To"
        origin={origin}
        max={max}
        index={toIndex}
        onIndex={(index) => set(fromIndex, index)}
        testId="timeline-range-to-date"
      />
    </div>
  );
}

/** A date input for one end of the range, as a day index from `origin`; unparsable input is ignored. */
function DayField({
  label,
  origin,
  max,
  index,
  onIndex,
  testId,
}: {
  label: string;
  origin: number;
  max: number;
  index: number;
  readonly onIndex: (index: number) => void;
  testId: string;
}) {
  return (
    <label className="timeline-slider-date">
      <span>{label}</span>
      <input
        type="date"
        value={isoDay(origin + index * DAY)}
        min={isoDay(origin)}
        max={isoDay(origin + max * DAY)}
        onChange={(event) => {
          const t = parseDay(event.target.value);
          if (Number.isFinite(t)) onIndex(dayIndex(origin, t));
        }}
        data-testid={testId}
      />
    </label>
  );
}
