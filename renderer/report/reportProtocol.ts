/** What the report dialog asks of the report worker, and what it answers. */
import type { ReportInput } from '../../shared/report/build.ts';
import type { ReportFormat, ReportOptions } from '../../shared/report/types.ts';

export interface ReportRequest {
  readonly input: ReportInput;
  readonly options: ReportOptions;
  readonly format: ReportFormat;
}

export interface ReportResult {
  readonly bytes: Uint8Array;
  readonly fileName: string;
  readonly mediaType: string;
  /** Shown after the download: what the report holds. */
  readonly summary: string;
}
