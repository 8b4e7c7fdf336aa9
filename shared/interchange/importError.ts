/**
 * The one error an interchange importer throws: the file as a whole cannot be read (not XML, not
 * JSON, not the format, a construct refused for safety). Anything smaller is an ImportIssue in the
 * import report instead. Callers branch on `code` (STYLE.md item 15), never on the message.
 */
export type InterchangeErrorCode =
  | 'anx.not-xml'
  | 'anx.doctype'
  | 'anx.not-a-chart'
  | 'stix.not-json'
  | 'stix.not-a-bundle'
  | 'interchange.too-large';

export class InterchangeImportError extends Error {
  override readonly name = 'InterchangeImportError';
  constructor(
    readonly code: InterchangeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Inputs above this size are refused before parsing (a chart or a bundle is far smaller). */
export const MAX_INTERCHANGE_TEXT = 64 * 1024 * 1024;

export function assertNotTooLarge(text: string): void {
  if (text.length > MAX_INTERCHANGE_TEXT) {
    throw new InterchangeImportError(
      'interchange.too-large',
      `the file is larger than ${MAX_INTERCHANGE_TEXT / 1024 / 1024} MiB`,
    );
  }
}
