// `tessera import --input FILE.xlsx --spec …`: a workbook through the streaming sheet reader and
// the import engine (issue 11).
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCaseFile } from '../../../shared/caseFile.ts';
import { importCommand } from './interchange.ts';

let dir: string;
let logs: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-import-xlsx-'));
  logs = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Call records as a carrier's spreadsheet: date cells, durations as numbers, a bad row 4. */
async function callsXlsx(): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Calls');
  sheet.addRow(['caller', 'callee', 'start', 'duration', 'cell_id']);
  const rows: [string, string, Date | string, number | string, string][] = [
    [
      '+43 664 1234567',
      '+40 721 555 010',
      new Date(Date.UTC(2024, 2, 5, 8, 15, 2)),
      151,
      'AT-VIE-1',
    ],
    [
      '+43 664 1234567',
      '+40 721 555 010',
      new Date(Date.UTC(2024, 2, 5, 9, 40, 10)),
      75,
      'AT-VIE-1',
    ],
    ['+43 664 1234567', '+359 88 123 4567', 'yesterday', 'abc', 'AT-VIE-2'],
  ];
  for (const values of rows) {
    const row = sheet.addRow(values);
    row.getCell(3).numFmt = 'dd/mm/yyyy hh:mm:ss';
  }
  const path = join(dir, 'calls.xlsx');
  await writeFile(path, new Uint8Array(await workbook.xlsx.writeBuffer()));
  return path;
}

describe('tessera import --input FILE.xlsx --spec', () => {
  it('imports a workbook with the built-in cdr specification, rejected rows to a rejects file', async () => {
    const input = await callsXlsx();
    const out = join(dir, 'CASE.json');
    expect(await importCommand.run(['--input', input, '--spec', 'cdr', '--out', out])).toBe(0);
    const file = parseCaseFile(await readFile(out, 'utf8'));
    const calls = file.entities.filter((entity) => entity.schema === 'Call');
    expect(calls.map((call) => call.properties.startDate?.[0])).toEqual([
      '2024-03-05T08:15:02Z',
      '2024-03-05T09:40:10Z',
    ]);
    expect(calls.map((call) => call.provenance.imported?.row)).toEqual([2, 3]);
    expect(file.entities.filter((entity) => entity.schema === 'Phone')).toHaveLength(2);
    expect(logs.join('\n')).toMatch(/XLSX sheet/);
    expect(logs.join('\n')).toMatch(/1 rejected/);
    const rejects = await readFile(`${out}.rejects.csv`, 'utf8');
    expect(rejects).toContain('yesterday');
    expect((await readdir(dir)).sort()).toEqual([
      'CASE.json',
      'CASE.json.rejects.csv',
      'calls.xlsx',
    ]);
  });

  it('says which sheets there are when the specification names another, and writes nothing', async () => {
    const input = await callsXlsx();
    const specPath = join(dir, 'sheet.json');
    const { BUILT_IN_SPECS } = await import('../../../shared/importer/index.ts');
    const cdr = BUILT_IN_SPECS.cdr;
    await writeFile(
      specPath,
      JSON.stringify({ ...cdr, source: { ...cdr.source, kind: 'xlsx', sheet: 'Anrufe' } }),
    );
    await expect(
      importCommand.run(['--input', input, '--spec', specPath, '--out', join(dir, 'CASE.json')]),
    ).rejects.toMatchObject({ code: 'xlsx-no-sheet' });
    expect((await readdir(dir)).sort()).toEqual(['calls.xlsx', 'sheet.json']);
  });
});
