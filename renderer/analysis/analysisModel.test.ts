import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildGraph, runAnalysis } from '../../shared/analysis/index.ts';
import type { ChartRecord, EntityRecord } from '../../shared/model/index.ts';
import {
  betweennessEstimateNote,
  betweennessSampleChoices,
  COMMUNITY_PALETTE,
  entityLabels,
  groupColors,
  groupRows,
  linksOf,
  pathHighlight,
  scaleSizes,
  scopedGraph,
  sortRows,
  usesLinkWeight,
  valueRows,
  withNodeStyle,
} from './analysisModel.ts';

function entity(id: string, schema: string, properties: Record<string, string[]>): EntityRecord {
  return { id, schema, properties, deleted: false } as unknown as EntityRecord;
}
const person = (id: string, name: string) => entity(id, 'Person', { name: [name] });
const knows = (id: string, a: string, b: string) =>
  entity(id, 'Associate', { person: [a], associate: [b] });

// a - b - c - d, plus e linked to a but not on the chart.
const entities = [
  person('a', 'Anna'),
  person('b', 'Bogdan'),
  person('c', 'Carla'),
  person('d', 'Dan'),
  person('e', 'Eva'),
  knows('ab', 'a', 'b'),
  knows('bc', 'b', 'c'),
  knows('cd', 'c', 'd'),
  knows('ae', 'a', 'e'),
];
const chart = {
  nodes: { a: { x: 0, y: 0 }, b: { x: 1, y: 0 }, c: { x: 2, y: 0 }, d: { x: 3, y: 0, size: 50 } },
} as unknown as ChartRecord;

describe('scopedGraph', () => {
  it('takes the chart nodes and the relationships between them', () => {
    const graph = scopedGraph(entities, chart, 'chart');
    expect(graph.input.nodes).toEqual(['a', 'b', 'c', 'd']);
    expect(graph.edgeIds).toEqual(['ab', 'bc', 'cd']);
  });
  it('takes every entity for the whole case', () => {
    const graph = scopedGraph(entities, chart, 'case');
    expect(graph.input.nodes).toHaveLength(5);
    expect(graph.edgeIds).toContain('ae');
  });
});

describe('parallel links', () => {
  // Phone a called b 22 times and c and d once each (issue 11: a link's weight is its count).
  const phone = (id: string) => entity(id, 'Phone', { number: [`+4366${id.charCodeAt(0)}`] });
  const call = (id: string, from: string, to: string) =>
    entity(id, 'Call', { caller: [from], receiver: [to], duration: ['60'] });
  const calls = [
    ...['a', 'b', 'c', 'd'].map(phone),
    ...Array.from({ length: 22 }, (_, i) => call(`ab${i}`, i % 2 ? 'a' : 'b', i % 2 ? 'b' : 'a')),
    call('ac', 'a', 'c'),
    call('ad', 'a', 'd'),
  ];

  it('weigh 22 calls between two phones as 22, not as the last call', () => {
    for (const scope of ['case', 'chart'] as const) {
      const phones = { nodes: Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, {}])) };
      const scoped = scopedGraph(calls, phones as unknown as ChartRecord, scope);
      expect(scoped.edgeIds).toHaveLength(24);
      const graph = buildGraph(scoped.input);
      expect(graph.edgeCount).toBe(3);
      const a = graph.indexOf.get('a')!;
      const weightTo = (id: string) => {
        for (let e = graph.offsets[a]!; e < graph.offsets[a + 1]!; e++)
          if (graph.targets[e] === graph.indexOf.get(id)) return graph.weights[e];
        return undefined;
      };
      expect([weightTo('b'), weightTo('c'), weightTo('d')]).toEqual([22, 1, 1]);
    }
  });

  it('make the often-called phone rank above the once-called ones where the count is a strength', () => {
    const graph = scopedGraph(calls, undefined, 'case').input;
    const result = runAnalysis({
      measure: 'pagerank',
      weighted: usesLinkWeight('pagerank'),
      graph,
    });
    if (result.kind !== 'values') throw new Error('values expected');
    expect(result.values.b!).toBeGreaterThan(3 * result.values.c!);
    expect(result.values.c).toBeCloseTo(result.values.d!);
  });

  it('count hops, not calls, for distances', () => {
    expect(usesLinkWeight('betweenness')).toBe(false);
    expect(usesLinkWeight('path')).toBe(false);
    const graph = scopedGraph(calls, undefined, 'case').input;
    const result = runAnalysis({
      measure: 'path',
      weighted: usesLinkWeight('path'),
      graph,
      from: 'b',
      to: 'c',
    });
    expect(result).toMatchObject({ path: ['b', 'a', 'c'], length: 2 });
  });
});

