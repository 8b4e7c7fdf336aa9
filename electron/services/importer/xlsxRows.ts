/**
 * XLSX rows for the import engine on Node (the CLI, tests), read with exceljs's streaming
 * WorkbookReader (issue 11: not the `xlsx` package, which is stale and carries unfixed advisories).
 * The workbook is unzipped and parsed as it is read, one sheet's rows at a time, so memory stays
 * flat however long the sheet is; only the shared-string table is held whole. Cells become text as
 * shared/importer/xlsxCells.ts says (dates ISO, numbers as text, formulas their cached result).
 *
 * Styles are read ("cache"): a date is a number with a date format, and only the style says so.
 * exceljs's reader writes a sheet that comes before the shared strings in the zip to a temporary
 * file and reads it afterwards (Excel itself writes the strings first).
 */
import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { noSheetError, XlsxError, XlsxRowCollector } from '../../../shared/importer/xlsxCells.ts';
import { errorMessage } from '../../../shared/base/errors.ts';

export { XlsxError } from '../../../shared/importer/xlsxCells.ts';

export interface XlsxReadOptions {
  /** The sheet's name; the first sheet when absent. */
  readonly sheet?: string | undefined;
  /** Rows per batch handed out (default 5,000; one more per empty row a sheet leaves out). */
  readonly batchRows?: number;
  readonly signal?: AbortSignal | undefined;
}

/** What the WorksheetReader has at run time beyond exceljs's declared type. */
interface NamedSheet {
  readonly name?: string;
}

/**
 * The chosen sheet's rows in batches, from row 1 of the sheet (headers included, nothing skipped;
 * an empty row is `[]`, so batch positions are the spreadsheet's row numbers). Throws XlsxError
 * `xlsx-no-sheet` naming the sheets there are, `xlsx-unreadable` for a file that is no workbook.
 */
export async function* readXlsxRows(
  input: string | Readable,
  options: XlsxReadOptions = {},
): AsyncGenerator<string[][]> {
  // exceljs's streaming reader now and then fails on a good file (its workbook model not there yet
  // when it names a sheet: "reading 'sheets'"), about once in a few hundred reads of the same
  // file. A file on disk can be read again, so a read that failed before handing out any row is
  // tried once more; a stream cannot, and a file that fails twice is reported as unreadable.
  for (let attempt = 1; ; attempt += 1) {
    let handedOut = false;
    try {
      for await (const batch of readXlsxRowsOnce(input, options)) {
        handedOut = true;
        yield batch;
      }
      return;
    } catch (error) {
      const again =
        attempt === 1 &&
        !handedOut &&
        typeof input === 'string' &&
        error instanceof XlsxError &&
        error.code === 'xlsx-unreadable';
      if (!again) throw error;
    }
  }
}

async function* readXlsxRowsOnce(
  input: string | Readable,
  options: XlsxReadOptions,
): AsyncGenerator<string[][]> {
  const batchRows = options.batchRows ?? 5_000;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  const seen: string[] = [];
  let found = false;
  try {
    for await (const sheet of reader) {
      const name = (sheet as unknown as NamedSheet).name ?? `Sheet${seen.length + 1}`;
      seen.push(name);
      if (options.sheet !== undefined ? name !== options.sheet : found) {
        // Read to its end all the same: exceljs deletes the temporary file of a sheet stored before
        // the shared strings as soon as the loop moves on, and a sheet nobody read has not opened
        // it yet, so the late open failed with ENOENT outside any handler (a crash, seen in CI).
        for await (const skippedRow of sheet) void skippedRow;
        continue;
      }
      found = true;
      const rows = new XlsxRowCollector();
      for await (const row of sheet) {
        if (options.signal?.aborted) throw new XlsxError('aborted', 'the import was cancelled');
        rows.add(row);
        if (rows.size >= batchRows) yield rows.take();
      }
      if (rows.size > 0) yield rows.take();
      // The loop goes on to the end of the zip, so the file is read to its end and closed; the
      // other sheets' rows are not parsed (exceljs drains their entries).
    }
  } catch (error) {
    if (error instanceof XlsxError) throw error;
    throw new XlsxError('xlsx-unreadable', `not a readable XLSX workbook: ${errorMessage(error)}`);
  }
  if (!found) throw noSheetError(options.sheet, seen);
}
