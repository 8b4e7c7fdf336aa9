/**
 * The import engine's coded errors (STYLE.md item 15: callers branch on `code`, never on the
 * message). A problem with one row is never thrown: it is a RowProblem in the batch. What is thrown
 * stops the whole import: a specification that cannot be used, an unknown encoding, a cancel.
 */
export type ImportErrorCode =
  | 'import.encoding-unknown'
  | 'import.delimiter-invalid'
  | 'import.aborted'
  | 'import.spec-unusable'
  | 'import.header-missing';

export class ImportEngineError extends Error {
  override readonly name = 'ImportEngineError';
  constructor(
    readonly code: ImportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ImportSpecErrorCode = 'spec.invalid' | 'spec.not-json' | 'spec.unknown-name';

/** A specification that does not parse; `path` says where ("entities[1].properties[0].value"). */
export class ImportSpecError extends Error {
  override readonly name = 'ImportSpecError';
  constructor(
    readonly code: ImportSpecErrorCode,
    message: string,
    readonly path: string = '',
  ) {
    super(message);
  }
}
