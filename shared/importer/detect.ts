/**
 * What a delimited file is, from its first bytes (≤ 1 MiB): encoding, delimiter, header, columns
 * and a preview of the first 100 rows, for the wizard's first page and for a specification that
 * says "auto".
 *
 * Encoding, first rule that applies:
 *   1. a hint other than "auto" (a WHATWG label; an unknown one is a coded error);
 *   2. a byte-order mark (UTF-8, UTF-16LE, UTF-16BE);
 *   3. UTF-16 without a mark: most bytes at odd (LE) or even (BE) offsets are zero;
 *   4. bytes that are valid UTF-8 (plain ASCII included) are UTF-8;
 *   5. otherwise a legacy single-byte encoding: each candidate (Windows-125x, ISO-8859-x, KOI8,
 *      and whatever chardet proposes) decodes the sample and the most plausible text wins
 *      (`plausibility`: letters, one script and a sane case pattern per word; control codes and
 *      stray signs cost). chardet alone misreads short files (a list of names is mostly ASCII),
 *      so its ranking only breaks ties. Windows code pages come first on a tie: the bytes they
 *      and their ISO-8859 twins share decode alike, and Windows wrote most such files.
 * Delimiter: of , ; tab |, the one that splits the first lines (quotes respected) into the same
 * number of fields, more than one, most consistently; ties go to more fields, then list order.
 * Header: the first row is a header when its cells are non-empty, distinct and not numbers or dates,
 * while some later row has a number or date (or when there is no later row to compare with).
 */
import chardet from 'chardet';
import { ImportEngineError } from './errors.ts';
import { createDelimitedParser, DELIMITERS } from './parse.ts';
import { newTextDecoder } from './platform.ts';
import type { SourceOptions } from './types.ts';

export interface DetectedSource {
  encoding: string;
  delimiter: string;
  header: boolean;
  columns: string[];
  /** ≤ 100 rows (after the header and any skipped rows). */
  preview: string[][];
}

export const PREVIEW_ROWS = 100;
export const SAMPLE_BYTES = 1024 * 1024;

function decodable(label: string): boolean {
  try {
    newTextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

function bomEncoding(sample: Uint8Array): string | undefined {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  return undefined;
}

function utf16WithoutBom(sample: Uint8Array): string | undefined {
  const length = Math.min(sample.length, 4096) & ~1;
  if (length < 4) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < length; i += 2) {
    if (sample[i] === 0) evenZeros += 1;
    if (sample[i + 1] === 0) oddZeros += 1;
  }
  const pairs = length / 2;
  if (oddZeros > pairs * 0.4 && evenZeros < pairs * 0.05) return 'utf-16le';
  if (evenZeros > pairs * 0.4 && oddZeros < pairs * 0.05) return 'utf-16be';
  return undefined;
}

function isUtf8(sample: Uint8Array): boolean {
  // A sample cut from a larger file may end inside a character: up to 3 trailing bytes of an
  // unfinished sequence are left out of the check.
  let end = sample.length;
  for (let back = 1; back <= 3 && end - back >= 0; back += 1) {
    const byte = sample[end - back]!;
    if (byte >= 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      if (back < needed) end -= back;
      break;
    }
    if (byte < 0x80) break;
  }
  try {
    newTextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** The sample's encoding as a WHATWG label (rules 1–5 at the top). */
export function detectEncoding(sample: Uint8Array, hint?: string): string {
  if (hint !== undefined && hint !== 'auto') {
    const label = hint.trim().toLowerCase();
    if (!decodable(label)) {
      throw new ImportEngineError(
        'import.encoding-unknown',
        `"${hint}" is not a text encoding this platform reads`,
      );
    }
    return label;
  }
  const bom = bomEncoding(sample) ?? utf16WithoutBom(sample);
  if (bom) return bom;
  if (isUtf8(sample)) return 'utf-8';
  return legacyEncoding(sample);
}

/** The single-byte encodings of the languages whose names occur in casework, Windows first. */
const LEGACY = [
  'windows-1252',
  'windows-1250',
  'windows-1251',
  'windows-1253',
  'windows-1254',
  'windows-1257',
  'iso-8859-2',
  'iso-8859-5',
  'iso-8859-7',
  'iso-8859-16',
  'koi8-r',
  'koi8-u',
] as const;

/** Characters a legacy file holds besides letters without being a sign of the wrong encoding. */
const COMMON_SIGNS = /[\u00a0«»\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e€°§\u2026·]/u;
const FREQUENT_CYRILLIC = /[оеаинтсрвл]/u;
const WORD = /\p{L}+/gu;
const SCRIPT = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u];
const WELL_CASED = /^(?:\p{Lu}?\p{Ll}+|\p{Lu}+)$/u;

/**
 * How much a decoding looks like text: letters score, controls and odd signs cost, words must
 * keep to one script and a plausible case pattern (a KOI8 file read as Windows-1251 comes out
 * "иВАН"), and Russian text has its frequent letters. Only the non-ASCII part tells encodings apart.
 */
function plausibility(text: string): number {
  let score = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) continue;
    if (char === '\uFFFD' || (code >= 0x80 && code <= 0x9f)) score -= 10;
    else if (/\p{L}/u.test(char)) score += FREQUENT_CYRILLIC.test(char) ? 1.5 : 1;
    else if (!COMMON_SIGNS.test(char)) score -= 3;
  }
  for (const [word] of text.matchAll(WORD)) {
    if (!/\P{ASCII}/u.test(word)) continue;
    const scripts = SCRIPT.filter((script) => script.test(word)).length;
    if (scripts > 1) score -= 5;
    score += WELL_CASED.test(word) ? 2 : -2;
  }
  return score;
}

