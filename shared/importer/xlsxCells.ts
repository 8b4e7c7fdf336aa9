/**
 * Spreadsheet cells as the import engine's text (issue 11). exceljs hands a cell's value as a
 * string, number, boolean, Date, formula, rich text, hyperlink or error; the engine reads text, as
 * from a CSV file, so each becomes the text a user sees in the cell:
 * - a number in JavaScript's shortest round-trip form (no thousands separators, no exponent below
 *   1e21), so a phone number stored as a number stays whole;
 * - a date as ISO 8601 wall-clock time without an offset, date and time apart by a space as RFC
 *   3339 allows ("2026-03-01 14:30:00", or "2026-03-01" where the cell's format shows no time), so
 *   the built-in specifications' pattern "yyyy-MM-dd HH:mm:ss" reads it; a spreadsheet stores no
 *   time zone, so the specification's `timeZone` says which one it was;
 * - a formula as its cached result (the engine never evaluates formulas); none cached → empty; a
 *   numeric result in a date format as a date (exceljs's streaming reader leaves it a serial);
 * - rich text as its plain text, a hyperlink as its text, an error as its code ("#N/A");
 * - true/false as "true"/"false".
 * The Node reader (electron/services/importer/xlsxRows.ts) and the browser one
 * (renderer/import/xlsxRows.ts) share this, so both give the engine the same rows.
 */
import { CodedError } from '../base/errors.ts';

export type XlsxErrorCode = 'xlsx-no-sheet' | 'xlsx-unreadable' | 'xlsx-too-large' | 'aborted';

/** Reading a workbook failed; `code` says how. */
export class XlsxError extends CodedError<XlsxErrorCode> {
  override readonly name = 'XlsxError';
}

/** The error for a sheet that is not there, naming the ones that are. */
export function noSheetError(sheet: string | undefined, names: readonly string[]): XlsxError {
  return new XlsxError(
    'xlsx-no-sheet',
    sheet !== undefined
      ? `the workbook has no sheet '${sheet}' (its sheets: ${names.join(', ') || 'none'})`
      : 'the workbook has no sheet',
  );
}

/** The part of an exceljs cell the conversion reads. */
export interface XlsxCellLike {
  readonly value: unknown;
  /** The number format, e.g. "dd/mm/yyyy hh:mm"; tells a date from a date-time. */
  readonly numFmt?: string | undefined;
}

/** The part of an exceljs row the conversion reads (exceljs's Row satisfies it). */
export interface XlsxRowLike {
  /** 1-based row number in the sheet. */
  readonly number: number;
  /** Cells up to the last one with content, empty ones between included. */
  readonly cellCount: number;
  getCell(column: number): XlsxCellLike;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Without quoted text and bracketed colours/conditions, as exceljs's own test. */
function bareFormat(numFmt: string): string {
  return numFmt.replace(/"[^"]*"/g, '').replace(/\[[^\]]*\]/g, '');
}

/** Whether a number format shows a date (exceljs's rule: a y, m, d, h, s or b token). */
export function isDateFormat(numFmt: string | undefined): boolean {
  return numFmt !== undefined && /[ymdhMsb]/.test(bareFormat(numFmt));
}

/** A 1900-system date serial (days since 1899-12-30, as Excel counts) as a Date of its UTC fields. */
function serialDate(serial: number): Date {
  return new Date(Math.round((serial - 25569) * 86_400_000));
}

/** A format shows a time when it has an hour or second token outside quotes and brackets' colours. */
function showsTime(numFmt: string | undefined): boolean {
  if (numFmt === undefined) return true;
  return /[hHs]/.test(bareFormat(numFmt));
}

/**
 * exceljs reads a date serial as UTC (it knows no zone), so the UTC fields are the cell's
 * wall-clock fields. Rounded to the second: serials are fractions of a day, and 14:30 may come
 * back as 14:29:59.9997.
 */
function dateText(date: Date, numFmt: string | undefined): string {
  const ms = Math.round(date.getTime() / 1000) * 1000;
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms);
  const day = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (!showsTime(numFmt)) return day;
  return `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** One cell's value as text (see the file's opening comment). */
export function xlsxCellText(value: unknown, numFmt?: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return dateText(value, numFmt);
  if (!isRecord(value)) return '';
  if ('richText' in value && Array.isArray(value.richText)) {
    return value.richText
      .map((run: unknown) => (isRecord(run) && typeof run.text === 'string' ? run.text : ''))
      .join('');
  }
  if ('formula' in value || 'sharedFormula' in value) {
    const result =
      typeof value.result === 'number' && isDateFormat(numFmt)
        ? serialDate(value.result)
        : value.result;
    return xlsxCellText(result, numFmt);
  }
  if ('hyperlink' in value) return xlsxCellText(value.text, numFmt);
  if ('error' in value && typeof value.error === 'string') return value.error;
  // exceljs gives `{ sharedString: n }` only when told not to cache shared strings; both readers do.
  return '';
}

/** A row's cells as text, from column 1 to its last cell. */
export function xlsxRowCells(row: XlsxRowLike): string[] {
  const cells: string[] = [];
  for (let column = 1; column <= row.cellCount; column += 1) {
    const cell = row.getCell(column);
    cells.push(xlsxCellText(cell.value, cell.numFmt));
  }
  return cells;
}

/**
 * Collects rows in sheet order, an empty row standing in for each row number the sheet skips
 * (an XLSX file leaves empty rows out), so the engine's row numbers are the spreadsheet's.
 */
export class XlsxRowCollector {
  private lastRow = 0;
  private rows: string[][] = [];

  add(row: XlsxRowLike): void {
    for (let missing = this.lastRow + 1; missing < row.number; missing += 1) this.rows.push([]);
    this.rows.push(xlsxRowCells(row));
    this.lastRow = Math.max(this.lastRow, row.number);
  }

  get size(): number {
    return this.rows.length;
  }

  /** The rows collected since the last take. */
  take(): string[][] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }
}
