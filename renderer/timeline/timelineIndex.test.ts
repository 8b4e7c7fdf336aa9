import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDemoCase } from '../../shared/demo/demoCase.ts';
import { testEntity } from '../../shared/model/fixtures/entities.ts';
import type { EntityRecord, NoticeRecord } from '../../shared/model/index.ts';
import type { TimeItem } from '../../shared/time/index.ts';
import {
  extractTimeItems,
  TIME_LANES,
  timeExtent,
  visibleInRange,
} from '../../shared/time/index.ts';
import {
  binCounts,
  buildTimelineIndex,
  countInRange,
  detailItems,
  laneCount,
  timelineIndexOf,
  visibleInRangeOf,
} from './timelineIndex.ts';
import { fromX } from './timelineModel.ts';

const demo = createDemoCase({ agencyId: 'demo', now: new Date('2024-06-01T00:00:00Z') });
const entities = demo.entities as unknown as EntityRecord[];
const notices = demo.notices as unknown as NoticeRecord[];
const items = extractTimeItems(entities, notices);

const overlapping = (list: readonly TimeItem[], from: number, to: number) =>
  list.filter((item) => item.start <= to && item.end >= from);
const brief = (item: TimeItem) => `${item.key} ${item.label} ${item.start} ${item.end}`;

describe('timeline index', () => {
  const index = buildTimelineIndex(entities, notices);
  const extent = timeExtent(items)!;

  it('holds every item of the case, by lane, with its extent and its period of activity', () => {
    expect(index.size).toBe(items.length);
    for (const lane of index.lanes) {
      expect(lane.count).toBe(items.filter((item) => item.lane === lane.lane).length);
    }
    expect(index.lanes.map((lane) => lane.lane)).toEqual(
      TIME_LANES.map((lane) => lane.id).filter((id) => items.some((item) => item.lane === id)),
    );
    expect(index.extent).toEqual(extent);
    const activity = items.filter((item) =>
      ['event', 'trip', 'call', 'payment'].includes(item.lane),
    );
    expect(index.focus).toEqual(timeExtent(activity));
  });

  it('counts the items overlapping any range as a scan of the items does', () => {
    const span = extent.end - extent.start;
    fc.assert(
      fc.property(
        fc.double({ min: -0.2, max: 1.2, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, b) => {
          const from = extent.start + a * span;
          const to = from + b * span;
          expect(countInRange(index, from, to)).toBe(overlapping(items, from, to).length);
          for (const lane of index.lanes) {
            const inLane = items.filter((item) => item.lane === lane.lane);
            expect(laneCount(lane, from, to)).toBe(overlapping(inLane, from, to).length);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('bins a lane by pixel: each bin counts the items overlapping its time', () => {
    const scale = { start: extent.start, end: extent.end, width: 300 };
    for (const lane of index.lanes) {
      const inLane = items.filter((item) => item.lane === lane.lane);
      const counts = binCounts(lane, scale, 3);
      expect(counts).toHaveLength(100);
      counts.forEach((count, b) => {
        const from = fromX(scale, b * 3);
        const to = fromX(scale, (b + 1) * 3);
        expect(count).toBe(overlapping(inLane, from, to).length);
      });
    }
  });

  it('gives a small case every item, as the timeline always drew them', () => {
    expect(detailItems(index, extent)?.map(brief)).toEqual(items.map(brief));
  });

  it('in a big case, gives the items in view with their full labels, or null when too many', () => {
    const limit = 20;
    expect(detailItems(index, extent, limit)).toBeNull();
    const calls = items.filter((item) => item.lane === 'call');
    // A window around a few calls: the same items (labels naming both ends) as a full extraction.
    const from = calls[3]!.start;
    const to = calls[6]!.end;
    const expected = overlapping(items, from, to);
    expect(expected.length).toBeLessThanOrEqual(limit);
    const got = detailItems(index, { start: from, end: to }, limit)!;
    expect(got.map(brief).sort()).toEqual(expected.map(brief).sort());
    expect(got.some((item) => item.label.includes('→'))).toBe(true);
  });

  it('reads a record again only when it changed (the store keeps unchanged records identical)', () => {
    const a = testEntity('a', 'Event', { name: ['Meeting'], date: ['2024-03-10'] });
    const b = testEntity('b', 'Event', { name: ['Raid'], date: ['2024-04-10'] });
    const first = buildTimelineIndex([a, b]);
    const moved = { ...b, properties: { ...b.properties, date: ['2024-05-10'] } };
    const second = buildTimelineIndex([a, moved]);
    expect(first.extent!.end).toBe(Date.parse('2024-04-11T00:00:00Z') - 1);
    expect(second.extent!.end).toBe(Date.parse('2024-05-11T00:00:00Z') - 1);
    const deleted = buildTimelineIndex([a, { ...b, deleted: true }]);
    expect(deleted.size).toBe(1);
  });
});

describe('the time filter from the index', () => {
  const extent = timeExtent(items)!;
  const span = extent.end - extent.start;
  // A participant recorded as an undated link of an event, and a link to a deleted entity.
  const extra = [
    testEntity('ev-x', 'Event', { name: ['Meet'], date: ['2024-03-10'] }),
    testEntity('p-x', 'Person', { name: ['Pat'] }),
    { ...testEntity('gone', 'Person', { name: ['Gone'] }), deleted: true },
    testEntity('link-x', 'UnknownLink', { subject: ['p-x'], object: ['ev-x'] }),
    testEntity('link-gone', 'UnknownLink', { subject: ['gone'], object: ['ev-x'] }),
  ];
  const all = [...entities, ...extra];

  it('shows exactly what visibleInRange over every item shows, for any range and any subset', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: all.length, maxLength: all.length }),
        fc.double({ min: -0.2, max: 1.2, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (keep, at, width, withNotices) => {
          const subset = all.filter((_, k) => keep[k]);
          const shown = withNotices ? notices : [];
          const from = extent.start + at * span;
          const to = from + width * width * span;
          const expected = visibleInRange(subset, extractTimeItems(subset, shown), from, to);
          const actual = visibleInRangeOf(buildTimelineIndex(subset, shown), from, to);
          expect([...actual].sort()).toEqual([...expected].sort());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('shares one index between the timeline and the filter for the same records', () => {
    const copy = notices.map((notice) => ({ ...notice }));
    expect(timelineIndexOf(all, notices)).toBe(timelineIndexOf(all, copy));
    expect(timelineIndexOf(all, notices)).not.toBe(timelineIndexOf([...all], notices));
  });
});
