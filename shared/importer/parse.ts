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
 * - `udsv` (uDSV): the fastest; it assumes every row has the first row's number of fields (a
 *   shorter row is padded with empty cells; a longer row's last cell takes the rest of its line).
 *   Carrier and bank exports are rectangular; that is the case it is for. A one-column file goes
 *   to PapaParse (uDSV 0.7.3 drops rows there).
 * - `papaparse` (PapaParse): reads ragged rows exactly.
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

/** uDSV: 1.8× PapaParse raw, 4× through this wrapper (docs/import.md, "Parser choice and benchmark"). */
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

type BlockParser = (block: string, rowDelimiter: '\n' | '\r\n') => string[][];

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
  let parse: ((block: string) => string[][]) | undefined;
  // Decided on the first block (the row delimiter is known by then and never changes).
  return (block, rowDelimiter) => {
    if (!parse) {
      // The width is the first record's, read exactly (its fields may hold quoted delimiters).
      const first = Papa.parse<string[]>(block, {
        delimiter,
        newline: rowDelimiter,
        quoteChar: '"',
        skipEmptyLines: true,
        preview: 1,
      }).data[0];
      const width = first?.length ?? 1;
      if (width < 2) {
        // uDSV 0.7.3 reads a one-column file's line break as a blank line and drops rows.
        const papa = papaBlockParser(delimiter);
        parse = (text) => papa(text, rowDelimiter);
        return parse(block);
      }
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
  let pending = '';
  /** How far `pending` has been scanned, and the quote state there. */
  let scanned = 0;
  let inQuotes = false;
  let rowDelimiter: '\n' | '\r\n' | undefined;

  const take = (upTo: number): string[][] => {
    if (upTo === 0) return [];
    const block = pending.slice(0, upTo);
    pending = pending.slice(upTo);
    scanned -= upTo;
    // A record of one empty field ('""') is a blank line too; the two parsers differ there.
    return parseBlock(block, rowDelimiter ?? '\n').filter(
      (row) => row.length > 1 || (row.length === 1 && row[0] !== ''),
    );
  };

  return {
    push(text) {
      pending += text;
      let boundary = 0;
      for (let i = scanned; i < pending.length; i += 1) {
        const c = pending.charCodeAt(i);
        if (c === QUOTE) inQuotes = !inQuotes;
        else if (c === LF && !inQuotes) {
          rowDelimiter ??= i > 0 && pending.charCodeAt(i - 1) === CR ? '\r\n' : '\n';
          boundary = i + 1;
        }
      }
      scanned = pending.length;
      return take(boundary);
    },
    end() {
      if (pending.length === 0) return [];
      // A last line without its line break: the file's own break, or "\r\n" when it ends in "\r".
      if (rowDelimiter === undefined && pending.endsWith('\r')) rowDelimiter = '\r\n';
      // Every record ends with its line break, so uDSV also ends a short last row.
      if (!pending.endsWith('\n'))
        pending += pending.endsWith('\r') ? '\n' : (rowDelimiter ?? '\n');
      const rows = take(pending.length);
      pending = '';
      scanned = 0;
      inQuotes = false;
      return rows;
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