/** Rule 5: the legacy encoding whose decoding is most plausible; chardet's ranking breaks ties. */
function legacyEncoding(sample: Uint8Array): string {
  const scored = sample.subarray(0, 256 * 1024);
  const ranked = chardet.analyse(scored).map((match) => match.name.toLowerCase());
  const candidates = [
    ...LEGACY,
    ...ranked.filter(
      (name) => !name.startsWith('utf') && !(LEGACY as readonly string[]).includes(name),
    ),
  ].filter(decodable);
  let best: { label: string; score: number } | undefined;
  for (const label of candidates) {
    const rank = ranked.indexOf(label);
    const bonus = rank < 0 ? 0 : 1 / (rank + 1);
    const score = plausibility(newTextDecoder(label).decode(scored, { stream: true })) + bonus;
    if (!best || score > best.score) best = { label, score };
  }
  return best?.label ?? 'windows-1252';
}

/** Field counts per record over the first lines, for one delimiter (quotes respected). */
function fieldCounts(text: string, delimiter: string, maxRecords = 50): number[] {
  const counts: number[] = [];
  let fields = 1;
  let inQuotes = false;
  let empty = true;
  const code = delimiter.charCodeAt(0);
  for (let i = 0; i < text.length && counts.length < maxRecords; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (c === code) fields += 1;
    else if (c === 10) {
      if (!empty) counts.push(fields);
      fields = 1;
      empty = true;
      continue;
    } else if (c === 13) continue;
    empty = false;
  }
  if (!empty && counts.length < maxRecords) counts.push(fields);
  return counts;
}

export function detectDelimiter(text: string): string {
  let best: { delimiter: string; consistency: number; fields: number } | undefined;
  for (const delimiter of DELIMITERS) {
    const counts = fieldCounts(text, delimiter);
    if (counts.length === 0) continue;
    const tally = new Map<number, number>();
    for (const count of counts) tally.set(count, (tally.get(count) ?? 0) + 1);
    const [fields, times] = [...tally].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]!;
    if (fields < 2) continue;
    const consistency = times / counts.length;
    if (
      !best ||
      consistency > best.consistency + 1e-9 ||
      (Math.abs(consistency - best.consistency) < 1e-9 && fields > best.fields)
    ) {
      best = { delimiter, consistency, fields };
    }
  }
  return best?.delimiter ?? ',';
}

const NUMBER_OR_DATE = /^[+-]?[\d\s.,:/\-'’()]+$/;
const looksLikeData = (cell: string) => /\d/.test(cell) && NUMBER_OR_DATE.test(cell.trim());

export function detectHeader(rows: readonly (readonly string[])[]): boolean {
  const first = rows[0];
  if (!first || first.length === 0) return false;
  const cells = first.map((cell) => cell.trim());
  if (cells.some((cell) => cell === '' || looksLikeData(cell))) return false;
  if (new Set(cells.map((cell) => cell.toLowerCase())).size !== cells.length) return false;
  const rest = rows.slice(1);
  if (rest.length === 0) return true;
  // Some column has data that looks unlike a name in a later row, or the first row's words
  // never occur again in their column.
  return cells.some(
    (cell, i) =>
      rest.some((row) => looksLikeData(row[i] ?? '')) ||
      !rest.some((row) => (row[i] ?? '').trim().toLowerCase() === cell.toLowerCase()),
  );
}

export function detectSource(sample: Uint8Array, hints?: Partial<SourceOptions>): DetectedSource {
  const bytes = sample.subarray(0, SAMPLE_BYTES);
  const encoding = detectEncoding(bytes, hints?.encoding);
  const decoder = newTextDecoder(encoding);
  // Streaming decode: an unfinished character at the end of the sample is left out.
  const text = decoder.decode(bytes, { stream: true }).replace(/^\uFEFF/, '');
  const delimiter =
    hints?.delimiter !== undefined && hints.delimiter !== 'auto'
      ? hints.delimiter
      : detectDelimiter(text);
  const parser = createDelimitedParser({ delimiter, kind: 'papaparse' });
  let rows = parser.push(text);
  const skip = hints?.skipRows ?? 0;
  // The last line may be cut by the sample's end; it is read only when the sample is the file.
  if (sample.length < SAMPLE_BYTES || rows.length <= skip) rows = rows.concat(parser.end());
  rows = rows.slice(skip, skip + PREVIEW_ROWS + 1);
  const header =
    hints?.header === true || hints?.header === false ? hints.header : detectHeader(rows);
  const body = (header ? rows.slice(1) : rows).slice(0, PREVIEW_ROWS);
  const width = Math.max(rows[0]?.length ?? 0, ...body.map((row) => row.length));
  const columns = Array.from({ length: width }, (_, i) =>
    header && rows[0]?.[i] !== undefined && rows[0][i]!.trim() !== ''
      ? rows[0][i]!.trim()
      : `#${i + 1}`,
  );
  return { encoding, delimiter, header, columns, preview: body };
}
