import type { TimeRange } from './timeRange.ts';
import { formatRange } from './timeRange.ts';
import '../core/common.css';
import './timeline.css';

/** The active time filter as a chip; the × clears it. Renders nothing when no range is set. */
export function TimeRangeChip({
  range,
  onClear,
}: {
  readonly range: TimeRange | null;
  readonly onClear: () => void;
}) {
  if (!range) return null;
  return (
    <span
      className="timeline-chip"
      data-testid="time-range-chip"
      title="Chart filtered to this date range"
    >
      <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
        <path
          d="M2 4h12v10H2zM2 7h12M5 2v3M11 2v3"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
        />
      </svg>
      <span>{formatRange(range)}</span>
      <button
        type="button"
        className="timeline-chip-clear"
        onClick={onClear}
        aria-label="Clear the date filter"
        data-testid="time-range-clear"
      >
        ×
      </button>
    </span>
  );
}
