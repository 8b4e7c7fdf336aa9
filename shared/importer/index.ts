/**
 * The import engine (issue 11): detect → decode → parse → map, pure TypeScript shared by the
 * wizard's worker, the CLI (`tessera import --spec`) and the benchmark. See docs/import.md.
 */
export * from './types.ts';
export * from './errors.ts';
export { detectSource } from './detect.ts';
export type { DetectedSource } from './detect.ts';
export { createDecoder, createDelimitedParser, DEFAULT_PARSER_KIND } from './parse.ts';
export type { DelimitedParser, DelimitedParserKind } from './parse.ts';
export { createRowMapper } from './mapper.ts';
export type { RowMapper } from './mapper.ts';
export { BUILT_IN_SPECS, parseImportSpec, specByName } from './spec.ts';
export { describeProblem, rejectsCsv } from './rejects.ts';
export { runImport } from './run.ts';
