/**
 * The one-pass combined view (combinedElements.ts) against the two-step one it replaces on big
 * charts: buildChartElements, then combineParallelLinks. Generated cases mix calls, payments,
 * family links and ownerships between people, phones and companies, some ends off the chart,
 * tombstones, repeated ids, property links (a phone's owner), missing and odd fact values,
 * expanded bundles and both width modes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChartNodeView, EntityProperties, EntityRecord } from '../../shared/model/index.ts';
import { entity as testEntity } from '../../shared/exchange/fixtures/releaseFixtures.ts';
import { buildChartElements, LIGHT_CHART_THEME, schemaLabel } from './chartModel.ts';
import { typeCounts } from './chartOverlay.ts';
import {
  buildCombinedChartElements,
  overviewSceneOfPlan,
  planOf,
  planOfView,
} from './combinedElements.ts';
import { buildOverviewScene, sameScene } from './overview/overviewScene.ts';
import { bundleKey, combineParallelLinks, isBundleId } from './parallelLinks.ts';

const NODE_IDS = ['n0', 'n1', 'n2', 'n3', 'n4'];
const NODE_SCHEMATA = ['Person', 'Phone', 'Company'] as const;

const text = fc.oneof(
  fc.constantFrom('', ' ', '12', '1,200', 'x', '-3.5', '2024-01-02', '2023-12-31T10:00'),
  fc.integer({ min: 0, max: 5000 }).map(String),
);
const maybe = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: undefined });

const relationshipArb = fc.record({
  schema: fc.constantFrom('Call', 'Payment', 'Family', 'Ownership'),
  source: fc.constantFrom(...NODE_IDS, 'off'),
  target: fc.constantFrom(...NODE_IDS, 'off'),
  date: maybe(text),
  startDate: maybe(text),
  endDate: maybe(text),
  duration: maybe(text),
  amount: maybe(text),
  currency: maybe(fc.constantFrom('', 'EUR', 'USD')),
  deleted: fc.boolean(),
  repeat: fc.boolean(),
});

const ENDS: Record<string, [string, string]> = {
  Call: ['caller', 'receiver'],
  Payment: ['payer', 'beneficiary'],
  Family: ['person', 'relative'],
  Ownership: ['owner', 'asset'],
};

const caseArb = fc.record({
  nodeSchemata: fc.array(fc.constantFrom(...NODE_SCHEMATA), {
    minLength: NODE_IDS.length,
    maxLength: NODE_IDS.length,
  }),
  onChart: fc.array(fc.boolean(), { minLength: NODE_IDS.length, maxLength: NODE_IDS.length }),
  owners: fc.array(fc.option(fc.constantFrom(...NODE_IDS), { nil: undefined }), {
    minLength: NODE_IDS.length,
    maxLength: NODE_IDS.length,
  }),
  relationships: fc.array(relationshipArb, { maxLength: 40 }),
  expand: fc.array(fc.nat(39), { maxLength: 4 }),
  widthBy: fc.constantFrom('count' as const, 'sum' as const),
  combine: fc.boolean(),
  // A node entity that reuses a relationship's id, after it (the node is the live copy).
  nodeReusing: fc.option(fc.nat(39), { nil: undefined }),
});

function entity(id: string, schema: string, properties: EntityProperties, deleted = false) {
  return testEntity(id, schema, {}, { properties, deleted });
}

describe('buildCombinedChartElements', () => {
  it('equals buildChartElements followed by combineParallelLinks', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const entities: EntityRecord[] = NODE_IDS.map((id, i) => {
          const schema = c.nodeSchemata[i]!;
          const owner = c.owners[i];
          return entity(id, schema, {
            name: [`Node ${i}`],
            ...(schema === 'Phone' ? { number: [`+43 ${i}`] } : {}),
            ...(schema === 'Phone' && owner ? { owner: [owner] } : {}),
          });
        });
        c.relationships.forEach((r, i) => {
          const [from, to] = ENDS[r.schema]!;
          const properties: Record<string, string[]> = { [from]: [r.source], [to]: [r.target] };
          for (const name of [
            'date',
            'startDate',
            'endDate',
            'duration',
            'amount',
            'currency',
          ] as const) {
            const value = r[name];
            if (value !== undefined) properties[name] = [value];
          }
          const record = entity(`r${i}`, r.schema, properties, r.deleted);
          entities.push(record);
          // The same id again (a newer copy wins, in the first one's place).
          if (r.repeat) entities.push(entity(`r${Math.max(0, i - 1)}`, r.schema, properties));
        });
        if (c.nodeReusing !== undefined && c.nodeReusing < c.relationships.length) {
          entities.push(entity(`r${c.nodeReusing}`, 'Person', { name: ['Reused'] }));
        }
        const nodes: Record<string, ChartNodeView> = {};
        NODE_IDS.forEach((id, i) => {
          if (c.onChart[i]) nodes[id] = { x: i * 10, y: -i };
        });
        const chart = { nodes };
        const base = buildChartElements(entities, chart);
        const expanded = new Set(
          c.expand
            .map((i) => base.edges[i])
            .filter((e) => e !== undefined)
            .map(bundleKey),
        );
        const options = { combine: c.combine, expanded, widthBy: c.widthBy };
        const expected = combineParallelLinks(base, options, schemaLabel);
        const actual = buildCombinedChartElements(entities, chart, options, schemaLabel);
        expect(actual).toEqual(expected);
        // A view with bundles expanded is not the plan's plain view: its scene is its own.
        if (c.combine && expanded.size > 0) expect(planOfView(actual)).toBeUndefined();
        // The case store's records (live, each id once) give the same on its shorter path.
        const seen = new Set<string>();
        const store = entities.filter((e) => !e.deleted && !seen.has(e.id) && seen.add(e.id));
        if (store.length === entities.filter((e) => !e.deleted).length) {
          expect(buildCombinedChartElements(store, chart, options, schemaLabel, 'store')).toEqual(
            combineParallelLinks(buildChartElements(store, chart), options, schemaLabel),
          );
          // Again on the same list (its columns are kept) for another chart: every node on it.
          const all = { nodes: Object.fromEntries(NODE_IDS.map((id, i) => [id, { x: i, y: 0 }])) };
          expect(buildCombinedChartElements(store, all, options, schemaLabel, 'store')).toEqual(
            combineParallelLinks(buildChartElements(store, all), options, schemaLabel),
          );
        }
        // The overview's first bitmap is painted from the plan (no models): the same scene as the
        // combined view's, styled nodes (colour, size) included.
        const styled = {
          nodes: Object.fromEntries(
            Object.entries(nodes).map(([id, view], i) => [
              id,
              i % 2 === 0 ? view : { ...view, color: '#123456', size: 20 + i * 10 },
            ]),
          ),
        };
        for (const [records, source] of [
          [entities, 'any'],
          [store, 'store'],
        ] as const) {
          if (source === 'store' && store.length !== entities.filter((e) => !e.deleted).length) {
            continue;
          }
          for (const shown of [chart, styled]) {
            const view = buildCombinedChartElements(
              records,
              shown,
              { combine: true },
              schemaLabel,
              source,
            );
            const expectedScene = buildOverviewScene(view, LIGHT_CHART_THEME);
            const scene = overviewSceneOfPlan(planOf(records, shown, source), LIGHT_CHART_THEME);
            expect(scene).toEqual(expectedScene);
            expect(sameScene(scene, expectedScene)).toBe(true);
            // The overview reuses the plan's scene for a view built from it, nothing expanded.
            expect(planOfView(view)).toBe(planOf(records, shown, source));
          }
        }
      }),
      { numRuns: 600 },
    );
  });

  it('draws a thousand calls between two phones as one link with their count and total duration', () => {
    const entities = [
      entity('a', 'Phone', { number: ['+1'] }),
      entity('b', 'Phone', { number: ['+2'] }),
    ];
    for (let i = 0; i < 1000; i++) {
      const [caller, receiver] = i % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
      entities.push(
        entity(`c${i}`, 'Call', {
          caller: [caller],
          receiver: [receiver],
          startDate: [`2026-03-${String(1 + (i % 28)).padStart(2, '0')}`],
          duration: ['60'],
        }),
      );
    }
    const view = buildCombinedChartElements(
      entities,
      { nodes: { a: { x: 0, y: 0 }, b: { x: 100, y: 0 } } },
      { combine: true },
      schemaLabel,
    );
    expect(view.edges).toHaveLength(1);
    const [link] = view.edges;
    expect(isBundleId(link!.id)).toBe(true);
    expect(link!.members).toHaveLength(1000);
    expect(link!.directed).toBe(false);
    expect(link!.label).toBe('1000 × Call · 16 h 40 min\n2026-03-01 – 2026-03-28');
  });

  it('gives the legend the same counts as the single links (a combined link counts its members)', () => {
    const entities = [
      entity('a', 'Phone', { number: ['+1'] }),
      entity('b', 'Phone', { number: ['+2'] }),
      entity('c', 'Phone', { number: ['+3'] }),
    ];
    for (let i = 0; i < 30; i++) {
      const [caller, receiver] = i % 3 === 0 ? ['a', 'c'] : ['a', 'b'];
      entities.push(entity(`c${i}`, 'Call', { caller: [caller], receiver: [receiver] }));
    }
    const chart = { nodes: { a: { x: 0, y: 0 }, b: { x: 1, y: 0 }, c: { x: 2, y: 0 } } };
    const combined = buildCombinedChartElements(entities, chart, { combine: true });
    expect(combined.edges).toHaveLength(2);
    expect(typeCounts(combined)).toEqual(typeCounts(buildChartElements(entities, chart)));
    expect(typeCounts(combined)).toContainEqual({ schema: 'Call', count: 30, edge: true });
  });

  it('keeps the single calls of a pair for expanding it', () => {
    const entities = [
      entity('a', 'Phone', { number: ['+1'] }),
      entity('b', 'Phone', { number: ['+2'] }),
      entity('c1', 'Call', { caller: ['a'], receiver: ['b'], duration: ['10'] }),
      entity('c2', 'Call', { caller: ['b'], receiver: ['a'], duration: ['20'] }),
    ];
    const chart = { nodes: { a: { x: 0, y: 0 }, b: { x: 1, y: 0 } } };
    const combined = buildCombinedChartElements(entities, chart, { combine: true }, schemaLabel);
    expect(combined.edges.map((e) => e.members)).toEqual([['c1', 'c2']]);
    const key = bundleKey(combined.edges[0]!);
    const expanded = buildCombinedChartElements(
      entities,
      chart,
      { combine: true, expanded: new Set([key]) },
      schemaLabel,
    );
    expect(expanded.edges.map((e) => [e.id, e.source, e.target, e.facts?.duration])).toEqual([
      ['c1', 'a', 'b', 10],
      ['c2', 'b', 'a', 20],
    ]);
  });
});
