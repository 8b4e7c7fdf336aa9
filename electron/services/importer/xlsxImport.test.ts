import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseImportSpec } from '../../../shared/importer/index.ts';
import type { ImportBatch, ImportSpec } from '../../../shared/importer/index.ts';
import { callsWorkbook } from '../../../shared/importer/fixtures/xlsxWorkbook.ts';
import { DEFAULT_MARKINGS, UNGRADED } from '../../../shared/model/index.ts';
import { runXlsxImport, xlsxHasHeader } from './xlsxImport.ts';

const phone = (column: string) => ({
  key: column,
  schema: 'Phone',
  properties: [
    { property: 'number', value: { column }, transforms: [{ op: 'phone' }], required: true },
  ],
  identity: [{ by: 'phone' }],
});

/** The cdr specification's shape over the fixture's "Calls" sheet (ISO dates, as XLSX cells give). */
const spec: ImportSpec = parseImportSpec({
  format: 'tessera-import-spec',
  formatVersion: 1,
  name: 'calls-xlsx',
  version: 2,
  source: { kind: 'xlsx', sheet: 'Calls', defaultCountry: 'AT', timeZone: 'Europe/Vienna' },
  entities: [
    phone('caller'),
    phone('callee'),
    {
      key: 'call',
      schema: 'Call',
      properties: [
        { property: 'caller', value: { entity: 'caller' } },
        { property: 'receiver', value: { entity: 'callee' } },
        {
          property: 'startDate',
          value: { column: 'start' },
          transforms: [{ op: 'date', pattern: 'yyyy-MM-dd HH:mm:ss' }],
          required: true,
        },
        {
          property: 'duration',
          value: { column: 'duration' },
          transforms: [{ op: 'duration' }],
          required: true,
        },
      ],
    },
  ],
});

const options = {
  caseId: 'case-1',
  agencyId: 'agency',
  userName: 'tester',
  now: '2026-03-02T10:00:00.000Z',
  fileName: 'calls.xlsx',
  fileSha256: 'a'.repeat(64),
  grading: UNGRADED,
  markings: DEFAULT_MARKINGS,
};

describe('runXlsxImport', () => {
  it('maps a sheet with the engine, numbering rows as the spreadsheet does', async () => {
    const batches: ImportBatch[] = [];
    const { summary, header, rejectedRows } = await runXlsxImport(
      Readable.from([await callsWorkbook()]),
      spec,
      options,
      (batch) => {
        batches.push(batch);
      },
      { keepRejectedRows: true },
    );
    expect(header).toEqual(['caller', 'callee', 'start', 'duration', 'day', 'note']);
    expect([...rejectedRows]).toEqual([
      [5, ['+43 664 1234567', '', '', '#N/A', 'true', 'example.org']],
    ]);
    // Rows 2, 3 and 5 (row 4 is empty, row 1 the header); row 5 has no callee, start or duration.
    expect(summary).toMatchObject({ rowsRead: 3, rowsImported: 2, rowsRejected: 1 });
    const problems = batches.flatMap((batch) => batch.problems);
    expect(new Set(problems.map((problem) => problem.row))).toEqual(new Set([5]));
    const calls = batches.flatMap((batch) => batch.created).filter((e) => e.schema === 'Call');
    expect(calls.map((call) => call.provenance.imported?.row)).toEqual([2, 3]);
    // 14:30 in Vienna in March (UTC+1); the formula's cached 240 seconds.
    expect(calls[0]!.properties.startDate).toEqual(['2026-03-01T14:30:00+01:00']);
    expect(calls[1]!.properties.duration).toEqual(['240']);
    const numbers = batches
      .flatMap((batch) => [...batch.created, ...batch.updated])
      .filter((e) => e.schema === 'Phone')
      .map((e) => e.properties.number?.[0]);
    expect(new Set(numbers)).toEqual(new Set(['+436641234567', '+436641234568', '+436641234569']));
  });

  it('skips rows before the header and reads without one when told', async () => {
    const skipped = parseImportSpec({
      ...spec,
      source: { ...spec.source, skipRows: 2, header: false },
    });
    const byPosition = parseImportSpec({
      ...skipped,
      entities: [
        {
          key: 'caller',
          schema: 'Phone',
          properties: [
            { property: 'number', value: { column: '#1' }, transforms: [{ op: 'phone' }] },
          ],
          identity: [{ by: 'phone' }],
        },
      ],
    });
    expect(xlsxHasHeader(byPosition)).toBe(false);
    expect(xlsxHasHeader({ ...spec, source: { kind: 'xlsx' } })).toBe(true);
    const rows: number[] = [];
    await runXlsxImport(Readable.from([await callsWorkbook()]), byPosition, options, (batch) => {
      for (const e of batch.created) rows.push(e.provenance.imported!.row);
    });
    expect(rows).toEqual([3]);
  });
});
