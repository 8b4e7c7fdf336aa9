/** One part of `npm run bench -- million` (see bench/million.bench.ts). */
export interface MillionContext {
  /** Rows of the generated call-record file the case was imported from (1,000,000 by default). */
  readonly rows: number;
  /** The case's entities as JSON lines (bench/million/case.ts); `loadMillionCase(rows)` reads them. */
  readonly casePath: string;
}

export interface MillionSection {
  /** Short name for MILLION_SECTIONS (e.g. "open", "search", "timeline", "chart"). */
  readonly name: string;
  /** Prints `figure: value unit` lines; throws when it cannot measure. */
  run(context: MillionContext): Promise<void>;
}
