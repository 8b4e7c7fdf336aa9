import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EntityProperties } from '../../../shared/model/index.ts';
import { entity as testEntity } from '../../../shared/exchange/fixtures/releaseFixtures.ts';
import { isEdgeSchema, model } from '../../../shared/model/index.ts';
import type { EntityRecord } from '../../../shared/model/index.ts';
import { ACTIVITY_ORDER_MIN, byActivity, placementOrder } from './activityOrder.ts';

function entity(id: string, schema: string, properties: EntityProperties, deleted = false) {
  return testEntity(id, schema, {}, { properties, deleted });
}

const call = (id: string, caller: string, receiver: string, deleted = false) =>
  entity(id, 'Call', { caller: [caller], receiver: [receiver] }, deleted);

describe('byActivity', () => {
  it('puts the entities with the most live calls first, ties in the given order', () => {
    const entities = [
      call('c1', 'p', 'q'),
      call('c2', 'q', 'r'),
      call('c3', 'q', 's'),
      call('c4', 'r', 's', true),
      call('c5', 's', 'off'),
    ];
    // q: 3 calls; s: 2; p, r: 1 (r's second call is deleted); t: none.
    expect(byActivity(entities, ['p', 'r', 's', 't', 'q'])).toEqual(['q', 's', 'p', 'r', 't']);
  });

  it('is a permutation of the ids, sorted by activity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(9), fc.nat(9)), { maxLength: 60 }),
        fc.uniqueArray(fc.nat(9), { minLength: 2 }),
        (pairs, chosen) => {
          const ids = chosen.map((i) => `n${i}`);
          const entities = pairs.map(([a, b], k) => call(`c${k}`, `n${a}`, `n${b}`));
          const ordered = byActivity(entities, ids);
          expect([...ordered].sort()).toEqual([...ids].sort());
          const activity = (id: string) =>
            pairs.filter(([a, b]) => `n${a}` === id || `n${b}` === id).length;
          for (let i = 1; i < ordered.length; i++) {
            expect(activity(ordered[i - 1]!)).toBeGreaterThanOrEqual(activity(ordered[i]!));
          }
        },
      ),
    );
  });

  it('counts as a walk over the records does (tombstones, repeated ids, unknown ends)', () => {
    // The count byActivity made before it read caseLinks' columns: one walk over the records,
    // each relationship's ends compared by id.
    const reference = (entities: readonly EntityRecord[], ids: readonly string[]) => {
      const index = new Map<string, number>();
      ids.forEach((id, i) => {
        if (!index.has(id)) index.set(id, i);
      });
      const activity = new Float64Array(ids.length);
      for (const e of entities) {
        const edge =
          !e.deleted && isEdgeSchema(e.schema) ? model.schemata[e.schema]?.edge : undefined;
        if (!edge) continue;
        const source = e.properties[edge.source]?.[0];
        const target = e.properties[edge.target]?.[0];
        if (!source || !target) continue;
        const a = index.get(source);
        if (a !== undefined) activity[a]!++;
        const b = index.get(target);
        if (b !== undefined && target !== source) activity[b]!++;
      }
      const order = Array.from(ids, (_, i) => i);
      order.sort((a, b) => activity[b]! - activity[a]! || a - b);
      return order.map((i) => ids[i]!);
    };
    const name = fc.constantFrom('n0', 'n1', 'n2', 'n3', 'n4', 'gone', '');
    const record = fc.oneof(
      fc
        .tuple(name, name, fc.boolean(), fc.nat(5))
        .map(([a, b, deleted, k]) =>
          entity(`c${k}`, 'Call', { caller: a ? [a] : [], receiver: b ? [b] : [] }, deleted),
        ),
      fc
        .tuple(fc.constantFrom('n0', 'n1', 'n2', 'n3', 'c1'), fc.boolean())
        .map(([id, deleted]) => entity(id, 'Phone', { number: ['+1'] }, deleted)),
    );
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 40 }),
        fc.array(fc.constantFrom('n0', 'n1', 'n2', 'n3', 'n4', 'gone', 'c1'), { minLength: 2 }),
        (entities, ids) => {
          expect(byActivity(entities, ids)).toEqual(reference(entities, ids));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('leaves a handful of ids as given', () => {
    const ids = Array.from({ length: ACTIVITY_ORDER_MIN - 1 }, (_, i) => `n${i}`);
    const entities = [call('c', 'n5', 'n6')];
    expect(placementOrder(entities, ids)).toBe(ids);
    expect(placementOrder(entities, [...ids, 'last'])[0]).toBe('n5');
  });
});
