import { CodedError } from '../base/errors.ts';

/**
 * The one error an interchange importer or exporter throws: the file as a whole cannot be read
 * (not XML, not JSON, not the format, a construct refused for safety), or the format is not
 * available. Anything smaller is an ImportIssue in the import report instead. Callers branch on
 * `code` (STYLE.md item 15), never on the message.
 */
export type InterchangeErrorCode =
  | 'unreadable'
  | 'empty'
  | 'unknown-format'
  | 'needs-spec'
  | 'not-available'
  | 'invalid-case'
  | 'anx.not-xml'
  | 'anx.doctype'
  | 'anx.not-a-chart'
  | 'stix.not-json'
  | 'stix.not-a-bundle'
  | 'interchange.too-large';

export class InterchangeError extends CodedError<InterchangeErrorCode> {
  override readonly name = 'InterchangeError';
}

/** Inputs above this size are refused before parsing (a chart or a bundle is far smaller). */
export const MAX_INTERCHANGE_TEXT = 64 * 1024 * 1024;

export function assertNotTooLarge(text: string): void {
  if (text.length > MAX_INTERCHANGE_TEXT) {
    throw new InterchangeError(
      'interchange.too-large',
      `the file is larger than ${MAX_INTERCHANGE_TEXT / 1024 / 1024} MiB`,
    );
  }
}
