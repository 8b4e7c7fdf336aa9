import { describe, expect, it } from 'vitest';
import type { EntityProperties } from '../../../shared/model/index.ts';
import { entity as testEntity } from '../../../shared/exchange/fixtures/releaseFixtures.ts';
import { caseLinks, readCaseLinks } from './caseLinks.ts';

function entity(id: string, schema: string, properties: EntityProperties, deleted = false) {
  return testEntity(id, schema, {}, { properties, deleted });
}

describe('caseLinks', () => {
  const entities = [
    entity('a', 'Phone', { number: ['+1'] }),
    entity('b', 'Phone', { number: ['+2'] }),
    entity('c1', 'Call', {
      caller: ['a'],
      receiver: ['b'],
      startDate: ['2026-03-01T10:00'],
      duration: ['1,200'],
    }),
    entity('gone', 'Call', { caller: ['b'], receiver: ['a'] }, true),
    entity('p1', 'Payment', {
      payer: ['b'],
      beneficiary: ['x'],
      date: ['2026-02-01'],
      endDate: ['2026-02-03'],
      amount: ['12.5'],
    }),
    entity('half', 'Call', { caller: ['a'] }),
  ];

  it('numbers the node entities, then other ids the ends name, and reads the facts', () => {
    const links = readCaseLinks(entities);
    expect(links.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect([...links.otherEnds]).toEqual([['x', 2]]);
    expect(links.size).toBe(2);
    expect(links.id).toEqual(['c1', 'p1']);
    expect([...links.record.subarray(0, 2)]).toEqual([2, 4]);
    expect([...links.source.subarray(0, 2)]).toEqual([0, 1]);
    expect([...links.target.subarray(0, 2)]).toEqual([1, 2]);
    expect(links.schemata).toEqual(['Call', 'Payment']);
    expect([...links.schema.subarray(0, 2)]).toEqual([0, 1]);
    expect(links.duration[0]).toBe(1200);
    expect(links.duration[1]).toBeNaN();
    expect(links.date).toEqual(['2026-03-01T10:00', '2026-02-01']);
    expect(links.endDate?.[1]).toBe('2026-02-03');
    expect(links.amount?.[0]).toBeNaN();
    expect(links.amount?.[1]).toBe(12.5);
    expect(links.currency?.[1]).toBe('');
  });

  it('reads a list once and keeps the columns while the list lives', () => {
    const first = caseLinks(entities);
    expect(caseLinks(entities)).toBe(first);
    // The store publishes a new list for every change: a new list is read afresh.
    const changed = [...entities, entity('c2', 'Call', { caller: ['b'], receiver: ['a'] })];
    expect(caseLinks(changed)).not.toBe(first);
    expect(caseLinks(changed).size).toBe(3);
  });
});
