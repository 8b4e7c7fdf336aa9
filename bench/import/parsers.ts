/**
 * The parser comparison of issue 11: uDSV and PapaParse on the same CSV text, each raw (the
 * library's own incremental API, rows counted in its callback, nothing kept) and through the
 * engine's `createDelimitedParser` (what the import actually runs: rows handed out as string
 * arrays per chunk). The text comes as the same ~1 MiB chunks for all, already decoded, so only
 * parsing is timed. Pure: it runs in Node (import.bench.ts) and in Chromium (entry.ts) alike.
 */
import Papa from 'papaparse';
import { inferSchema, initParser } from 'udsv';
import { createDelimitedParser } from '../../shared/importer/index.ts';
import type { DelimitedParserKind } from '../../shared/importer/index.ts';

export interface ParserTiming {
  /** e.g. "uDSV raw", "PapaParse via createDelimitedParser". */
  readonly name: string;
  readonly kind: DelimitedParserKind;
  readonly rows: number;
  /** Best of the rounds. */
  readonly ms: number;
}

function udsvRaw(chunks: readonly string[]): number {
  let rows = 0;
  // The header is a row like any other here, as in the engine (the mapper is told which it is).
  const parser = initParser(inferSchema(chunks[0] ?? '', { col: ',', header: () => [] }));
  const count = () => {
    rows += 1;
  };
  for (const chunk of chunks) parser.chunk<string[]>(chunk, parser.stringArrs, count);
  parser.end();
  return rows;
}

function papaRaw(chunks: readonly string[]): number {
  let rows = 0;
  // PapaParse streams over a string, a File or a Node stream with a callback per row (`step`) or
  // per chunk (`chunk`); `step` was the faster of the two on this file in Node (0.5 s against
  // 1.5 s for 200,000 rows), so the raw figure is PapaParse at its best.
  Papa.parse<string[]>(chunks.join(''), {
    delimiter: ',',
    skipEmptyLines: true,
    step: () => {
      rows += 1;
    },
  });
  return rows;
}

function viaEngine(kind: DelimitedParserKind) {
  return (chunks: readonly string[]): number => {
    const parser = createDelimitedParser({ delimiter: ',', kind });
    let rows = 0;
    for (const chunk of chunks) rows += parser.push(chunk).length;
    rows += parser.end().length;
    return rows;
  };
}

const CANDIDATES: readonly (readonly [
  string,
  DelimitedParserKind,
  (c: readonly string[]) => number,
])[] = [
  ['uDSV raw', 'udsv', udsvRaw],
  ['PapaParse raw', 'papaparse', papaRaw],
  ['uDSV via createDelimitedParser', 'udsv', viaEngine('udsv')],
  ['PapaParse via createDelimitedParser', 'papaparse', viaEngine('papaparse')],
];

/** Each candidate `rounds` times, in rotating order so none always runs first; best time each. */
export function compareParsers(chunks: readonly string[], rounds = 3): ParserTiming[] {
  const best = CANDIDATES.map(([name, kind]) => ({ name, kind, rows: 0, ms: Infinity }));
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < CANDIDATES.length; i += 1) {
      const index = (i + round) % CANDIDATES.length;
      const run = CANDIDATES[index]![2];
      const start = performance.now();
      const rows = run(chunks);
      const ms = performance.now() - start;
      const entry = best[index]!;
      entry.rows = rows;
      entry.ms = Math.min(entry.ms, ms);
    }
  }
  return best;
}

/** `name: N rows/s` lines, the same in Node and in Chromium. */
export function parserLines(where: string, timings: readonly ParserTiming[]): string[] {
  return timings.map(
    (t) =>
      `parse ${where} ${t.name}: ${Math.round(t.rows / (t.ms / 1000))} rows/s (${t.rows} rows, ${Math.round(t.ms)} ms)`,
  );
}
