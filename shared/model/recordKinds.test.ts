import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDemoCase } from '../demo/demoCase.ts';
import type { AnyRecord, RecordKind } from './records.ts';
import * as recordSchemas from './recordSchemas.ts';
import {
  aboutOf,
  anyRecordSchema,
  captionOfRecord,
  groupItems,
  ITEM_KINDS,
  itemsOf,
  RECORD_KIND_NAMES,
  RECORD_KINDS,
  RECORD_TABLES,
  recordKindSchema,
} from './recordKinds.ts';

/**
 * Every kind of the RecordKind union, written out once here as the test's own oracle: the object
 * fails to compile when the union gains or loses a kind, so the registry is checked against it.
 */
const EVERY_KIND: { readonly [K in RecordKind]: true } = {
  case: true,
  entity: true,
  note: true,
  attachment: true,
  notice: true,
  chart: true,
};

const demo = createDemoCase({ agencyId: 'own-agency', now: new Date('2024-05-01T10:00:00Z') });
const demoRecords: AnyRecord[] = [
  demo.case,
  ...demo.entities,
  ...demo.notes,
  ...demo.attachments.map(({ contentBase64: _content, ...record }) => record),
  ...demo.notices,
  ...demo.charts,
];

describe('the registry of record kinds', () => {
  it('has an entry for every kind of the union, under its own name', () => {
    expect([...RECORD_KIND_NAMES].sort()).toEqual(Object.keys(EVERY_KIND).sort());
    for (const kind of RECORD_KIND_NAMES) expect(RECORD_KINDS[kind].kind).toBe(kind);
    expect(recordKindSchema.options).toEqual(RECORD_KIND_NAMES);
  });

  it('holds every record schema of recordSchemas.ts, one per kind', () => {
    const kindsWithSchemas = Object.entries(recordSchemas)
      .filter(([name]) => name.endsWith('RecordSchema'))
      .map(([, schema]) => (schema as { shape: { kind: { value: string } } }).shape.kind.value);
    expect(kindsWithSchemas.sort()).toEqual([...RECORD_KIND_NAMES].sort());
    for (const kind of RECORD_KIND_NAMES) {
      expect(RECORD_KINDS[kind].schema.shape.kind.value).toBe(kind);
    }
  });

  it('gives every kind its own table, and lists the case first and items after', () => {
    expect(new Set(RECORD_TABLES).size).toBe(RECORD_KIND_NAMES.length);
    expect(RECORD_TABLES).toEqual([
      'cases',
      'entities',
      'notes',
      'attachments',
      'notices',
      'charts',
    ]);
    expect(RECORD_KIND_NAMES[0]).toBe('case');
    expect(ITEM_KINDS).toEqual(RECORD_KIND_NAMES.filter((kind) => kind !== 'case'));
  });

  it('parses every record of the demo case by its kind, and refuses a wrong kind', () => {
    for (const record of demoRecords) {
      expect(RECORD_KINDS[record.kind].schema.safeParse(record).success, record.id).toBe(true);
      expect(anyRecordSchema.parse(record)).toEqual(record);
    }
    expect(anyRecordSchema.safeParse({ ...demo.case, kind: 'unknown' }).success).toBe(false);
  });

  it('names the entity a record is about only through a reference field', () => {
    for (const kind of RECORD_KIND_NAMES) {
      const about = (RECORD_KINDS[kind].release as { about?: { field: string } }).about;
      if (!about) continue;
      const fields = RECORD_KINDS[kind].release.fields as Readonly<Record<string, string>>;
      expect(fields[about.field], kind).toBe('reference');
    }
    const note = demo.notes.find((n) => n.entityId !== undefined)!;
    expect(aboutOf(note)).toEqual({ entityId: note.entityId, noun: 'entity' });
    const notice = demo.notices[0]!;
    expect(aboutOf(notice)).toEqual({ entityId: notice.subjectId, noun: 'subject' });
    expect(aboutOf(demo.charts[0]!)).toBeUndefined();
    expect(aboutOf(demo.case)).toBeUndefined();
  });
});

describe('captionOfRecord', () => {
  const entity = demo.entities.find((e) => e.schema === 'Person')!;
  const name = entity.properties.name![0]!;
  const note = demo.notes[0]!;
  const attachment = demo.attachments[0]!;
  const notice = demo.notices[0]!;
  const chart = demo.charts[0]!;

  it('reads as the audit trail has always written it', () => {
    expect(captionOfRecord(demo.case, 'audit')).toBe(`case '${demo.case.reference}'`);
    expect(captionOfRecord(entity, 'audit')).toBe(`Person '${name}'`);
    expect(captionOfRecord(note, 'audit')).toBe(`note '${note.title}'`);
    expect(captionOfRecord(attachment, 'audit')).toBe(`attachment '${attachment.fileName}'`);
    expect(captionOfRecord(notice, 'audit')).toBe(
      `${notice.noticeType} notice '${notice.reference}'`,
    );
    expect(captionOfRecord(chart, 'audit')).toBe(`chart '${chart.name}'`);
  });

  it('reads as the release policy has always written it', () => {
    expect(captionOfRecord(demo.case, 'release')).toBe(`case “${demo.case.title}”`);
    expect(captionOfRecord(entity, 'release')).toBe(`Person “${name}”`);
    expect(captionOfRecord(note, 'release')).toBe(`note “${note.title}”`);
    expect(captionOfRecord(attachment, 'release')).toBe(`attachment “${attachment.fileName}”`);
    expect(captionOfRecord(notice, 'release')).toBe(`notice ${notice.reference}`);
    expect(captionOfRecord(chart, 'release')).toBe(`chart “${chart.name}”`);
  });

  it('falls back to the schema name for an entity of an unknown schema', () => {
    expect(captionOfRecord({ ...entity, schema: 'NoSuchSchema' }, 'release')).toMatch(
      /^NoSuchSchema “/,
    );
  });
});

describe('record sets', () => {
  it('group any list of records by kind, in order, and flatten back to the same items', () => {
    const items = demoRecords.filter((record) => record.kind !== 'case');
    fc.assert(
      fc.property(fc.shuffledSubarray(items), (picked) => {
        const set = groupItems([demo.case, ...picked]);
        for (const kind of ITEM_KINDS) {
          const list = set[RECORD_KINDS[kind].table] as readonly AnyRecord[];
          expect(list).toEqual(picked.filter((record) => record.kind === kind));
        }
        const flat = itemsOf(set);
        expect([...flat].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
          [...picked].sort((a, b) => a.id.localeCompare(b.id)),
        );
      }),
      { numRuns: 50 },
    );
  });
});
