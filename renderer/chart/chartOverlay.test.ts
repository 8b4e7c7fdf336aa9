import { describe, expect, it } from 'vitest';
import type { EntityRecord } from '../../shared/model/index.ts';
import type { ChartViewModel } from './chartModel.ts';
import {
  applyOverlay,
  entityNodeCount,
  GROUP_PREFIX,
  restoreRules,
  typeCounts,
} from './chartOverlay.ts';
import { layoutGraphOf, positionsById } from './fastLayout.ts';

function entity(id: string, schema: string, properties: Record<string, string[]>): EntityRecord {
  return { id, schema, properties, deleted: false } as unknown as EntityRecord;
}
const node = (id: string, schema: string) => ({
  id,
  schema,
  label: id,
  iconKey: schema,
  x: 0,
  y: 0,
});
const edge = (id: string, schema: string, source: string, target: string) => ({
  id,
  schema,
  source,
  target,
  label: schema,
  directed: false,
});

const view: ChartViewModel = {
  nodes: [node('p', 'Person'), node('q', 'Person'), node('o', 'Organization'), node('t', 'Phone')],
  edges: [
    edge('m1', 'Membership', 'p', 'o'),
    edge('a1', 'Associate', 'p', 'q'),
    edge('u1', 'UnknownLink', 'q', 't'),
  ],
};
const byId = new Map([
  ['p', entity('p', 'Person', { name: ['P'], nationality: ['ro'] })],
  ['q', entity('q', 'Person', { name: ['Q'], nationality: ['at'] })],
  ['o', entity('o', 'Organization', { name: ['O'], country: ['ro'] })],
  ['t', entity('t', 'Phone', { number: ['+40 1'] })],
]);

describe('applyOverlay', () => {
  it('is the identity without an overlay', () => {
    expect(applyOverlay(view, byId, undefined)).toBe(view);
  });

  it('is the identity with an overlay that changes nothing (the panel passes one always)', () => {
    const idle = {
      hiddenSchemata: new Set<string>(),
      grouping: 'none' as const,
      rules: [],
      highlight: { nodes: new Set<string>(), edges: new Set<string>() },
    };
    // The same object: a saved drag copies no node or edge list of a 50,000-node chart.
    expect(applyOverlay(view, new Map(), idle)).toBe(view);
  });
  it('hides types and their dangling edges', () => {
    const out = applyOverlay(view, byId, {
      hiddenSchemata: new Set(['Organization', 'Associate']),
    });
    expect(out.nodes.map((n) => n.id)).toEqual(['p', 'q', 't']);
    expect(out.edges.map((e) => e.id)).toEqual(['u1']);
  });
  it('filters to the visible ids (time range)', () => {
    const out = applyOverlay(view, byId, { visibleEntityIds: new Set(['p', 'q', 'o', 'a1']) });
    expect(out.nodes.map((n) => n.id)).toEqual(['p', 'q', 'o']);
    expect(out.edges.map((e) => e.id)).toEqual(['a1']);
  });
  it('applies formatting rules in order', () => {
    const out = applyOverlay(view, byId, {
      rules: [
        { id: '1', when: { kind: 'type', schema: 'Person' }, color: '#111111', size: 60 },
        {
          id: '2',
          when: { kind: 'property', property: 'nationality', op: 'equals', value: 'AT' },
          color: '#222222',
        },
        {
          id: '3',
          when: { kind: 'property', property: 'number', op: 'has' },
          borderColor: '#333333',
        },
      ],
    });
    const get = (id: string) => out.nodes.find((n) => n.id === id)!;
    expect(get('p')).toMatchObject({ color: '#111111', size: 60 });
    expect(get('q')).toMatchObject({ color: '#222222', size: 60 });
    expect(get('t').borderColor).toBe('#333333');
    expect(get('o').color).toBeUndefined();
  });
  it('groups members with their organisation', () => {
    const out = applyOverlay(view, byId, { grouping: 'organisation' });
    const group = `${GROUP_PREFIX}org:o`;
    expect(out.nodes[0]).toMatchObject({ id: group, classes: 'chart-group' });
    expect(
      out.nodes
        .filter((n) => n.parent === group)
        .map((n) => n.id)
        .sort(),
    ).toEqual(['o', 'p']);
    expect(entityNodeCount(out)).toBe(4);
  });
  it('groups by country', () => {
    const out = applyOverlay(view, byId, { grouping: 'country' });
    expect(out.nodes.filter((n) => n.classes === 'chart-group').map((n) => n.label)).toEqual([
      'RO',
      'AT',
    ]);
    expect(out.nodes.find((n) => n.id === 't')!.parent).toBeUndefined();
  });
  it('highlights a path and dims the rest', () => {
    const out = applyOverlay(view, byId, {
      highlight: { nodes: new Set(['p', 'q']), edges: new Set(['a1']) },
    });
    expect(out.nodes.find((n) => n.id === 'p')!.classes).toBe('analysis-path');
    expect(out.nodes.find((n) => n.id === 'o')!.classes).toBe('analysis-dim');
    expect(out.edges.find((e) => e.id === 'a1')!.classes).toBe('analysis-path');
  });
});

describe('legend and rules storage', () => {
  it('counts types', () => {
    expect(typeCounts(view)[0]).toEqual({ schema: 'Person', count: 2, edge: false });
  });
  it('ignores malformed stored rules', () => {
    expect(restoreRules('nope')).toEqual([]);
    expect(restoreRules(undefined)).toEqual([]);
    expect(
      restoreRules([
        { id: '1', when: { kind: 'type', schema: 'Person' } },
        3,
        { id: '2', when: null },
      ]),
    ).toHaveLength(1);
  });
});

describe('layoutGraphOf', () => {
  it('numbers nodes and drops edges to unknown nodes', () => {
    const { graph, ids } = layoutGraphOf(
      [
        { id: 'x', size: 40 },
        { id: 'y', size: 60 },
      ],
      [
        { source: 'x', target: 'y' },
        { source: 'x', target: 'z' },
      ],
    );
    expect(ids).toEqual(['x', 'y']);
    expect([...graph.edgeSources, ...graph.edgeTargets]).toEqual([0, 1]);
    expect([...graph.nodeSizes!]).toEqual([40, 60]);
    expect(positionsById(ids, [1, 2, 3, 4])).toEqual({ x: { x: 1, y: 2 }, y: { x: 3, y: 4 } });
  });
});
