import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EntityRecord } from '../model/index.ts';
import { describeProblem, rejectsCsv } from './rejects.ts';
import { runImport, runImportDetailed } from './run.ts';
import { BUILT_IN_SPECS } from './spec.ts';
import { encodeSingleByte } from './testing/encode.ts';
import { chunksOf, runOptions } from './testing/options.ts';
import type { ImportBatch, RowProblem } from './types.ts';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

async function collect(bytes: Uint8Array, spec = BUILT_IN_SPECS.cdr, chunk = 7, batchRows = 2) {
  const batches: ImportBatch[] = [];
  const details = await runImportDetailed(
    chunksOf(bytes, chunk),
    spec,
    runOptions(),
    (batch) => void batches.push(batch),
    {
      batchRows,
      keepRejectedRows: true,
    },
  );
  return {
    details,
    batches,
    created: batches.flatMap((b) => b.created),
    problems: batches.flatMap((b) => b.problems),
  };
}

describe('runImport over the sample files', () => {
  it('cdr.csv: 3 phones and 5 calls, whatever the chunk and batch sizes', async () => {
    for (const [chunk, batchRows] of [
      [3, 1],
      [64, 2],
      [1 << 20, 5000],
    ] as const) {
      const { details, created } = await collect(
        fixture('cdr.csv'),
        BUILT_IN_SPECS.cdr,
        chunk,
        batchRows,
      );
      expect(details.summary).toEqual({
        rowsRead: 5,
        rowsImported: 5,
        rowsExcluded: 0,
        rowsRejected: 0,
        entitiesCreated: 8,
        entitiesMerged: 7,
      });
      expect(
        created.filter((e) => e.schema === 'Phone').map((e) => e.properties.number![0]),
      ).toEqual(['+436641234567', '+40721555010', '+359881234567']);
      expect(
        created.filter((e) => e.schema === 'Call').map((e) => e.provenance.imported!.row),
      ).toEqual([2, 3, 4, 5, 6]);
    }
  });

  it('bank.csv: decimal comma, ";" and a quoted ";" in a purpose', async () => {
    const { created, details } = await collect(fixture('bank.csv'), BUILT_IN_SPECS.bank);
    expect(details.detected.delimiter).toBe(';');
    const payments = created.filter((e) => e.schema === 'Payment');
    expect(
      payments.map((p) => [
        p.properties.amount![0],
        p.properties.currency![0],
        p.properties.date![0],
      ]),
    ).toEqual([
      ['1250.00', 'EUR', '2024-03-05'],
      ['17980.50', 'EUR', '2024-03-06'],
      ['99.90', 'EUR', '2024-03-07'],
    ]);
    expect(payments[1]!.properties.purpose).toEqual(['Transport; March']);
    expect(created.filter((e) => e.schema === 'BankAccount')).toHaveLength(3);
  });

  it('entities.csv: people and companies, the same person twice merged', async () => {
    const { created, details } = await collect(fixture('entities.csv'), BUILT_IN_SPECS.entities);
    expect(created.map((e) => `${e.schema}:${e.properties.name![0]}`)).toEqual([
      'Person:Ion Popescu',
      'Person:Ivana Petrova',
      'Company:Alpha Trading SRL',
      'Company:Beta Logistik GmbH',
    ]);
    expect(details.summary.entitiesMerged).toBe(1);
    expect(created[1]!.properties.phone).toEqual(['+359881234567', '+359877654321']);
  });

  it('reads a windows-1250 file and keeps rejected rows for the rejects file', async () => {
    const text =
      'type,name,birth_date,nationality\r\nperson,Ştefan Ţurcanu,1980-01-02,ro\r\nperson,Ioana Bălănescu,02.03.1985,ro\r\n';
    const { created, problems, details } = await collect(
      encodeSingleByte(text, 'windows-1250'),
      BUILT_IN_SPECS.entities,
    );
    expect(created.map((e) => e.properties.name![0])).toEqual(['Ştefan Ţurcanu']);
    expect(problems.map(describeProblem)).toEqual([
      "row 3, column birth_date: '02.03.1985' is not a date as yyyy-MM-dd",
    ]);
    const csv = rejectsCsv(problems, details.header, details.rejectedRows);
    expect(csv).toBe(
      '_row,_column,_problem,type,name,birth_date,nationality\r\n' +
        "3,birth_date,'02.03.1985' is not a date as yyyy-MM-dd,person,Ioana Bălănescu,02.03.1985,ro\r\n",
    );
  });

  it('stops with import.aborted when the signal fires', async () => {
    const controller = new AbortController();
    const rows = `caller,callee,start,duration,cell_id\n${'+43 664 1234567,+40 721 555 010,2024-03-05 08:15:02,1,X\n'.repeat(50)}`;
    await expect(
      runImport(
        chunksOf(new TextEncoder().encode(rows), 100),
        BUILT_IN_SPECS.cdr,
        runOptions(),
        () => controller.abort(),
        controller.signal,
      ),
    ).rejects.toMatchObject({ code: 'import.aborted' });
  });
});

describe('describeProblem and rejectsCsv', () => {
  it('writes the row with thousands separators and the column', () => {
    const problem: RowProblem = {
      row: 1204,
      column: 'duration',
      value: 'abc',
      code: 'value.not-a-number',
      message: "'abc' is not a number",
    };
    expect(describeProblem(problem)).toBe("row 1,204, column duration: 'abc' is not a number");
  });

  it('keeps numbers and phone numbers, defuses formulas, joins a row’s problems', () => {
    const problems: RowProblem[] = [
      { row: 2, column: 'a', code: 'x', message: 'first' },
      { row: 2, column: 'b', code: 'y', message: 'second' },
    ];
    const csv = rejectsCsv(
      problems,
      ['a', 'b', 'c'],
      new Map([[2, ['=HYPERLINK("x")', '-5', '+43 1']]]),
    );
    expect(csv.split('\r\n')[1]).toBe(`2,a | b,first | second,"'=HYPERLINK(""x"")",-5,+43 1`);
  });
});

// Types used only to keep the compiler honest about what batches carry.
export type { EntityRecord };
