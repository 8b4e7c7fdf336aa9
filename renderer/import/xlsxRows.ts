/**
 * XLSX rows for the import wizard's worker (issue 11), read with exceljs's browser build. Unlike
 * the Node reader (electron/services/importer/xlsxRows.ts), exceljs has no streaming reader in the
 * browser: the whole workbook is unzipped and held as cell objects while its rows are handed out.
 * That costs about {@link XLSX_HEAP_PER_FILE_BYTE} bytes of memory per byte of file (measured on
 * the benchmark's call records), so files over {@link XLSX_BROWSER_MAX_BYTES} are refused with a
 * message to export the sheet as CSV, which the wizard streams at any size. The CLI
 * (`tessera import --input FILE.xlsx`) streams XLSX of any size.
 *
 * Cells become text as shared/importer/xlsxCells.ts says, the same as on Node.
 */
import ExcelJS from 'exceljs';
import { errorMessage } from '../../shared/base/errors.ts';
import { noSheetError, XlsxError, XlsxRowCollector } from '../../shared/importer/xlsxCells.ts';

export { XlsxError } from '../../shared/importer/xlsxCells.ts';

/**
 * Heap per byte of XLSX file while exceljs holds the workbook: 43 measured (a 5.0 MB workbook of
 * 100,000 call records, shared strings, held as 215 MB after load; docs/import.md), rounded up.
 */
export const XLSX_HEAP_PER_FILE_BYTE = 45;

/**
 * The largest XLSX file the wizard reads: 16 MiB, about 320,000 call records and 750 MB of heap
 * held at the ratio above, under the 1 GB an import may take (issue 11's benchmark goal).
 */
export const XLSX_BROWSER_MAX_BYTES = 16 * 1024 * 1024;

/** Why a file of `size` bytes cannot be read in the wizard, or undefined when it can. */
export function xlsxSizeProblem(size: number): string | undefined {
  if (size <= XLSX_BROWSER_MAX_BYTES) return undefined;
  const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;
  return (
    `This workbook is ${mb(size)}; the import wizard reads workbooks up to ` +
    `${mb(XLSX_BROWSER_MAX_BYTES)}, because a workbook is held in memory whole. Save the sheet as ` +
    'CSV (UTF-8) in your spreadsheet program and import that: CSV is read in pieces at any size. ' +
    '`tessera import --input FILE.xlsx --spec SPEC` also reads large workbooks.'
  );
}

export interface XlsxWorkbookRows {
  /** The sheets' names, in workbook order (for the wizard's sheet choice). */
  readonly sheetNames: readonly string[];
  /** The chosen sheet's rows in batches from row 1; an empty row is `[]`. */
  rows(sheet?: string, batchRows?: number): Generator<string[][]>;
}

/**
 * Loads a workbook (refused over {@link XLSX_BROWSER_MAX_BYTES} with XlsxError `xlsx-too-large`).
 * Batches come out synchronously; the worker posts each before taking the next.
 */
export async function loadXlsx(data: ArrayBuffer | Uint8Array): Promise<XlsxWorkbookRows> {
  const problem = xlsxSizeProblem(data.byteLength);
  if (problem) throw new XlsxError('xlsx-too-large', problem);
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs's declared Buffer type; at run time the browser build takes an ArrayBuffer or view.
    await workbook.xlsx.load(data as unknown as Parameters<typeof workbook.xlsx.load>[0]);
  } catch (error) {
    throw new XlsxError('xlsx-unreadable', `not a readable XLSX workbook: ${errorMessage(error)}`);
  }
  const sheetNames = workbook.worksheets.map((sheet) => sheet.name);
  return {
    sheetNames,
    *rows(sheet, batchRows = 5_000) {
      const worksheet = sheet === undefined ? workbook.worksheets[0] : workbook.getWorksheet(sheet);
      if (!worksheet) throw noSheetError(sheet, sheetNames);
      const rows = new XlsxRowCollector();
      const last = worksheet.rowCount;
      for (let number = 1; number <= last; number += 1) {
        const row = worksheet.findRow(number);
        if (!row) continue;
        rows.add(row);
        if (rows.size >= batchRows) yield rows.take();
      }
      if (rows.size > 0) yield rows.take();
    },
  };
}
