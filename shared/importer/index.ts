/**
 * The import engine (issue 11): detect → decode → parse → map, pure TypeScript shared by the
 * wizard's worker, the CLI (`tessera import --spec`) and the benchmark. See docs/import.md.
 */
export * from './types.ts';
export * from './errors.ts';
export {
  detectDelimiter,
  detectEncoding,
  detectHeader,
  detectSource,
  PREVIEW_ROWS,
  SAMPLE_BYTES,
} from './detect.ts';
export type { DetectedSource } from './detect.ts';
export { createDecoder, createDelimitedParser, DEFAULT_PARSER_KIND, DELIMITERS } from './parse.ts';
export type { DelimitedParser, DelimitedParserKind } from './parse.ts';
export { createRowMapper } from './mapper.ts';
export type { RowMapper, RowProblemCode } from './mapper.ts';
export {
  BUILT_IN_SPECS,
  EXTRA_PREFIX,
  parseImportSpec,
  parseImportSpecText,
  specByName,
} from './spec.ts';
export {
  applyTransform,
  applyTransforms,
  readDate,
  readDuration,
  readNumber,
} from './transforms.ts';
export type { ValueProblem, ValueProblemCode } from './transforms.ts';
export { identityKeys } from './identity.ts';
export { describeProblem, rejectsCsv } from './rejects.ts';
export { DEFAULT_BATCH_ROWS, runImport, runImportDetailed } from './run.ts';
export type { ImportRunDetails, ImportRunSettings } from './run.ts';
