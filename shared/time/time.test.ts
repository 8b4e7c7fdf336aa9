import { describe, expect, it } from 'vitest';
import { createDemoCase } from '../demo/demoCase.ts';
import type { NoticeRecord } from '../model/index.ts';
import { DEFAULT_MARKINGS } from '../model/index.ts';
import { testEntity as entity } from '../model/fixtures/entities.ts';
import { parseDate } from './dates.ts';
import { entitiesInRange, extractTimeItems, timeExtent, visibleInRange } from './extract.ts';

const T = (iso: string) => Date.parse(iso);

describe('parseDate', () => {
  it('reads partial dates as ranges', () => {
    expect(parseDate('2024')).toEqual({
      start: T('2024-01-01T00:00:00Z'),
      end: T('2025-01-01T00:00:00Z') - 1,
      precision: 'year',
    });
    expect(parseDate('2024-02')).toMatchObject({
      start: T('2024-02-01T00:00:00Z'),
      end: T('2024-03-01T00:00:00Z') - 1,
    });
    expect(parseDate('2024-02-29')).toMatchObject({ end: T('2024-03-01T00:00:00Z') - 1 });
    expect(parseDate('2024-03-05T10:15')).toMatchObject({
      start: T('2024-03-05T10:15:00Z'),
      end: T('2024-03-05T10:16:00Z') - 1,
    });
    expect(parseDate('2024-03-05T10:15:30Z')).toMatchObject({
      start: T('2024-03-05T10:15:30Z'),
      end: T('2024-03-05T10:15:30Z'),
      precision: 'instant',
    });
    expect(parseDate('2024-03-05T10:15:30+02:00')?.start).toBe(T('2024-03-05T08:15:30Z'));
    expect(parseDate('0099')?.start).toBe(-59042995200000);
  });

  it('rejects what is not a date', () => {
    for (const bad of [
      '',
      'yesterday',
      '2023-02-29',
      '2024-13',
      '2024-00-10',
      '24-01-01',
      '2024-01-01T25',
    ])
      expect(parseDate(bad)).toBeUndefined();
  });
});

