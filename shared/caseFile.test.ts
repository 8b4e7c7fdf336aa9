import { describe, expect, it } from 'vitest';
import { caseFileObjectSchema, caseFileRecords, parseCaseFile } from './caseFile.ts';
import { createDemoCase } from './demo/demoCase.ts';
import { ITEM_KINDS, RECORD_KINDS } from './model/recordKinds.ts';

const demo = createDemoCase({ agencyId: 'own-agency', now: new Date('2024-05-01T10:00:00Z') });

describe('the case file', () => {
  it('has one list per item kind of the registry, named by its table', () => {
    expect(Object.keys(caseFileObjectSchema.shape)).toEqual([
      'format',
      'version',
      'exportedAt',
      'exportedBy',
      'case',
      ...ITEM_KINDS.map((kind) => RECORD_KINDS[kind].table),
    ]);
  });

  it('parses the demo case and lists its records, attachments without content', () => {
    const parsed = parseCaseFile(JSON.stringify(demo));
    const records = caseFileRecords(parsed);
    expect(records[0]).toEqual(demo.case);
    expect(records).toHaveLength(
      1 + ITEM_KINDS.reduce((n, kind) => n + demo[RECORD_KINDS[kind].table].length, 0),
    );
    expect(records.some((record) => 'contentBase64' in record)).toBe(false);
  });

  it('refuses an item of another case and a duplicate id, in any list', () => {
    const note = demo.notes[0]!;
    expect(() =>
      parseCaseFile(JSON.stringify({ ...demo, notes: [{ ...note, caseId: 'other-case' }] })),
    ).toThrow(/belongs to another case/);
    const chart = demo.charts[0]!;
    expect(() => parseCaseFile(JSON.stringify({ ...demo, charts: [chart, { ...chart }] }))).toThrow(
      /duplicate record id/,
    );
  });
});
