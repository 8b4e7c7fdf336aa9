/** The date range the workspace filters by: closed, UTC milliseconds, whole days from the slider. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/** "2024-03-01 – 2024-05-31" for a chip or a label. */
export function formatRange(range: TimeRange): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return `${day(range.from)} – ${day(range.to)}`;
}
