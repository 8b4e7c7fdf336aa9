/**
 * Merge semantics: per-field last-writer-wins, add-wins relationships, originator-owned fields,
 * idempotent replays, conflicts — and, property-based with a seeded generator, convergence: random
 * operation sequences applied in different orders and batchings reach the same state.
 */
import { describe, expect, it } from 'vitest';
import { createRandom as rng } from '../base/random.ts';
import { formatHlc } from '../model/hlc.ts';
import type { Markings } from '../model/markings.ts';
import { DEFAULT_CLASSIFICATIONS, DEFAULT_MARKINGS } from '../model/markings.ts';
import type { AnyRecord, EntityRecord } from '../model/records.ts';
import type { MergeState } from './merge.ts';
import { applyOperations, createMergeState, fieldClockOf } from './merge.ts';
import type { Operation } from './operations.ts';
import {
  canonicalJson,
  diffRecords,
  operationsSince,
  parseOperations,
  serializeOperations,
} from './operations.ts';

const A = 'AGA';
const B = 'AGB';
const C = 'AGC';

function hlc(ms: number, node = 'a', counter = 0): string {
  return formatHlc({ wallMs: 1_700_000_000_000 + ms, counter, node });
}

function marks(over: Partial<Markings> = {}): Markings {
  return { ...DEFAULT_MARKINGS, releasableTo: [A, B, C], ...over };
}

function person(id: string, origin: string, name: string, at = hlc(1)): EntityRecord {
  return {
    id,
    kind: 'entity',
    caseId: 'case1',
    updatedAt: at,
    createdAt: at,
    deleted: false,
    originAgency: origin,
    markings: marks(),
    schema: 'Person',
    properties: { name: [name] },
    provenance: { source: 's', originAgency: origin, recordedBy: 'u', recordedAt: '2025-01-01' },
    grading: { source: 'B', information: '2' },
  };
}

function link(id: string, origin: string, from: string, to: string, at = hlc(1)): EntityRecord {
  return {
    ...person(id, origin, 'x', at),
    schema: 'Associate',
    properties: { person: [from], associate: [to] },
  };
}

const set = (
  recordId: string,
  field: string,
  value: unknown,
  at: string,
  agency: string,
): Operation => ({ op: 'set', recordId, kind: 'entity', field, value, hlc: at, agency });

function merge(
  state: MergeState,
  ops: readonly Operation[],
  local = A,
  lastSyncHlc: string | null = null,
) {
  return applyOperations(state, ops, { localAgency: local, lastSyncHlc });
}

