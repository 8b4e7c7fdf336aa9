/**
 * What operationsSince lets travel (issue 8, finding 3): a deleted record never goes with its
 * content, only as a bare tombstone, and only to a recipient that holds the record; the clocks
 * attached to a create are only those of the fields that go.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHlc } from '../model/hlc.ts';
import { DEFAULT_MARKINGS } from '../model/markings.ts';
import type { AnyRecord, EntityRecord } from '../model/records.ts';
import type { Operation, RecordMeta } from './operations.ts';
import { operationsSince, releasedMeta, tombstoneOf } from './operations.ts';

const A = 'NCA';
const hlc = (n: number) => formatHlc({ wallMs: 1_700_000_000_000 + n, counter: 0, node: 'nca' });

function person(id: string, name: string, over: Partial<EntityRecord> = {}): EntityRecord {
  return {
    id,
    kind: 'entity',
    caseId: 'case1',
    schema: 'Person',
    properties: { name: [name], notes: [`secret about ${name}`] },
    updatedAt: hlc(1),
    createdAt: hlc(1),
    deleted: false,
    originAgency: A,
    markings: DEFAULT_MARKINGS,
    provenance: { source: 'src', originAgency: A, recordedBy: 'x', recordedAt: '2024-01-01' },
    grading: { source: 'B', information: '2' },
    ...over,
  } as EntityRecord;
}

function family(id: string, over: Partial<EntityRecord> = {}): EntityRecord {
  return person(id, 'link', {
    schema: 'Family',
    properties: { person: ['p1'], relative: ['p2'], relationship: ['brother'] },
    ...over,
  });
}

const BARE_TOMBSTONE_KEYS = ['agency', 'hlc', 'kind', 'op', 'recordId'];

describe('deleted records', () => {
  const gone = person('p9', 'Deleted Dora', {
    deleted: true,
    createdAt: hlc(1),
    updatedAt: hlc(30),
  });

  it('a first snapshot carries no deleted record at all, with or without knowing what was sent', () => {
    expect(operationsSince([gone], null, { agency: A })).toEqual([]);
    expect(operationsSince([gone], null, { agency: A, received: () => false })).toEqual([]);
    const meta: RecordMeta = { base: hlc(1), clocks: { deleted: hlc(30) } };
    expect(operationsSince([gone], null, { agency: A, metaOf: () => meta })).toEqual([]);
  });

  it('a later bundle to a partner that holds it carries a bare tombstone: id, kind, clock, sender', () => {
    const ops = operationsSince([gone], hlc(10), { agency: A, received: (id) => id === 'p9' });
    expect(ops).toEqual([
      { op: 'tombstone', recordId: 'p9', kind: 'entity', hlc: hlc(30), agency: A },
    ]);
    expect(Object.keys(ops[0]!).sort()).toEqual(BARE_TOMBSTONE_KEYS);
    expect(JSON.stringify(ops)).not.toContain('Dora');
  });

  it('a partner that never held it gets nothing, not even its id', () => {
    expect(operationsSince([gone], hlc(10), { agency: A, received: () => false })).toEqual([]);
    // Without knowledge of what was sent, a record created after `since` cannot have been sent.
    const fresh = { ...gone, createdAt: hlc(20) };
    expect(operationsSince([fresh], hlc(10), { agency: A })).toEqual([]);
  });

  it("a relationship's tombstone names the add tags it removed, nothing else", () => {
    const link = family('f1', { deleted: true, updatedAt: hlc(40) });
    const meta: RecordMeta = {
      base: hlc(1),
      clocks: { deleted: hlc(40), 'properties.relationship': hlc(5) },
      adds: [hlc(1)],
      removes: [hlc(1)],
    };
    const ops = operationsSince([link], hlc(10), {
      agency: A,
      metaOf: () => meta,
      received: () => true,
    });
    expect(ops).toEqual([
      {
        op: 'tombstone',
        recordId: 'f1',
        kind: 'entity',
        hlc: hlc(40),
        agency: A,
        observed: [hlc(1)],
      },
    ]);
    expect(tombstoneOf(link, undefined, A)).toEqual({
      op: 'tombstone',
      recordId: 'f1',
      kind: 'entity',
      hlc: hlc(40),
      agency: A,
    });
  });

  it('generated: no operation for a deleted record carries content, and only held ones are named', () => {
    const recordArb = fc.record({
      n: fc.integer({ min: 0, max: 50 }),
      deleted: fc.boolean(),
      created: fc.integer({ min: 1, max: 100 }),
      changed: fc.integer({ min: 0, max: 100 }),
      held: fc.boolean(),
      withMeta: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(recordArb, { selector: (r) => r.n, maxLength: 20 }),
        fc.option(fc.integer({ min: 0, max: 150 }), { nil: null }),
        fc.boolean(),
        (specs, sinceMs, knowsReceived) => {
          const since = sinceMs === null ? null : hlc(sinceMs);
          const records: AnyRecord[] = specs.map((s) =>
            person(`p${s.n}`, `Canary${s.n}`, {
              deleted: s.deleted,
              createdAt: hlc(s.created),
              updatedAt: hlc(s.created + s.changed),
            }),
          );
          const held = new Set(specs.filter((s) => s.held).map((s) => `p${s.n}`));
          const metas = new Map(
            specs
              .filter((s) => s.withMeta)
              .map((s) => [
                `p${s.n}`,
                {
                  base: hlc(s.created),
                  clocks: {
                    'properties.name': hlc(s.created + s.changed),
                    deleted: hlc(s.created + s.changed),
                  },
                } satisfies RecordMeta,
              ]),
          );
          const ops: Operation[] = operationsSince(records, since, {
            agency: A,
            metaOf: (id) => metas.get(id),
            ...(knowsReceived ? { received: (id: string) => held.has(id) } : {}),
          });
          for (const spec of specs.filter((s) => s.deleted)) {
            const id = `p${spec.n}`;
            const mine = ops.filter(
              (op) => (op.op === 'create' ? op.record.id : op.recordId) === id,
            );
            const mayHold = knowsReceived
              ? held.has(id)
              : since !== null && spec.created <= (sinceMs ?? 0);
            if (!mayHold) expect(mine).toEqual([]);
            for (const op of mine) {
              expect(op.op).toBe('tombstone');
              expect(Object.keys(op).sort()).toEqual(BARE_TOMBSTONE_KEYS);
            }
            expect(JSON.stringify(mine)).not.toContain(`Canary${spec.n}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('live records', () => {
  it('a record the partner does not hold travels whole, even when changed only since', () => {
    const p = person('p1', 'Ivan', { updatedAt: hlc(20) });
    const meta: RecordMeta = { base: hlc(1), clocks: { 'properties.name': hlc(20) } };
    const ops = operationsSince([p], hlc(10), {
      agency: A,
      metaOf: () => meta,
      received: () => false,
    });
    expect(ops).toEqual([{ op: 'create', record: p, meta }]);
    // Unchanged since, but newly releasable (say, a wider agreement): it goes all the same.
    const unchanged = person('p2', 'Olga', { updatedAt: hlc(5) });
    expect(operationsSince([unchanged], hlc(10), { agency: A, received: () => false })).toEqual([
      { op: 'create', record: unchanged },
    ]);
    expect(operationsSince([unchanged], hlc(10), { agency: A, received: () => true })).toEqual([]);
  });

  it('a create carries only the clocks of the fields that go; a left-out field gets no set', () => {
    // The released form of p1 lacks `notes` (stripped by the policy).
    const { notes: _n, ...properties } = person('p1', 'Ivan').properties;
    const released = person('p1', 'Ivan', { properties, updatedAt: hlc(20) });
    const meta: RecordMeta = {
      base: hlc(1),
      clocks: { 'properties.name': hlc(3), 'properties.notes': hlc(20), deleted: hlc(2) },
    };
    const allowed = (_id: string, field: string) => field !== 'properties.notes';
    const [create] = operationsSince([released], null, {
      agency: A,
      metaOf: () => meta,
      fieldAllowed: allowed,
    });
    expect(create).toEqual({
      op: 'create',
      record: released,
      meta: { base: hlc(1), clocks: { 'properties.name': hlc(3), deleted: hlc(2) } },
    });
    const sets = operationsSince([released], hlc(10), {
      agency: A,
      metaOf: () => meta,
      received: () => true,
      fieldAllowed: allowed,
    });
    expect(sets).toEqual([]);
    expect(releasedMeta(released, meta).clocks).not.toHaveProperty('properties.notes');
  });
});
