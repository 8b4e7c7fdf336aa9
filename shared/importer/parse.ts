/**
 * Streaming delimited text (CSV, TSV, semicolon- or pipe-separated) as complete rows.
 *
 * Text arrives in chunks cut anywhere: inside a quoted field, between a doubled quote's two
 * halves, between "\r" and "\n". The wrapper keeps what it has not yet seen the end of and hands
 * the parser only whole records: it scans each new chunk once, tracking whether it is inside
 * quotes (RFC 4180: a doubled quote flips the state twice, so counting quotes is enough), and
 * remembers the end of the last line break seen outside quotes. Everything up to there is parsed;
 * the rest waits for the next chunk (or `end()`). Both parsers see the same whole-record blocks,
 * so neither's own chunk handling matters.
 *
 * - `udsv` (uDSV): the fastest; it reads a fixed number of fields per row (a shorter row would be
 *   padded, a longer row's last cell would take the rest of its line). The scan counts each
 *   record's fields outside quotes, so a block where any record differs from the first record's
 *   count goes to PapaParse instead: rectangular files (carrier and bank exports) get uDSV's
 *   speed, ragged ones stay exact. A one-column file goes to PapaParse too (uDSV 0.7.3 drops rows
 *   there).
 * - `papaparse` (PapaParse): reads every block.
 *
 * Blank lines (and a record of one empty field) are no records and are skipped by both. Row and field delimiters are fixed per
 * file: the line break is read from the first one outside quotes ("\r\n" or "\n").
 */
import Papa from 'papaparse';
import { initParser } from 'udsv';
import type { Schema } from 'udsv';
import { ImportEngineError } from './errors.ts';
import { newTextDecoder } from './platform.ts';
import type { TextDecoderSlice } from './platform.ts';

export type DelimitedParserKind = 'udsv' | 'papaparse';

/** uDSV: several times PapaParse's speed on call records (docs/import.md, "Parser choice and benchmark"). */
export const DEFAULT_PARSER_KIND: DelimitedParserKind = 'udsv';

export interface DelimitedParser {
  /** The rows completed by this chunk. */
  push(text: string): string[][];
  /** The rows left at the end of the input. */
  end(): string[][];
}

export const DELIMITERS = [',', ';', '\t', '|'] as const;

const QUOTE = 34; // "
const LF = 10;
const CR = 13;

/** `width` is the first record's number of fields; `ragged` says some record of the block differs. */
type BlockParser = (
  block: string,
  rowDelimiter: '\n' | '\r\n',
  width: number,
  ragged: boolean,
) => string[][];

function papaBlockParser(delimiter: string): BlockParser {
  return (block, rowDelimiter) =>
    Papa.parse<string[]>(block, {
      delimiter,
      newline: rowDelimiter,
      quoteChar: '"',
      escapeChar: '"',
      skipEmptyLines: true,
      header: false,
      dynamicTyping: false,
    }).data;
}

function udsvBlockParser(delimiter: string): BlockParser {
  const papa = papaBlockParser(delimiter);
  let parse: ((block: string) => string[][]) | undefined;
  return (block, rowDelimiter, width, ragged) => {
    // uDSV reads a fixed number of fields per row; a block with another count goes to PapaParse,
    // as does a one-column file (uDSV 0.7.3 reads its line breaks as blank lines and drops rows).
    if (ragged || width < 2) return papa(block, rowDelimiter, width, ragged);
    if (!parse) {
      const column = {
        name: '',
        type: 's' as const,
        repl: { empty: '', null: undefined, NaN: undefined },
      };
      const schema: Schema = {
        col: delimiter,
        row: rowDelimiter,
        encl: '"',
        esc: '"',
        trim: false,
        cols: Array.from({ length: width }, (_, index) => ({ ...column, name: String(index) })),
      };
      // uDSV skips `skip` header rows; the engine sees every row.
      const parser = initParser({ ...schema, skip: 0 } as Schema);
      parse = (text) => parser.stringArrs<string[]>(text);
    }
    return parse(block);
  };
}

