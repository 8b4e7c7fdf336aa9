import { describe, expect, it } from 'vitest';
import { CALLS_ROWS, callsWorkbook } from '../../shared/importer/fixtures/xlsxWorkbook.ts';
import { loadXlsx, XLSX_BROWSER_MAX_BYTES, XlsxError, xlsxSizeProblem } from './xlsxRows.ts';
import { rejectionCode } from '../../shared/testing/rejectionCode.ts';

const failureCode = (work: Promise<unknown>) => rejectionCode(work, XlsxError);

describe('loadXlsx (the wizard worker, whole workbook)', () => {
  it('gives the same rows as the streaming reader: dates ISO, numbers as text, empty rows kept', async () => {
    const workbook = await loadXlsx(await callsWorkbook());
    expect(workbook.sheetNames).toEqual(['Notes', 'Calls']);
    expect([...workbook.rows('Calls')].flat()).toEqual(CALLS_ROWS);
    expect([...workbook.rows()].flat()).toEqual([['not the calls']]);
    expect([...workbook.rows('Calls', 2)].map((batch) => batch.length)).toEqual([2, 3]);
  });

  it('names the sheets there are when the asked one is missing', async () => {
    const workbook = await loadXlsx(await callsWorkbook());
    expect(() => [...workbook.rows('Anrufe')]).toThrow(/its sheets: Notes, Calls/);
  });

  it('refuses a workbook too large to hold, saying to export CSV', async () => {
    expect(xlsxSizeProblem(XLSX_BROWSER_MAX_BYTES)).toBeUndefined();
    expect(xlsxSizeProblem(XLSX_BROWSER_MAX_BYTES + 1)).toMatch(/Save the sheet as CSV/);
    const huge = new Uint8Array(XLSX_BROWSER_MAX_BYTES + 1);
    expect(await failureCode(loadXlsx(huge))).toBe('xlsx-too-large');
  });

  it('refuses bytes that are no workbook with a code', async () => {
    const text = new TextEncoder().encode('caller,callee\n1,2\n');
    expect(await failureCode(loadXlsx(text))).toBe('xlsx-unreadable');
  });
});
