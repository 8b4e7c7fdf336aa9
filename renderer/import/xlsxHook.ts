/// <reference types="vite/client" />
/**
 * Where the wizard's XLSX reading plugs in: imp-bench's exceljs reader, `./xlsxRows.ts` (issue 11),
 * found at build time by Vite's glob import. Until that file is part of the build, the glob finds
 * nothing, XLSX_AVAILABLE is false and XLSX files are refused with a coded "coming" message; once
 * it is merged, the wizard reads workbooks without a change here. Loaded lazily: exceljs is large
 * and only an XLSX import needs it.
 */
import { CodedError } from '../../shared/base/errors.ts';

/** The part of xlsxRows.ts the reader uses. */
export interface XlsxWorkbook {
  readonly sheetNames: readonly string[];
  rows(sheet?: string, batchRows?: number): Generator<string[][]>;
}

interface XlsxReaderModule {
  loadXlsx(data: ArrayBuffer | Uint8Array): Promise<XlsxWorkbook>;
}

const modules = import.meta.glob<XlsxReaderModule>('./xlsxRows.ts');
const reader = modules['./xlsxRows.ts'];

export const XLSX_AVAILABLE = reader !== undefined;

export class XlsxUnavailableError extends CodedError<'xlsx-unavailable'> {
  override readonly name = 'XlsxUnavailableError';
}

/** Opens a workbook; throws XlsxUnavailableError where this build has no XLSX reader. */
export async function loadWorkbook(data: ArrayBuffer): Promise<XlsxWorkbook> {
  if (!reader) {
    throw new XlsxUnavailableError(
      'xlsx-unavailable',
      'Reading XLSX in the wizard is coming: until then, save the sheet as CSV (UTF-8) and import that.',
    );
  }
  return (await reader()).loadXlsx(data);
}
