/**
 * The import wizard's engine as a fuzz target (issue 11): mutated CSV bytes through encoding,
 * delimiter and header detection, the streaming parser (both kinds, cut into chunks) and the row
 * mapper of each built-in specification. Bad rows are RowProblems, not throws; the only thing the
 * engine may throw is its coded ImportEngineError (a header without the columns a specification
 * needs, an unusable delimiter or encoding).
 */
import { readFileSync } from 'node:fs';
import {
  BUILT_IN_SPECS,
  createDecoder,
  createDelimitedParser,
  createRowMapper,
  detectSource,
  ImportEngineError,
  ImportSpecError,
} from '../../shared/importer/index.ts';
import type { DelimitedParserKind } from '../../shared/importer/index.ts';
import { DEFAULT_MARKINGS, UNGRADED } from '../../shared/model/index.ts';
import { encodeSingleByte, encodeUtf16le } from '../../shared/importer/testing/encode.ts';
import { CYRILLIC, entitiesCsv, GREEK, ROMANIAN } from '../../shared/importer/testing/names.ts';
import type { Target } from './targets.ts';

const FIXTURES = new URL('../../shared/importer/fixtures/', import.meta.url);
const SPECS = [BUILT_IN_SPECS.cdr, BUILT_IN_SPECS.bank, BUILT_IN_SPECS.entities];
const OPTIONS = {
  caseId: '01HZZZZZZZZZZZZZZZZZZZFUZZ',
  agencyId: 'fuzz',
  userName: 'fuzz',
  now: '2026-01-01T00:00:00Z',
  fileName: 'fuzz.csv',
  fileSha256: '0'.repeat(64),
  grading: UNGRADED,
  markings: DEFAULT_MARKINGS,
};

export function importEngineTarget(): Target {
  const seeds = [
    ...['cdr.csv', 'bank.csv', 'entities.csv'].map((name) => readFileSync(new URL(name, FIXTURES))),
    // Legacy and UTF-16 text, so mutants reach every branch of the encoding detection.
    Buffer.from(encodeSingleByte(entitiesCsv(CYRILLIC, ';'), 'windows-1251')),
    Buffer.from(encodeUtf16le(entitiesCsv([...ROMANIAN, ...GREEK], '\t'))),
  ];
  return {
    name: 'import engine (CSV)',
    json: false,
    // Each input runs detection, both parsers' chunking and three specifications' mappers:
    // a fifth of the run's count (2,000 of the default 10,000) keeps `npm run fuzz` short.
    share: 0.2,
    seeds,
    run(input, index) {
      const kind: DelimitedParserKind = index % 2 === 0 ? 'udsv' : 'papaparse';
      const detected = detectSource(input, { encoding: 'auto', delimiter: 'auto', header: 'auto' });
      const decoder = createDecoder(detected.encoding);
      const parser = createDelimitedParser({ delimiter: detected.delimiter, kind });
      const rows: string[][] = [];
      // Cut where a multi-byte character or a quoted field may be split.
      const step = 1 + (index % 13);
      for (let at = 0; at < input.length; at += step) {
        rows.push(...parser.push(decoder.decode(input.subarray(at, at + step))));
      }
      rows.push(...parser.push(decoder.end()), ...parser.end());
      const header = detected.header ? rows.shift() : undefined;
      // Every specification whose columns the file has (most mutants keep their seed's header),
      // so the mapper sees the rows; one that does not fit must say so with its code.
      for (const spec of SPECS) {
        const mapper = createRowMapper(spec, OPTIONS);
        try {
          if (header) mapper.setHeader(header);
        } catch (error) {
          if (error instanceof ImportEngineError && error.code === 'import.header-missing')
            continue;
          throw error;
        }
        const batch = mapper.mapRows(rows, 2);
        const summary = mapper.summary();
        if (summary.rowsImported + summary.rowsExcluded + summary.rowsRejected !== rows.length) {
          throw new TypeError(`rows unaccounted for: ${JSON.stringify(summary)} of ${rows.length}`);
        }
        if (batch.problems.some((problem) => !problem.code || !problem.message)) {
          throw new TypeError('a problem without a code or a message');
        }
      }
    },
    accepts: (error) => error instanceof ImportEngineError || error instanceof ImportSpecError,
  };
}