describe('extractTimeItems', () => {
  const people = [
    entity('a', 'Person', { name: ['Ana'], birthDate: ['1980-05'] }),
    entity('b', 'Person', { name: ['Bo'] }),
    entity('co', 'Company', { name: ['Co'], incorporationDate: ['2010'], createdAt: ['2020'] }),
    entity('acc', 'BankAccount', { iban: ['X'] }),
    entity('ev', 'Event', { name: ['Meeting'], date: ['2024-03-10'] }),
    entity('pp', 'Passport', { holder: ['a'], number: ['X1'], endDate: ['2030'] }),
    entity('trip', 'Trip', { name: ['Drive'], startDate: ['2024-04-01'], endDate: ['2024-04-03'] }),
  ];
  const links = [
    entity('call', 'Call', {
      caller: ['a'],
      receiver: ['b'],
      date: ['2024-03-01T10:00:00Z'],
      duration: ['90'],
    }),
    entity('pay', 'Payment', {
      payer: ['co'],
      beneficiary: ['b'],
      payerAccount: ['acc'],
      amount: ['1500.00'],
      currency: ['EUR'],
      date: ['2024-02'],
    }),
    entity('dir', 'Directorship', {
      director: ['a'],
      organization: ['co'],
      startDate: ['2023-06-01'],
    }),
    entity('own', 'Ownership', { owner: ['b'], asset: ['co'], endDate: ['2019'] }),
    entity('part', 'UnknownLink', { subject: ['b'], object: ['ev'], role: ['participant'] }),
    entity('fam', 'Family', { person: ['a'], relative: ['b'] }),
    { ...entity('gone', 'Event', { name: ['Deleted'], date: ['2024'] }), deleted: true },
  ];
  const notice: NoticeRecord = {
    id: 'n1',
    kind: 'notice',
    caseId: 'c',
    noticeType: 'red',
    subjectId: 'a',
    reference: 'A-1/2024',
    issuingAgency: 'I',
    status: 'issued',
    issuedOn: '2024-05-01',
    summary: '',
    createdAt: '0',
    updatedAt: '0',
    deleted: false,
    originAgency: 'x',
    markings: DEFAULT_MARKINGS,
  };
  const all = [...people, ...links];
  const items = extractTimeItems(all, [notice]);
  const byKey = new Map(items.map((item) => [item.key, item]));

  it('finds every dated item in its lane, and nothing undated, deleted or bookkeeping', () => {
    expect([...byKey.keys()].sort()).toEqual(
      [
        'a:birthDate',
        'pp:interval',
        'co:incorporationDate',
        'ev:interval',
        'trip:interval',
        'call:interval',
        'pay:interval',
        'dir:interval',
        'own:interval',
        'n1:notice',
      ].sort(),
    );
    expect(byKey.get('a:birthDate')).toMatchObject({
      lane: 'life',
      start: T('1980-05-01T00:00:00Z'),
    });
    expect(byKey.get('co:incorporationDate')?.lane).toBe('other');
    expect(byKey.get('pp:interval')).toMatchObject({ lane: 'other', entityIds: ['pp'] });
    expect(byKey.get('trip:interval')).toMatchObject({
      lane: 'trip',
      end: T('2024-04-04T00:00:00Z') - 1,
    });
    expect(byKey.get('n1:notice')).toMatchObject({
      lane: 'notice',
      selectId: 'a',
      entityIds: ['a'],
    });
  });

  it('gives calls their duration, payments their amount, open intervals infinite ends', () => {
    expect(byKey.get('call:interval')).toMatchObject({
      lane: 'call',
      start: T('2024-03-01T10:00:00Z'),
      end: T('2024-03-01T10:01:30Z'),
      detail: '1 min 30 s',
      label: 'Call: Ana → Bo',
    });
    // A call record gives a start and a duration: the call ends, it is not ongoing.
    const recorded = entity('cdr', 'Call', {
      startDate: ['2024-03-01T10:00'],
      duration: ['90'],
    });
    const missed = entity('missed', 'Call', { startDate: ['2024-03-01T11:00'], duration: ['0'] });
    const unknown = entity('unknown', 'Call', { startDate: ['2024-03-01T12:00'] });
    expect(
      extractTimeItems([recorded, missed, unknown]).map(({ start, end }) => [start, end]),
    ).toEqual([
      [T('2024-03-01T10:00:00Z'), T('2024-03-01T10:01:30Z')],
      [T('2024-03-01T11:00:00Z'), T('2024-03-01T11:01:00Z') - 1],
      [T('2024-03-01T12:00:00Z'), T('2024-03-01T12:01:00Z') - 1],
    ]);
    expect(byKey.get('pay:interval')).toMatchObject({ lane: 'payment', detail: '1500.00 EUR' });
    expect(byKey.get('pay:interval')?.entityIds).toEqual(
      expect.arrayContaining(['pay', 'co', 'b', 'acc']),
    );
    expect(byKey.get('dir:interval')?.end).toBe(Number.POSITIVE_INFINITY);
    expect(byKey.get('own:interval')?.start).toBe(Number.NEGATIVE_INFINITY);
    expect(byKey.get('ev:interval')?.entityIds).toEqual(
      expect.arrayContaining(['ev', 'part', 'b']),
    );
  });

  it('entitiesInRange: relationships in range bring their ends', () => {
    const march = entitiesInRange(items, T('2024-03-01T00:00:00Z'), T('2024-03-31T23:59:59Z'));
    expect([...march].sort()).toEqual(['a', 'b', 'call', 'co', 'dir', 'ev', 'part', 'pp'].sort());
    const old = entitiesInRange(items, T('2000-01-01T00:00:00Z'), T('2012-01-01T00:00:00Z'));
    expect([...old].sort()).toEqual(['b', 'co', 'own', 'pp'].sort());
    expect(entitiesInRange(items, T('2030-01-01T00:00:00Z'), T('2031-01-01T00:00:00Z'))).toEqual(
      new Set(['dir', 'a', 'co', 'pp']),
    );
  });

  it('visibleInRange keeps undated links between visible ends only', () => {
    const march = visibleInRange(all, items, T('2024-03-01T00:00:00Z'), T('2024-03-31T00:00:00Z'));
    expect(march.has('fam')).toBe(true);
    expect(march.has('own')).toBe(false);
    const may = visibleInRange(all, items, T('2024-05-01T00:00:00Z'), T('2024-05-02T00:00:00Z'));
    expect(may.has('fam')).toBe(false);
  });

  it('timeExtent ignores open ends', () => {
    expect(timeExtent(items)).toEqual({
      start: T('1980-05-01T00:00:00Z'),
      end: T('2031-01-01T00:00:00Z') - 1,
    });
  });

  it('handles the demo case: calls, payments, events and a narrower range shows fewer records', () => {
    const demo = createDemoCase({ agencyId: 'demo', now: new Date('2024-06-01T00:00:00Z') });
    const demoItems = extractTimeItems(demo.entities, demo.notices);
    const lanes = new Set(demoItems.map((item) => item.lane));
    for (const lane of ['event', 'call', 'payment', 'relationship', 'notice', 'life'])
      expect(lanes.has(lane as never)).toBe(true);
    expect(demoItems.filter((item) => item.lane === 'call')).toHaveLength(22);
    const extent = timeExtent(demoItems)!;
    const everything = visibleInRange(demo.entities, demoItems, extent.start, extent.end);
    const lastMonth = visibleInRange(
      demo.entities,
      demoItems,
      T('2024-05-01T00:00:00Z'),
      extent.end,
    );
    expect(lastMonth.size).toBeGreaterThan(0);
    expect(lastMonth.size).toBeLessThan(everything.size);
  });
});