function snapshot(state: MergeState): string {
  const records = [...state.records.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  return canonicalJson(records);
}

describe('per-field last-writer-wins', () => {
  const base = createMergeState([person('p1', A, 'Ivan')]);

  it('a newer write wins, an older one is ignored, either order', () => {
    const newer = set('p1', 'properties.name', ['Ivan Petrov'], hlc(10, 'b'), A);
    const older = set('p1', 'properties.name', ['I. P.'], hlc(5, 'c'), A);
    const one = merge(base, [newer, older]);
    const two = merge(base, [older, newer]);
    expect((one.state.records.get('p1') as EntityRecord).properties.name).toEqual(['Ivan Petrov']);
    expect(snapshot(one.state)).toBe(snapshot(two.state));
    expect(one.state.records.get('p1')!.updatedAt).toBe(hlc(10, 'b'));
  });

  it('fields merge independently', () => {
    const r = merge(base, [
      set('p1', 'properties.birthDate', ['1980-01-01'], hlc(10, 'b'), B),
      set('p1', 'properties.name', ['Ivan P.'], hlc(11, 'c'), C),
    ]);
    expect((r.state.records.get('p1') as EntityRecord).properties).toEqual({
      name: ['Ivan P.'],
      birthDate: ['1980-01-01'],
    });
    expect(fieldClockOf(r.state, 'p1', 'properties.birthDate')).toBe(hlc(10, 'b'));
  });

  it('an identical stamp with different values resolves the same way everywhere', () => {
    const x = set('p1', 'properties.name', ['X'], hlc(10, 'b'), B);
    const y = set('p1', 'properties.name', ['Y'], hlc(10, 'b'), B);
    expect(snapshot(merge(base, [x, y]).state)).toBe(snapshot(merge(base, [y, x]).state));
  });

  it('replays are no-ops', () => {
    const ops = [
      set('p1', 'properties.name', ['Ivan P.'], hlc(10, 'b'), B),
      { op: 'create', record: person('p2', B, 'Olga') } as const,
      { op: 'tombstone', recordId: 'p2', kind: 'entity', hlc: hlc(12, 'b'), agency: B } as const,
    ];
    const first = merge(base, ops);
    const again = merge(first.state, ops);
    expect(again.applied).toEqual([]);
    expect(again.changedIds).toEqual([]);
    expect(again.unchanged).toBe(3);
    expect(snapshot(again.state)).toBe(snapshot(first.state));
  });

  it('an operation for a record not here yet waits and applies when the record arrives', () => {
    const early = set('p9', 'properties.name', ['Later name'], hlc(20, 'b'), B);
    const first = merge(base, [early]);
    expect(first.state.records.has('p9')).toBe(false);
    expect(first.state.pending).toHaveLength(1);
    const second = merge(first.state, [
      { op: 'create', record: person('p9', B, 'First name', hlc(3, 'b')) },
    ]);
    expect((second.state.records.get('p9') as EntityRecord).properties.name).toEqual([
      'Later name',
    ]);
    expect(second.state.pending).toHaveLength(0);
  });

  it('rejects values that would make an invalid record and fields that cannot be set', () => {
    const r = merge(base, [
      set('p1', 'properties.name', 5, hlc(10, 'b'), A),
      set('p1', 'originAgency', 'AGB', hlc(10, 'b'), A),
      {
        op: 'set',
        recordId: 'p1',
        kind: 'note',
        field: 'title',
        value: 't',
        hlc: hlc(10, 'b'),
        agency: A,
      },
    ]);
    expect(r.rejected.map((x) => x.reason)).toEqual([
      expect.stringMatching(/properties.name/),
      expect.stringMatching(/cannot be set/),
      expect.stringMatching(/not a note/),
    ]);
    expect(snapshot(r.state)).toBe(snapshot(base));
  });
});

describe('originator-owned fields and deletion', () => {
  const base = createMergeState([person('p1', A, 'Ivan')]);

  it('markings and grading from another agency are proposals, not changes', () => {
    const r = merge(base, [
      set('p1', 'markings', marks({ tlp: 'RED' }), hlc(10, 'b'), B),
      set('p1', 'grading', { source: 'A', information: '1' }, hlc(10, 'b'), B),
    ]);
    expect(snapshot(r.state)).toBe(snapshot(base));
    expect(r.proposals.map((p) => [p.field, p.agency])).toEqual([
      ['markings', B],
      ['grading', B],
    ]);
  });

  it('the verified sender, not the claimed agency, is the author', () => {
    const forged = set('p1', 'markings', marks({ tlp: 'RED' }), hlc(10, 'b'), A);
    const r = applyOperations(base, [forged], { localAgency: C, sender: B });
    expect(r.proposals).toHaveLength(1);
    expect(r.state.records.get('p1')!.markings.tlp).toBe('AMBER');
  });

  it('the originator raises markings; lowering is only proposed', () => {
    const raised = merge(
      base,
      [set('p1', 'markings', marks({ classification: 'SECRET' }), hlc(10, 'a'), A)],
      B,
    );
    expect(raised.state.records.get('p1')!.markings.classification).toBe('SECRET');
    const lowered = merge(
      raised.state,
      [set('p1', 'markings', marks({ classification: 'RESTRICTED' }), hlc(11, 'a'), A)],
      B,
    );
    expect(lowered.state.records.get('p1')!.markings.classification).toBe('SECRET');
    expect(lowered.proposals[0]?.reason).toMatch(/would lower markings/);
  });

  it("tombstones travel; another agency's tombstone is a proposal", () => {
    const byOther = merge(base, [
      { op: 'tombstone', recordId: 'p1', kind: 'entity', hlc: hlc(10, 'b'), agency: B },
    ]);
    expect(byOther.state.records.get('p1')!.deleted).toBe(false);
    expect(byOther.proposals[0]).toMatchObject({ field: 'deleted', value: true });
    const byOwner = merge(
      base,
      [{ op: 'tombstone', recordId: 'p1', kind: 'entity', hlc: hlc(10, 'a'), agency: A }],
      B,
    );
    expect(byOwner.state.records.get('p1')!.deleted).toBe(true);
    const restored = merge(
      byOwner.state,
      [{ op: 'restore', recordId: 'p1', kind: 'entity', hlc: hlc(11, 'a'), agency: A }],
      B,
    );
    expect(restored.state.records.get('p1')!.deleted).toBe(false);
  });
});

describe('relationships are add-wins', () => {
  const edge = link('r1', A, 'p1', 'p2', hlc(1));
  const base = createMergeState([person('p1', A, 'x'), person('p2', A, 'y'), edge]);
  const tomb: Operation = {
    op: 'tombstone',
    recordId: 'r1',
    kind: 'entity',
    hlc: hlc(10, 'a'),
    agency: A,
    observed: [hlc(1)],
  };

  it('a restore concurrent with a tombstone survives it, whatever the clocks and order', () => {
    for (const at of [hlc(5, 'z'), hlc(15, 'z')]) {
      const restore: Operation = {
        op: 'restore',
        recordId: 'r1',
        kind: 'entity',
        hlc: at,
        agency: A,
      };
      const one = merge(base, [tomb, restore], B);
      const two = merge(base, [restore, tomb], B);
      expect(one.state.records.get('r1')!.deleted).toBe(false);
      expect(snapshot(one.state)).toBe(snapshot(two.state));
    }
  });

  it('a tombstone that observed every add deletes', () => {
    expect(merge(base, [tomb], B).state.records.get('r1')!.deleted).toBe(true);
  });

  it('a tombstone without observed tags removes older adds only', () => {
    const blind: Operation = {
      op: 'tombstone',
      recordId: 'r1',
      kind: 'entity',
      hlc: hlc(10, 'a'),
      agency: A,
    };
    const restore: Operation = {
      op: 'restore',
      recordId: 'r1',
      kind: 'entity',
      hlc: hlc(12, 'a'),
      agency: A,
    };
    expect(merge(base, [blind], B).state.records.get('r1')!.deleted).toBe(true);
    expect(merge(base, [restore, blind], B).state.records.get('r1')!.deleted).toBe(false);
  });
});

describe('conflicts for the review screen', () => {
  const lastSync = hlc(5, 'a');
  const local = { ...person('p1', A, 'Ivan (local edit)', hlc(1, 'a')), updatedAt: hlc(8, 'a') };
  const state = createMergeState(
    [local],
    [['p1', { base: hlc(1, 'a'), clocks: { 'properties.name': hlc(8, 'a') } }]],
  );

  it('reports a field changed here since the last sync and remotely, with the winner', () => {
    const remoteLater = set('p1', 'properties.name', ['Ivan (remote)'], hlc(9, 'b'), B);
    const r = merge(state, [remoteLater], A, lastSync);
    expect(r.conflicts).toEqual([
      expect.objectContaining({
        recordId: 'p1',
        field: 'properties.name',
        local: ['Ivan (local edit)'],
        remote: ['Ivan (remote)'],
        winner: 'remote',
      }),
    ]);
    const remoteEarlier = set('p1', 'properties.name', ['Ivan (remote)'], hlc(7, 'b'), B);
    expect(merge(state, [remoteEarlier], A, lastSync).conflicts[0]?.winner).toBe('local');
  });

  it('is quiet when only one side changed or both agree', () => {
    expect(
      merge(
        state,
        [set('p1', 'properties.name', ['Ivan (local edit)'], hlc(9, 'b'), B)],
        A,
        lastSync,
      ).conflicts,
    ).toEqual([]);
    expect(
      merge(state, [set('p1', 'properties.birthDate', ['1980'], hlc(9, 'b'), B)], A, lastSync)
        .conflicts,
    ).toEqual([]);
    expect(
      merge(state, [set('p1', 'properties.name', ['Z'], hlc(9, 'b'), B)], A, hlc(8, 'a')).conflicts,
    ).toEqual([]);
  });
});

describe('producing operations', () => {
  it('diffRecords gives per-field sets and tombstones that reproduce the edit', () => {
    const before = person('p1', A, 'Ivan');
    const after: EntityRecord = {
      ...before,
      properties: { name: ['Ivan Petrov'], nationality: ['ru'] },
      markings: marks({ classification: 'RESTRICTED' }),
      deleted: true,
    };
    const ops = diffRecords(before, after, hlc(10, 'a'), A);
    expect(ops.map((op) => (op.op === 'set' ? op.field : op.op))).toEqual([
      'markings',
      'properties.name',
      'properties.nationality',
      'tombstone',
    ]);
    const merged = merge(createMergeState([before]), ops, B);
    const { updatedAt: _u, ...got } = merged.state.records.get('p1')!;
    const { updatedAt: _v, ...want } = after;
    expect(canonicalJson(got)).toBe(canonicalJson(want));
    expect(diffRecords(undefined, before, hlc(1), A)).toEqual([{ op: 'create', record: before }]);
  });

  it('operationsSince sends creates, changed fields only, and snapshots without metadata', () => {
    const old = { ...person('p1', A, 'Ivan', hlc(1)), updatedAt: hlc(20) };
    const fresh = person('p2', A, 'Olga', hlc(15));
    const untouched = person('p3', A, 'Nobody', hlc(2));
    const meta = { base: hlc(1), clocks: { 'properties.name': hlc(20) } };
    const ops = operationsSince([old, fresh, untouched], hlc(10), {
      agency: A,
      metaOf: (id) => (id === 'p1' ? meta : undefined),
    });
    expect(ops).toEqual([
      { op: 'create', record: fresh },
      {
        op: 'set',
        recordId: 'p1',
        kind: 'entity',
        field: 'properties.name',
        value: ['Ivan'],
        hlc: hlc(20),
        agency: A,
      },
    ]);
    expect(operationsSince([old], hlc(10), { agency: A })).toEqual([{ op: 'create', record: old }]);
    expect(operationsSince([old, fresh, untouched], null, { agency: A })).toHaveLength(3);
  });

  it('the operations document round-trips and is validated', () => {
    const ops: Operation[] = [
      { op: 'create', record: person('p1', A, 'Ivan') },
      set('p1', 'properties.name', ['I'], hlc(3), A),
    ];
    expect(parseOperations(serializeOperations('case1', ops)).operations).toEqual(ops);
    expect(() => parseOperations(serializeOperations('other', ops))).toThrow(/another case/);
    expect(() =>
      parseOperations(serializeOperations('case1', [set('p1', 'id', 'x', hlc(3), A)])),
    ).toThrow(/cannot be set/);
    expect(() =>
      parseOperations(
        '{"format":"tessera.operations","version":1,"caseId":"case1","operations":[{"op":"set"}]}',
      ),
    ).toThrow(/invalid operations/);
  });
});

// ---------------------------------------------------------------------------------------------
// Convergence, property-based with a seeded generator (no dependency needed for this much).

function randomOperations(random: () => number): Operation[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const agencies = [A, B, C];
  const origin: Record<string, string> = { p1: A, p2: A, p3: B, r1: A, r2: C };
  const records: AnyRecord[] = [
    person('p1', A, 'one', hlc(1, 'a')),
    person('p2', A, 'two', hlc(1, 'a')),
    person('p3', B, 'three', hlc(2, 'b')),
    link('r1', A, 'p1', 'p2', hlc(3, 'a')),
    link('r2', C, 'p2', 'p3', hlc(3, 'c')),
  ];
  const ops: Operation[] = records.map((record) => ({ op: 'create', record }));
  const addTags: Record<string, string[]> = { r1: [hlc(3, 'a')], r2: [hlc(3, 'c')] };
  const count = 10 + Math.floor(random() * 30);
  for (let i = 0; i < count; i += 1) {
    const id = pick(['p1', 'p2', 'p3', 'r1', 'r2']);
    const agency = random() < 0.6 ? origin[id]! : pick(agencies);
    const at = hlc(4 + Math.floor(random() * 20), agency.toLowerCase(), Math.floor(random() * 2));
    const roll = random();
    if (roll < 0.45) {
      ops.push(
        set(
          id,
          pick(['properties.name', 'properties.notes', 'properties.birthDate']),
          random() < 0.15 ? null : [pick(['a', 'b', 'c', 'd'])],
          at,
          agency,
        ),
      );
    } else if (roll < 0.55) {
      // Markings only ever rise with the clock, so the last writer is also the most restrictive.
      const wall = Number.parseInt(at.slice(0, 13), 16) - 1_700_000_000_000;
      const classification = DEFAULT_CLASSIFICATIONS[Math.min(3, Math.floor(wall / 6))]!;
      ops.push(set(id, 'markings', marks({ classification }), at, agency));
    } else if (roll < 0.6) {
      ops.push(set(id, 'grading', { source: pick(['A', 'C']), information: '3' }, at, agency));
    } else if (roll < 0.8) {
      const tags = addTags[id];
      const observed = tags ? tags.filter(() => random() < 0.7) : undefined;
      ops.push({
        op: 'tombstone',
        recordId: id,
        kind: 'entity',
        hlc: at,
        agency,
        ...(observed ? { observed } : {}),
      });
    } else {
      addTags[id]?.push(at);
      ops.push({ op: 'restore', recordId: id, kind: 'entity', hlc: at, agency });
    }
  }
  // Some operations arrive twice.
  for (let i = 0; i < 5; i += 1) ops.push(pick(ops));
  return ops;
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function applyInBatches(
  ops: readonly Operation[],
  random: () => number,
  local: string,
): MergeState {
  let state = createMergeState([]);
  let i = 0;
  while (i < ops.length) {
    const size = 1 + Math.floor(random() * 6);
    state = applyOperations(state, ops.slice(i, i + size), { localAgency: local }).state;
    i += size;
  }
  return state;
}

describe('convergence (property-based)', () => {
  it('random operation sequences converge whatever the order, batching and replays', () => {
    for (let seed = 1; seed <= 300; seed += 1) {
      const random = rng(seed);
      const ops = randomOperations(random);
      const reference = applyInBatches(ops, random, 'AGX');
      expect(reference.pending).toEqual([]);
      for (let round = 0; round < 4; round += 1) {
        const order = shuffle(ops, random);
        const replica = applyInBatches(order, random, pick3(random));
        expect(snapshot(replica), `seed ${seed} round ${round}`).toBe(snapshot(reference));
      }
    }
  });
});

function pick3(random: () => number): string {
  return [A, B, C][Math.floor(random() * 3)]!;
}
