import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EntityRecord } from '../model/index.ts';
import { validateEntity } from '../model/index.ts';
import { createRowMapper } from './mapper.ts';
import { BUILT_IN_SPECS, parseImportSpec } from './spec.ts';
import { runOptions } from './testing/options.ts';
import type { ImportSpec } from './types.ts';

const CDR_HEADER = ['caller', 'callee', 'start', 'duration', 'cell_id'];

function cdrMapper(spec: ImportSpec = BUILT_IN_SPECS.cdr, existing?: readonly EntityRecord[]) {
  const mapper = createRowMapper(spec, runOptions(existing ? { existing } : {}));
  mapper.setHeader(CDR_HEADER);
  return mapper;
}

describe('createRowMapper', () => {
  it('makes two phones and a call per row, merging phones by number across rows and batches', () => {
    const mapper = cdrMapper();
    const first = mapper.mapRows(
      [
        ['+43 664 1234567', '+40 721 555 010', '2024-03-05 08:15:02', '00:02:31', 'AT-VIE-20431'],
        ['0043 664 1234567', '+40721555010', '2024-03-05 09:40:10', '75', 'AT-VIE-20431'],
      ],
      2,
    );
    expect(first.created.map((e) => e.schema)).toEqual(['Phone', 'Phone', 'Call', 'Call']);
    const [caller, callee, call] = first.created;
    expect(call!.properties).toMatchObject({
      caller: [caller!.id],
      receiver: [callee!.id],
      startDate: ['2024-03-05T08:15:02Z'],
      duration: ['151'],
    });
    expect(call!.external).toEqual({
      id: 'calls.csv#2.call',
      format: 'csv',
      extra: { cellId: ['AT-VIE-20431'] },
    });
    expect(call!.provenance).toEqual({
      source: 'calls.csv',
      originAgency: 'at.bk',
      recordedBy: 'analyst',
      recordedAt: '2026-01-05T10:00:00.000Z',
      imported: {
        fileName: 'calls.csv',
        fileSha256: 'a'.repeat(64),
        row: 2,
        spec: 'cdr',
        specVersion: 1,
      },
    });
    expect(first.created[3]!.provenance.imported?.row).toBe(3);
    expect(first.created[3]!.properties.caller).toEqual([caller!.id]);

    const second = mapper.mapRows(
      [['+40721555010', '+436641234567', '2024-03-06 19:21:00', '12:30', '']],
      4,
    );
    expect(second.created.map((e) => e.schema)).toEqual(['Call']);
    expect(second.created[0]!.properties).toMatchObject({
      caller: [callee!.id],
      receiver: [caller!.id],
    });
    // Nothing new about the phones: no update.
    expect(second.updated).toEqual([]);
    expect(mapper.summary()).toEqual({
      rowsRead: 3,
      rowsImported: 3,
      rowsExcluded: 0,
      rowsRejected: 0,
      entitiesCreated: 5,
      entitiesMerged: 4,
    });
  });

  it('puts an entity of an earlier batch that gained values in the later batch’s updated list', () => {
    const mapper = createRowMapper(BUILT_IN_SPECS.entities, runOptions());
    mapper.setHeader(['type', 'name', 'birth_date', 'nationality', 'passport', 'phone', 'email']);
    const first = mapper.mapRows(
      [['person', 'Ion Popescu', '1981-04-12', 'ro', 'RO1234567', '', '']],
      2,
    );
    const person = first.created[0]!;
    const second = mapper.mapRows(
      [['person', 'I. Popescu', '', '', 'ro 123-4567', '', 'ion@example.ro']],
      3,
    );
    expect(second.created).toEqual([]);
    expect(second.updated).toHaveLength(1);
    expect(second.updated[0]).toMatchObject({
      id: person.id,
      createdAt: person.createdAt,
      properties: {
        name: ['Ion Popescu', 'I. Popescu'],
        email: ['ion@example.ro'],
        passportNumber: ['RO1234567', 'ro 123-4567'],
      },
    });
    expect(second.updated[0]!.updatedAt > person.updatedAt).toBe(true);
    // Within one batch, a merge changes the created record itself.
    const third = mapper.mapRows(
      [
        ['person', 'Maria Ionescu', '1975-01-02', 'ro', '', '', ''],
        ['person', 'maria  IONESCU', '1975-01-02', '', '', '+40 721 000 111', ''],
      ],
      4,
    );
    expect(third.created).toHaveLength(1);
    expect(third.created[0]!.properties.phone).toEqual(['+40721000111']);
    expect(third.updated).toEqual([]);
  });

  it('merges into an existing entity of the case: its new version is in updated', () => {
    const existing: EntityRecord = {
      kind: 'entity',
      id: '01HEXISTINGPHONE0000000000',
      caseId: runOptions().caseId,
      createdAt: '0000000000001-0000-old',
      updatedAt: '0000000000001-0000-old',
      deleted: false,
      originAgency: 'at.bk',
      markings: runOptions().markings,
      schema: 'Phone',
      properties: { number: ['+436641234567'], name: ['Boss'] },
      provenance: {
        source: 'manual',
        originAgency: 'at.bk',
        recordedBy: 'x',
        recordedAt: '2025-01-01T00:00:00Z',
      },
      grading: runOptions().grading,
    };
    const mapper = cdrMapper(BUILT_IN_SPECS.cdr, [existing]);
    const batch = mapper.mapRows(
      [['0043664 1234567', '+40721555010', '2024-03-05 08:15:02', '1', '']],
      2,
    );
    expect(batch.created.map((e) => e.schema)).toEqual(['Phone', 'Call']);
    expect(batch.created[1]!.properties.caller).toEqual([existing.id]);
    // The number is the same value: nothing new, so no new version.
    expect(batch.updated).toEqual([]);
    expect(mapper.summary().entitiesMerged).toBe(1);
  });

  it('rejects a bad row whole, naming row, column and value', () => {
    const mapper = cdrMapper();
    const batch = mapper.mapRows(
      [
        ['+43 664 1234567', '+40 721 555 010', '2024-03-05 08:15:02', 'abc', 'X'],
        ['+43 664 1234567', '', '2024-03-05 08:15:02', '1', 'X'],
      ],
      1204,
    );
    expect(batch.created).toEqual([]);
    expect(batch.rowsImported).toBe(0);
    expect(batch.problems).toEqual([
      {
        row: 1204,
        column: 'duration',
        value: 'abc',
        code: 'value.not-a-duration',
        message: "'abc' is not a duration (seconds, mm:ss or hh:mm:ss)",
      },
      {
        row: 1205,
        column: 'callee',
        value: '',
        code: 'value.required',
        message: 'no value for callee number',
      },
    ]);
    expect(mapper.summary().rowsRejected).toBe(2);
    // The rejected row's phone did not enter the identity index: a later row makes it anew.
    const next = mapper.mapRows(
      [['+43 664 1234567', '+40 721 555 010', '2024-03-05 08:15:02', '1', '']],
      1206,
    );
    expect(next.created.map((e) => e.schema)).toEqual(['Phone', 'Phone', 'Call']);
  });

  it('turns a value the model refuses into a problem, never dropping it', () => {
    const mapper = createRowMapper(BUILT_IN_SPECS.entities, runOptions());
    mapper.setHeader(['type', 'name', 'birth_date', 'nationality']);
    const batch = mapper.mapRows([['person', 'Ion Popescu', '1981-04-12', 'Romania']], 2);
    expect(batch.problems).toEqual([
      expect.objectContaining({
        row: 2,
        column: 'nationality',
        value: 'Romania',
        code: 'value.invalid',
      }),
    ]);
  });

  it('counts rows that fail include/exclude as excluded, and a row no mapping applies to as rejected', () => {
    const spec = parseImportSpec({
      ...BUILT_IN_SPECS.cdr,
      exclude: [{ column: 'cell_id', op: 'equals', value: 'TEST' }],
    });
    const mapper = cdrMapper(spec);
    const batch = mapper.mapRows(
      [['+43 664 1234567', '+40 721 555 010', '2024-03-05 08:15:02', '1', 'TEST']],
      2,
    );
    expect(batch).toMatchObject({ rowsRead: 1, rowsExcluded: 1, rowsImported: 0, created: [] });
    const entities = createRowMapper(BUILT_IN_SPECS.entities, runOptions());
    entities.setHeader(['type', 'name']);
    expect(entities.mapRows([['vehicle', 'VW Golf']], 2).problems).toEqual([
      expect.objectContaining({ row: 2, code: 'row.no-entity' }),
    ]);
  });

  it('refuses a file without the columns a required value needs, with a code', () => {
    const mapper = createRowMapper(BUILT_IN_SPECS.cdr, runOptions());
    expect(() => mapper.setHeader(['a', 'b'])).toThrow(
      expect.objectContaining({ code: 'import.header-missing' }),
    );
  });

  it('accounts for every row: imported, excluded or rejected; every record valid (generated rows)', () => {
    const spec = parseImportSpec({
      ...BUILT_IN_SPECS.cdr,
      include: [{ column: 'cell_id', op: 'not-equals', value: 'skip' }],
    });
    const cellValue = fc.oneof(
      fc.constantFrom(
        '+43 664 1234567',
        '0043664 7654321',
        '+40 721 555 010',
        '2024-03-05 08:15:02',
        '00:02:31',
        '75',
        'skip',
        '',
        'abc',
      ),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(cellValue, { minLength: 0, maxLength: 7 }), { maxLength: 30 }),
        (rows) => {
          const mapper = cdrMapper(spec);
          const batch = mapper.mapRows(rows, 2);
          const summary = mapper.summary();
          expect(summary.rowsImported + summary.rowsExcluded + summary.rowsRejected).toBe(
            rows.length,
          );
          expect(new Set(batch.problems.map((p) => p.row)).size).toBe(summary.rowsRejected);
          const ids = new Set(batch.created.map((e) => e.id));
          for (const entity of batch.created) {
            expect(validateEntity(entity.schema, entity.properties, ids)).toEqual({});
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