export function createDelimitedParser(options: {
  delimiter: string;
  kind?: DelimitedParserKind;
}): DelimitedParser {
  const { delimiter } = options;
  if (!(DELIMITERS as readonly string[]).includes(delimiter)) {
    throw new ImportEngineError(
      'import.delimiter-invalid',
      `the delimiter must be one of , ; tab |, not ${JSON.stringify(delimiter)}`,
    );
  }
  const parseBlock =
    (options.kind ?? DEFAULT_PARSER_KIND) === 'papaparse'
      ? papaBlockParser(delimiter)
      : udsvBlockParser(delimiter);
  const delimiterCode = delimiter.charCodeAt(0);
  let pending = '';
  /** How far `pending` has been scanned, and the state there. */
  let scanned = 0;
  let inQuotes = false;
  /** Fields of the record being scanned, and whether it has any content (else: a blank line). */
  let fields = 1;
  let content = false;
  /** The first record's field count; whether a complete record not yet taken differs from it. */
  let width: number | undefined;
  let ragged = false;
  let rowDelimiter: '\n' | '\r\n' | undefined;

  /** Scans `pending` from `scanned`; returns the end of the last record completed. */
  const scan = (): number => {
    let boundary = 0;
    for (let i = scanned; i < pending.length; i += 1) {
      const c = pending.charCodeAt(i);
      if (c === QUOTE) {
        inQuotes = !inQuotes;
        content = true;
      } else if (inQuotes) continue;
      else if (c === delimiterCode) {
        fields += 1;
        content = true;
      } else if (c === LF) {
        rowDelimiter ??= i > 0 && pending.charCodeAt(i - 1) === CR ? '\r\n' : '\n';
        boundary = i + 1;
        if (content) {
          width ??= fields;
          if (fields !== width) ragged = true;
        }
        fields = 1;
        content = false;
      } else if (c !== CR) content = true;
    }
    scanned = pending.length;
    return boundary;
  };

  const take = (upTo: number): string[][] => {
    if (upTo === 0) return [];
    const block = pending.slice(0, upTo);
    pending = pending.slice(upTo);
    scanned -= upTo;
    const blockRagged = ragged;
    ragged = false;
    // A record of one empty field ('""') is a blank line too; the two parsers differ there.
    return parseBlock(block, rowDelimiter ?? '\n', width ?? 1, blockRagged).filter(
      (row) => row.length > 1 || (row.length === 1 && row[0] !== ''),
    );
  };

  return {
    push(text) {
      pending += text;
      return take(scan());
    },
    end() {
      if (pending.length === 0) return [];
      // A last line without its line break: the file's own break, or "\r\n" when it ends in "\r".
      if (rowDelimiter === undefined && pending.endsWith('\r')) rowDelimiter = '\r\n';
      // Every record ends with its line break (so uDSV also ends a short last row); an unclosed
      // quote is closed, so the scan completes the record and the parsers read what there is.
      if (inQuotes) pending += '"';
      if (!pending.endsWith('\n') || inQuotes)
        pending += pending.endsWith('\r') ? '\n' : (rowDelimiter ?? '\n');
      const rows = take(scan());
      const rest = take(pending.length);
      pending = '';
      scanned = 0;
      inQuotes = false;
      fields = 1;
      content = false;
      return [...rows, ...rest];
    },
  };
}

/** A streaming decoder for a WHATWG encoding label; a byte-order mark is dropped. */
export function createDecoder(encoding: string): {
  decode(chunk: Uint8Array): string;
  end(): string;
} {
  let decoder: TextDecoderSlice;
  try {
    decoder = newTextDecoder(encoding);
  } catch {
    throw new ImportEngineError(
      'import.encoding-unknown',
      `"${encoding}" is not a text encoding this platform reads`,
    );
  }
  return {
    decode: (chunk) => decoder.decode(chunk, { stream: true }),
    end: () => decoder.decode(),
  };
}