describe('rows', () => {
  it('ranks by value with shared ranks for ties', () => {
    const result = runAnalysis({
      measure: 'degree',
      graph: scopedGraph(entities, chart, 'chart').input,
    });
    if (result.kind !== 'values') throw new Error('values expected');
    const rows = valueRows(result.values, entityLabels(entities));
    expect(rows.map((r) => [r.label, r.rank])).toEqual([
      ['Bogdan', 1],
      ['Carla', 1],
      ['Anna', 3],
      ['Dan', 3],
    ]);
    expect(sortRows(rows, 'label', true).map((r) => r.label)).toEqual([
      'Dan',
      'Carla',
      'Bogdan',
      'Anna',
    ]);
    expect(sortRows(rows, 'value', false)[0]!.value).toBeCloseTo(1 / 3);
  });
  it('numbers groups largest first', () => {
    const rows = groupRows([['d'], ['a', 'b']], entityLabels(entities));
    expect(rows.map((r) => [r.id, r.value])).toEqual([
      ['a', 1],
      ['b', 1],
      ['d', 2],
    ]);
  });
});

describe('chart styles', () => {
  it('scales sizes from the minimum to the maximum', () => {
    expect(scaleSizes({ a: 0, b: 1, c: 0.5 }, 20, 80)).toEqual({ a: 20, b: 80, c: 50 });
    expect(scaleSizes({ a: 0 }, 20, 80)).toEqual({ a: 20 });
  });
  it('colours groups from the palette, largest first', () => {
    expect(groupColors([['x'], ['y', 'z']])).toEqual({
      x: COMMUNITY_PALETTE[1],
      y: COMMUNITY_PALETTE[0],
      z: COMMUNITY_PALETTE[0],
    });
  });
  it('sets and clears a style on the chart nodes, keeping positions', () => {
    const sized = withNodeStyle(chart.nodes, 'size', { a: 30 })!;
    expect(sized.a).toEqual({ x: 0, y: 0, size: 30 });
    expect(sized.d).toEqual({ x: 3, y: 0 });
    expect(withNodeStyle(sized, 'size', { a: 30 })).toBeUndefined();
    expect(withNodeStyle(sized, 'size', undefined)!.a).toEqual({ x: 0, y: 0 });
  });
});

describe('pathHighlight', () => {
  it('marks the nodes and the relationships along a path', () => {
    const graph = scopedGraph(entities, chart, 'chart');
    const result = runAnalysis({ measure: 'path', graph: graph.input, from: 'a', to: 'd' });
    if (result.kind !== 'path' || !result.path) throw new Error('path expected');
    const highlight = pathHighlight([result.path], linksOf(graph));
    expect([...highlight.nodes]).toEqual(['a', 'b', 'c', 'd']);
    expect([...highlight.edges].sort()).toEqual(['ab', 'bc', 'cd']);
  });
});

describe('layering', () => {
  // The chart panel hosts the analysis panel, so analysis must not import the chart back (issue 9):
  // what both need (which entities a chart shows, a highlight) lives in shared/model/chartGraph.ts.
  it('imports nothing from renderer/chart', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const offenders = readdirSync(dir)
      .filter((name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name))
      .filter((name) => /from '\.\.\/chart\//.test(readFileSync(join(dir, name), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('approximate betweenness choices', () => {
  it('offers only samples smaller than the graph, so a small graph gets the exact measure', () => {
    expect(betweennessSampleChoices(50)).toEqual([]);
    expect(betweennessSampleChoices(100)).toEqual([]);
    expect(betweennessSampleChoices(101)).toEqual([100]);
    expect(betweennessSampleChoices(20_000)).toEqual([100, 500, 2000]);
  });

  it('says the figures are an estimate from the sample', () => {
    const note = betweennessEstimateNote(500, 20_000);
    expect(note).toMatch(/^Estimate/);
    expect(note).toContain('500 of 20000');
  });

  it('runs the sampled request the panel sends, as the exact one scaled from k sources', () => {
    const input = {
      nodes: Array.from({ length: 120 }, (_, i) => `n${i}`),
      edges: Array.from({ length: 119 }, (_, i) => ({ source: `n${i}`, target: `n${i + 1}` })),
    };
    const [k] = betweennessSampleChoices(input.nodes.length);
    const exact = runAnalysis({ measure: 'betweenness', graph: input });
    const estimate = runAnalysis({ measure: 'betweenness', graph: input, sample: k! });
    if (exact.kind !== 'values' || estimate.kind !== 'values') throw new Error('not values');
    expect(Object.keys(estimate.values)).toHaveLength(120);
    // On a path the middle node lies on the most paths, sampled or not.
    expect(estimate.values['n60']!).toBeGreaterThan(estimate.values['n2']!);
    expect(estimate.values).not.toEqual(exact.values);
  });
});
