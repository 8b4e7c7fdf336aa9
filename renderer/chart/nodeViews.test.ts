/**
 * A saved drag patches the chart's view model (withNodeViews) instead of building it again: the
 * patched model must be the one a fresh build gives, whatever moved or was restyled.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChartNodeView, EntityRecord } from '../../shared/model/index.ts';
import { entity as testEntity } from '../../shared/exchange/fixtures/releaseFixtures.ts';
import { buildChartElements, finiteNumber, withNodeViews } from './chartModel.ts';

const IDS = ['a', 'b', 'c', 'd', 'e', 'f'];

function entities(): EntityRecord[] {
  const people = IDS.map((id) => testEntity(id, 'Person', {}, { properties: { name: [id] } }));
  const links = IDS.slice(1).map((id, i) =>
    testEntity(`k${i}`, 'Family', {}, { properties: { person: [IDS[i]!], relative: [id] } }),
  );
  return [...people, ...links];
}

const viewArb: fc.Arbitrary<ChartNodeView> = fc.record(
  {
    x: fc.integer({ min: -50, max: 50 }),
    y: fc.integer({ min: -50, max: 50 }),
    color: fc.constantFrom('#ff0000', '#00ff00'),
    size: fc.constantFrom(30, 60),
  },
  { requiredKeys: ['x', 'y'] },
);

describe('withNodeViews', () => {
  it('gives the model a fresh build gives, when only node views changed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: IDS.length, maxLength: IDS.length }),
        fc.array(viewArb, { minLength: IDS.length, maxLength: IDS.length }),
        fc.array(fc.option(viewArb, { nil: undefined }), {
          minLength: IDS.length,
          maxLength: IDS.length,
        }),
        (onChart, views, changes) => {
          const records = entities();
          const before: Record<string, ChartNodeView> = {};
          const after: Record<string, ChartNodeView> = {};
          IDS.forEach((id, i) => {
            if (!onChart[i]) return;
            before[id] = views[i]!;
            after[id] = changes[i] ?? views[i]!;
          });
          const previous = buildChartElements(records, { nodes: before });
          const patched = withNodeViews(previous, before, after);
          expect(patched).toEqual(buildChartElements(records, { nodes: after }));
          // Untouched edges are the very same objects: nothing for the diff to compare deeply.
          expect(patched!.edges).toBe(previous.edges);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads only the moved ids when the caller knows them, with the result of a whole compare', () => {
    fc.assert(
      fc.property(
        fc.array(viewArb, { minLength: IDS.length, maxLength: IDS.length }),
        fc.array(fc.option(viewArb, { nil: undefined }), {
          minLength: IDS.length,
          maxLength: IDS.length,
        }),
        (views, changes) => {
          const records = entities();
          const before: Record<string, ChartNodeView> = {};
          const after: Record<string, ChartNodeView> = {};
          const moved = new Set<string>();
          IDS.forEach((id, i) => {
            before[id] = views[i]!;
            after[id] = changes[i] ?? views[i]!;
            if (changes[i]) moved.add(id);
          });
          const previous = buildChartElements(records, { nodes: before });
          // A 50,000-key map is never walked: listing either map's keys fails the test.
          const unlisted = <T extends object>(target: T): T =>
            new Proxy(target, {
              ownKeys: () => {
                throw new Error('the whole node map was walked');
              },
            });
          const patched = withNodeViews(previous, unlisted(before), unlisted(after), moved);
          expect(patched).toEqual(withNodeViews(previous, before, after));
          expect(patched).toEqual(buildChartElements(records, { nodes: after }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives up when a node came or went', () => {
    const records = entities();
    const before = { a: { x: 0, y: 0 }, b: { x: 1, y: 1 } };
    const previous = buildChartElements(records, { nodes: before });
    expect(withNodeViews(previous, before, { a: { x: 0, y: 0 } })).toBeUndefined();
    expect(withNodeViews(previous, before, { ...before, c: { x: 2, y: 2 } })).toBeUndefined();
  });
});

describe('finiteNumber', () => {
  it('reads what the regular expression reads, plain numbers without it', () => {
    const reference = (text: string | undefined): number | undefined => {
      if (text === undefined || text.trim() === '') return undefined;
      const value = Number(text.replace(/[\s,]/g, ''));
      return Number.isFinite(value) ? value : undefined;
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^[ \t]*[-+]?[0-9, .eE]{0,8}[ \t]*$/),
          fc.double().map(String),
          fc.constantFrom('0x10', '1e3', ' 12 ', '1,200', '1 200', 'Infinity', '-0', '.5', '5.'),
        ),
        (text) => {
          expect(Object.is(finiteNumber(text), reference(text))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
