/**
 * Where the wizard's XLSX reading plugs in: the exceljs reader in `./xlsxRows.ts`, loaded lazily
 * because exceljs is large and only an XLSX import needs it.
 */
import type { XlsxWorkbookRows } from './xlsxRows.ts';

export type XlsxWorkbook = XlsxWorkbookRows;

/** Opens a workbook; XlsxError (`xlsx-too-large`, `xlsx-unreadable`) when it cannot. */
export async function loadWorkbook(data: ArrayBuffer): Promise<XlsxWorkbook> {
  const { loadXlsx } = await import('./xlsxRows.ts');
  return loadXlsx(data);
}
