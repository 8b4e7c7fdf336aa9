import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CASE_CHART_IMPORT_LIMIT,
  caseChartNodes,
  caseChartOf,
  PLACEMENT_SPACING,
  withEntityPlaced,
} from './caseChart.ts';

const hlc = (ms: number) => `${ms.toString(16).padStart(13, '0')}-0000-n`;

describe('caseChartOf', () => {
  it('is the oldest live chart', () => {
    const charts = [
      { id: 'b', createdAt: hlc(2), deleted: false },
      { id: 'a', createdAt: hlc(1), deleted: true },
      { id: 'c', createdAt: hlc(3), deleted: false },
    ];
    expect(caseChartOf(charts)?.id).toBe('b');
    expect(caseChartOf([])).toBeUndefined();
  });
});

describe('withEntityPlaced', () => {
  const person = { id: 'p', schema: 'Person', properties: { name: ['P'] } };

  it('leaves relationships and entities already shown alone', () => {
    const link = { id: 'r', schema: 'Associate', properties: { person: ['p'], associate: ['q'] } };
    expect(withEntityPlaced({}, link)).toBeUndefined();
    expect(withEntityPlaced({ p: { x: 0, y: 0 } }, person)).toBeUndefined();
  });

  it('puts a phone next to its owner', () => {
    const nodes = { p: { x: 1000, y: 1000 }, far: { x: -1000, y: -1000 } };
    const phone = { id: 'ph', schema: 'Phone', properties: { number: ['1'], owner: ['p'] } };
    const placed = withEntityPlaced(nodes, phone)!.ph!;
    expect(Math.abs(placed.x - 1000)).toBeLessThanOrEqual(PLACEMENT_SPACING);
    expect(Math.abs(placed.y - 1000)).toBeLessThanOrEqual(PLACEMENT_SPACING);
  });

  it('never lands on an occupied grid cell, and keeps every other node where it was', () => {
    const point = fc.record({
      x: fc.integer({ min: -5, max: 5 }).map((i) => i * PLACEMENT_SPACING),
      y: fc.integer({ min: -5, max: 5 }).map((i) => i * PLACEMENT_SPACING),
    });
    fc.assert(
      fc.property(fc.array(point, { maxLength: 60 }), (points) => {
        const nodes = Object.fromEntries(points.map((p, i) => [`n${i}`, p]));
        const next = withEntityPlaced(nodes, person)!;
        const spot = next.p!;
        expect(points.some((p) => p.x === spot.x && p.y === spot.y)).toBe(false);
        expect({ ...next, p: undefined }).toEqual({ ...nodes, p: undefined });
      }),
    );
  });
});

describe('caseChartNodes', () => {
  it('lays the node entities of an imported case on a grid, up to the limit', () => {
    const entities = [
      { id: 'a', schema: 'Person', deleted: false },
      { id: 'b', schema: 'Company', deleted: false },
      { id: 'r', schema: 'Ownership', deleted: false },
      { id: 'x', schema: 'Person', deleted: true },
    ];
    expect(Object.keys(caseChartNodes(entities)!)).toEqual(['a', 'b']);
    const many = Array.from({ length: CASE_CHART_IMPORT_LIMIT + 1 }, (_, i) => ({
      id: `e${i}`,
      schema: 'Person',
      deleted: false,
    }));
    expect(caseChartNodes(many)).toBeUndefined();
    expect(Object.keys(caseChartNodes(many.slice(1))!)).toHaveLength(CASE_CHART_IMPORT_LIMIT);
  });
});
