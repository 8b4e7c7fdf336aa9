import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CALLS_ROWS, callsWorkbook } from '../../../shared/importer/fixtures/xlsxWorkbook.ts';
import { readXlsxRows, XlsxError } from './xlsxRows.ts';
import { rejectionCode } from '../../../shared/testing/rejectionCode.ts';

async function all(rows: AsyncIterable<string[][]>): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of rows) out.push(...batch);
  return out;
}

const codeOf = (work: Promise<unknown>) => rejectionCode(work, XlsxError);

describe('readXlsxRows (Node, streaming)', () => {
  let dir: string;
  let path: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-xlsx-'));
    path = join(dir, 'calls.xlsx');
    await writeFile(path, await callsWorkbook());
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a sheet by name: dates ISO, numbers as text, formulas their result, empty rows kept', async () => {
    expect(await all(readXlsxRows(path, { sheet: 'Calls' }))).toEqual(CALLS_ROWS);
  });

  it('reads the first sheet when none is named, from a stream too', async () => {
    const rows = await all(readXlsxRows(Readable.from([await callsWorkbook()])));
    expect(rows).toEqual([['not the calls']]);
  });

  describe('when exceljs fails before the first row (its model not there yet)', () => {
    afterEach(() => vi.restoreAllMocks());
    const { prototype } = ExcelJS.stream.xlsx.WorkbookReader;
    const original = prototype[Symbol.asyncIterator];
    /** The next `times` reads fail as exceljs's race does, before any sheet; later ones read. */
    const failNext = (times: number) => {
      let left = times;
      return vi.spyOn(prototype, Symbol.asyncIterator).mockImplementation(function (this: object) {
        if (left > 0) {
          left -= 1;
          throw new TypeError("Cannot read properties of undefined (reading 'sheets')");
        }
        return original.call(this as never);
      });
    };

    it('reads a file on disk once more, and answers with its rows', async () => {
      const reads = failNext(1);
      expect(await all(readXlsxRows(path, { sheet: 'Calls' }))).toEqual(CALLS_ROWS);
      expect(reads).toHaveBeenCalledTimes(2);
    });

    it('reports a file that fails twice, and a stream at once, as unreadable', async () => {
      const reads = failNext(2);
      expect(await codeOf(all(readXlsxRows(path)))).toBe('xlsx-unreadable');
      expect(reads).toHaveBeenCalledTimes(2);
      failNext(1);
      const stream = Readable.from([await callsWorkbook()]);
      expect(await codeOf(all(readXlsxRows(stream)))).toBe('xlsx-unreadable');
    });
  });

  it('leaves no late error behind when it skips a sheet stored before the shared strings', async () => {
    // exceljs parks such a sheet in a temporary file and deletes it when the loop moves on; a
    // skipped sheet used to open it after the delete, an ENOENT no handler saw (once in a few runs).
    for (let i = 0; i < 100; i += 1) {
      expect(await all(readXlsxRows(path))).toEqual([['not the calls']]);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  it('hands out batches of the asked size, in order', async () => {
    const batches: string[][][] = [];
    for await (const batch of readXlsxRows(path, { sheet: 'Calls', batchRows: 2 }))
      batches.push(batch);
    // Row 5 comes with the empty row 4 before it.
    expect(batches.map((b) => b.length)).toEqual([2, 3]);
    expect(batches.flat()).toEqual(CALLS_ROWS);
  });

  it('names the sheets there are when the asked one is missing', async () => {
    const failure = all(readXlsxRows(path, { sheet: 'Anrufe' }));
    await expect(failure).rejects.toThrow(/its sheets: Notes, Calls/);
    expect(await codeOf(all(readXlsxRows(path, { sheet: 'Anrufe' })))).toBe('xlsx-no-sheet');
  });

  it('refuses a file that is no workbook with a code', async () => {
    const bad = join(dir, 'bad.xlsx');
    await writeFile(bad, 'caller,callee\n1,2\n');
    expect(await codeOf(all(readXlsxRows(bad)))).toBe('xlsx-unreadable');
  });

  it('streams a long sheet written by the streaming writer (dates with the 1900 system)', async () => {
    const long = join(dir, 'long.xlsx');
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: long,
      useSharedStrings: true,
      useStyles: true,
    });
    const sheet = writer.addWorksheet('CDR');
    for (let i = 0; i < 20_000; i += 1) {
      const row = sheet.addRow([`+4366400${i % 97}`, i, new Date(Date.UTC(2026, 0, 1, 0, 0, i))]);
      row.getCell(3).numFmt = 'dd/mm/yyyy hh:mm:ss';
      row.commit();
    }
    sheet.commit();
    await writer.commit();
    let count = 0;
    let last: string[] = [];
    for await (const batch of readXlsxRows(long, { sheet: 'CDR' })) {
      count += batch.length;
      last = batch.at(-1)!;
    }
    expect(count).toBe(20_000);
    expect(last).toEqual(['+436640017', '19999', '2026-01-01 05:33:19']);
  });
});
