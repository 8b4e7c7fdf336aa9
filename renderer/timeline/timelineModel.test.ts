import { describe, expect, it } from 'vitest';
import type { TimeItem } from '../../shared/time/index.ts';
import { DAY, fromX, packRows, timeTicks, toX, zoomDomain } from './timelineModel.ts';

const T = (iso: string) => Date.parse(iso);

function item(key: string, start: string, end = start): TimeItem {
  return {
    key,
    recordId: key,
    lane: 'call',
    schema: 'Call',
    label: key,
    precision: 'day',
    start: T(start),
    end: T(end),
    entityIds: [key],
  };
}

describe('timeline geometry', () => {
  const scale = { start: T('2024-01-01'), end: T('2025-01-01'), width: 366 };

  it('maps time to pixels and back', () => {
    expect(toX(scale, T('2024-01-02'))).toBeCloseTo(1);
    expect(fromX(scale, 366)).toBe(T('2025-01-01'));
  });

  it('zooms around the anchor within the limit', () => {
    const zoomed = zoomDomain(scale, 0.5, T('2024-07-01'), scale);
    expect(zoomed.end - zoomed.start).toBeCloseTo((scale.end - scale.start) / 2);
    const ratioBefore = (T('2024-07-01') - scale.start) / (scale.end - scale.start);
    const ratioAfter = (T('2024-07-01') - zoomed.start) / (zoomed.end - zoomed.start);
    expect(ratioAfter).toBeCloseTo(ratioBefore);
    expect(zoomDomain(zoomed, 10, T('2024-07-01'), scale)).toEqual(scale);
    const tiny = zoomDomain(scale, 1e-9, T('2024-07-01'), scale);
    expect(tiny.end - tiny.start).toBe(3_600_000);
  });

  it('ticks on calendar boundaries', () => {
    expect(timeTicks(scale, 6).map((tick) => tick.label)).toEqual([
      '2024-01',
      '2024-04',
      '2024-07',
      '2024-10',
      '2025-01',
    ]);
    expect(timeTicks(scale, 13).map((tick) => tick.label)).toEqual([
      '2024-01',
      '2024-02',
      '2024-03',
      '2024-04',
      '2024-05',
      '2024-06',
      '2024-07',
      '2024-08',
      '2024-09',
      '2024-10',
      '2024-11',
      '2024-12',
      '2025-01',
    ]);
    const decade = timeTicks({ start: T('1961-05-01'), end: T('2024-01-01') }, 8);
    expect(decade.map((tick) => tick.label)).toEqual([
      '1970',
      '1980',
      '1990',
      '2000',
      '2010',
      '2020',
    ]);
    const week = timeTicks({ start: T('2024-03-01'), end: T('2024-03-08') }, 10);
    expect(week[0]?.label).toBe('2024-03-01');
    expect(week).toHaveLength(8);
    expect(
      timeTicks({ start: T('2024-03-01T00:30:00Z'), end: T('2024-03-01T05:00:00Z') }, 6)[0]?.label,
    ).toBe('03-01 01:00');
    expect(DAY).toBe(86_400_000);
  });

  it('packs overlapping items into rows', () => {
    const { rows, rowCount } = packRows(
      [
        item('a', '2024-01-01', '2024-03-01'),
        item('b', '2024-02-01', '2024-04-01'),
        item('c', '2024-05-01'),
        item('d', '2024-02-15'),
      ],
      scale,
      2,
    );
    expect(rows.get('a')).toBe(0);
    expect(rows.get('b')).toBe(1);
    expect(rows.get('d')).toBe(1);
    expect(rows.get('c')).toBe(0);
    expect(rowCount).toBe(2);
  });
});
