import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allSimplePaths,
  barabasiAlbert,
  betweennessCentrality,
  buildGraph,
  connectedComponents,
  degreeCentrality,
  degrees,
  detectFormat,
  louvainCommunities,
  modularity,
  mostConnected,
  neighbourhood,
  parseCsvEdges,
  parseGraph,
  parseGraphML,
  runAnalysis,
  shortestPath,
  shortestPathLength,
  toRecord,
} from './index.ts';

describe('buildGraph', () => {
  it('merges repeated edges keeping the last weight, and counts self-loops twice in degree', () => {
    const graph = buildGraph({
      edges: [
        { source: 'a', target: 'b', weight: 1 },
        { source: 'b', target: 'a', weight: 5 },
        { source: 'b', target: 'b', weight: 2 },
      ],
    });
    expect(graph.edgeCount).toBe(2);
    expect(graph.weighted).toBe(true);
    expect([...degrees(graph)]).toEqual([1, 3]);
    expect(shortestPathLength(graph, 'a', 'b')).toBe(5);
  });

  it('sums parallel edges when asked: the total weight is preserved and each pair is one edge', () => {
    const edge = fc.record({
      source: fc.constantFrom('a', 'b', 'c', 'd'),
      target: fc.constantFrom('a', 'b', 'c', 'd'),
      weight: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(edge, { minLength: 1, maxLength: 60 }),
        fc.boolean(),
        (edges, directed) => {
          const graph = buildGraph({ edges, directed, parallel: 'sum' });
          const pairs = new Set(
            edges.map((e) =>
              directed || e.source < e.target
                ? `${e.source} ${e.target}`
                : `${e.target} ${e.source}`,
            ),
          );
          expect(graph.edgeCount).toBe(pairs.size);
          let total = 0;
          for (let u = 0; u < graph.nodeCount; u++) {
            for (let e = graph.offsets[u]!; e < graph.offsets[u + 1]!; e++) {
              // An undirected edge sits in both rows, a self-loop in one.
              const v = graph.targets[e]!;
              total += directed || u === v ? graph.weights[e]! : graph.weights[e]! / 2;
            }
          }
          expect(total).toBeCloseTo(
            edges.reduce((sum, e) => sum + (e.weight ?? 1), 0),
            9,
          );
          expect(graph.weighted).toBe(
            edges.some((e) => e.weight !== undefined) || pairs.size < edges.length,
          );
        },
      ),
    );
    // 22 unweighted calls weigh 22, not 1 (the last row's value).
    const calls = buildGraph({
      edges: Array.from({ length: 22 }, () => ({ source: 'p1', target: 'p2' })),
      parallel: 'sum',
    });
    expect([...calls.weights]).toEqual([22, 22]);
  });

  it('keeps directed edges apart and lists isolated nodes', () => {
    const graph = buildGraph({
      nodes: ['z'],
      edges: [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'a' },
        { source: 'b', target: 'c' },
      ],
      directed: true,
    });
    expect(graph.ids).toEqual(['z', 'a', 'b', 'c']);
    expect(graph.edgeCount).toBe(3);
    expect(shortestPath(graph, 'c', 'a')).toBeNull();
    expect(shortestPath(graph, 'a', 'c')).toEqual(['a', 'b', 'c']);
    expect(connectedComponents(graph)).toEqual([['a', 'b', 'c'], ['z']]);
  });

  it('rejects non-numeric weights and unknown nodes', () => {
    expect(() => buildGraph({ edges: [{ source: 'a', target: 'b', weight: NaN }] })).toThrow(
      /non-numeric weight/,
    );
    const graph = buildGraph({ edges: [{ source: 'a', target: 'b' }] });
    expect(() => shortestPath(graph, 'a', 'nope')).toThrow(/'nope' is not in the graph/);
  });

  it('treats ids like __proto__ as ordinary keys in records', () => {
    const graph = buildGraph({ edges: [{ source: '__proto__', target: 'constructor' }] });
    const record = toRecord(graph, degreeCentrality(graph));
    expect(Object.keys(record)).toEqual(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(record))).toEqual(
      JSON.parse('{"__proto__": 1, "constructor": 1}'),
    );
  });
});

describe('paths', () => {
  const square = buildGraph({
    edges: [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
      { source: 'c', target: 'd' },
      { source: 'd', target: 'a' },
      { source: 'a', target: 'c' },
    ],
  });

  it('enumerates simple paths by hop limit and stops at the path limit', () => {
    expect(allSimplePaths(square, 'a', 'c', 1)).toEqual([['a', 'c']]);
    expect(allSimplePaths(square, 'a', 'c', 2)).toHaveLength(3);
    expect(allSimplePaths(square, 'a', 'c', 2, { limit: 2 })).toHaveLength(2);
    expect(allSimplePaths(square, 'a', 'a', 3)).toEqual([]);
  });

  it('gives neighbourhoods with hop counts', () => {
    const line = buildGraph({
      edges: ['ab', 'bc', 'cd'].map(([s, t]) => ({ source: s!, target: t! })),
    });
    expect({ ...neighbourhood(line, 'a', 2) }).toEqual({ a: 0, b: 1, c: 2 });
  });

  it('uses weights as lengths unless told not to', () => {
    const graph = buildGraph({
      edges: [
        { source: 'a', target: 'b', weight: 10 },
        { source: 'a', target: 'c', weight: 1 },
        { source: 'c', target: 'b', weight: 1 },
      ],
    });
    expect(shortestPath(graph, 'a', 'b')).toEqual(['a', 'c', 'b']);
    expect(shortestPath(graph, 'a', 'b', { weighted: false })).toEqual(['a', 'b']);
    const negative = buildGraph({ edges: [{ source: 'a', target: 'b', weight: -1 }] });
    expect(() => shortestPath(negative, 'a', 'b')).toThrow(/negative/);
  });
});

describe('mostConnected', () => {
  it('ranks by degree and breaks ties by id', () => {
    const graph = buildGraph({
      edges: [
        { source: 'hub', target: 'b' },
        { source: 'hub', target: 'a' },
        { source: 'hub', target: 'c' },
        { source: 'b', target: 'a' },
      ],
    });
    expect(mostConnected(graph, 3)).toEqual([
      { id: 'hub', degree: 3 },
      { id: 'a', degree: 2 },
      { id: 'b', degree: 2 },
    ]);
  });
});

describe('communities', () => {
  it('finds two cliques joined by one edge, deterministically from the seed', () => {
    const edges = [];
    for (const offset of [0, 5]) {
      for (let i = 0; i < 5; i++) {
        for (let j = i + 1; j < 5; j++) {
          edges.push({ source: `n${offset + i}`, target: `n${offset + j}` });
        }
      }
    }
    edges.push({ source: 'n0', target: 'n5' });
    const graph = buildGraph({ edges });
    const result = louvainCommunities(graph, { seed: 3 });
    expect(result.communities.map((c) => c.sort())).toEqual([
      ['n0', 'n1', 'n2', 'n3', 'n4'],
      ['n5', 'n6', 'n7', 'n8', 'n9'],
    ]);
    expect(result.modularity).toBeCloseTo(modularity(graph, result.communities), 12);
    const big = buildGraph(barabasiAlbert(2000, 2, 9));
    expect(louvainCommunities(big, { seed: 5 }).labels).toEqual(
      louvainCommunities(big, { seed: 5 }).labels,
    );
  });

  it('validates partitions given to modularity', () => {
    const graph = buildGraph({ edges: [{ source: 'a', target: 'b' }] });
    expect(() => modularity(graph, [['a']])).toThrow(/do not cover/);
    expect(() => modularity(graph, [['a', 'b'], ['b']])).toThrow(/two communities/);
  });
});

describe('GraphML reader', () => {
  it('reads keys, defaults, entities, comments and CDATA', () => {
    const text = `<?xml version="1.0"?>
<!-- written by hand -->
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="w" for="edge" attr.name="weight" attr.type="double"><default>2.5</default></key>
  <key id="n" for="node" attr.name="label" attr.type="string"/>
  <graph id="G" edgedefault="directed">
    <node id="Smith &amp; Sons"><data key="n"><![CDATA[<b>x</b>]]></data></node>
    <node id='o&#39;Brien'/>
    <edge source="Smith &amp; Sons" target="o'Brien"><data key="w">4</data></edge>
    <edge source="o'Brien" target="third"/>
  </graph>
</graphml>`;
    expect(parseGraphML(text)).toEqual({
      nodes: ['Smith & Sons', "o'Brien"],
      edges: [
        { source: 'Smith & Sons', target: "o'Brien", weight: 4 },
        { source: "o'Brien", target: 'third', weight: 2.5 },
      ],
      directed: true,
    });
  });

  it('reports malformed documents with a line number', () => {
    expect(() => parseGraphML('<graphml>\n<graph>\n<node id="a">\n</graph></graphml>')).toThrow(
      /line 4/,
    );
    expect(() => parseGraphML('<foo/>')).toThrow(/not a GraphML/);
    expect(() =>
      parseGraphML(
        '<graphml><key id="w" for="edge" attr.name="weight"/><graph><edge source="a" target="b"><data key="w">x</data></edge></graph></graphml>',
      ),
    ).toThrow(/weight 'x'/);
  });
});

describe('CSV reader', () => {
  it('reads plain rows without a header', () => {
    expect(parseCsvEdges('a,b\nb,c,2.5\n')).toEqual({
      edges: [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'c', weight: 2.5 },
      ],
      directed: false,
    });
  });

  it('detects headers, quotes, other delimiters and a weight column anywhere', () => {
    const csv = '# exported\r\nweight;from;to\r\n3;"Doe; John";"Roe ""R"""\r\n\r\n1;x;y\r\n';
    expect(parseCsvEdges(csv, { directed: true })).toEqual({
      edges: [
        { source: 'Doe; John', target: 'Roe "R"', weight: 3 },
        { source: 'x', target: 'y', weight: 1 },
      ],
      directed: true,
    });
    expect(parseCsvEdges('1 2 0.5\n2  3 1\n').edges).toEqual([
      { source: '1', target: '2', weight: 0.5 },
      { source: '2', target: '3', weight: 1 },
    ]);
    expect(parseCsvEdges('Source\tTarget\nu1\tu2').edges).toEqual([{ source: 'u1', target: 'u2' }]);
  });

  it('rejects incomplete rows and bad weights', () => {
    expect(() => parseCsvEdges('a,b\nc\n')).toThrow(/line 2/);
    expect(() => parseCsvEdges('a,b,1\nc,d,heavy\n')).toThrow(/line 2: weight 'heavy'/);
  });

  it('sniffs the format', () => {
    expect(detectFormat('a,b', 'edges.graphml')).toBe('graphml');
    expect(detectFormat('\uFEFF <?xml version="1.0"?><graphml/>')).toBe('graphml');
    expect(detectFormat('a,b')).toBe('csv');
    expect(parseGraph('a,b\n').edges).toHaveLength(1);
  });
});

describe('runAnalysis', () => {
  const graph = {
    edges: [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
      { source: 'x', target: 'y' },
    ],
  };

  it('returns plain serialisable data for every measure', () => {
    const betweenness = runAnalysis({ measure: 'betweenness', graph });
    // Two ordered pairs (a→c, c→a) through b, over (n−1)(n−2) = 12.
    expect(betweenness).toEqual({
      kind: 'values',
      measure: 'betweenness',
      values: { a: 0, b: 2 / 12, c: 0, x: 0, y: 0 },
    });
    expect(runAnalysis({ measure: 'path', graph, from: 'a', to: 'c' })).toEqual({
      kind: 'path',
      measure: 'path',
      path: ['a', 'b', 'c'],
      length: 2,
    });
    expect(runAnalysis({ measure: 'path', graph, from: 'a', to: 'x' })).toMatchObject({
      path: null,
      length: null,
    });
    expect(runAnalysis({ measure: 'components', graph })).toEqual({
      kind: 'groups',
      measure: 'components',
      groups: [
        ['a', 'b', 'c'],
        ['x', 'y'],
      ],
    });
    expect(runAnalysis({ measure: 'mostConnected', graph, limit: 1 })).toMatchObject({
      nodes: [{ id: 'b', degree: 2 }],
    });
    expect(runAnalysis({ measure: 'paths', graph, from: 'a', to: 'c', k: 2 })).toMatchObject({
      paths: [['a', 'b', 'c']],
    });
    expect(runAnalysis({ measure: 'neighbours', graph, from: 'b' })).toMatchObject({
      hops: { a: 1, b: 0, c: 1 },
    });
    const communities = runAnalysis({ measure: 'communities', graph });
    expect(communities.kind).toBe('groups');
    expect(() => runAnalysis({ measure: 'path', graph, from: 'a' })).toThrow(/needs 'to'/);
    for (const measure of ['degree', 'closeness', 'eigenvector', 'pagerank'] as const) {
      const result = runAnalysis({ measure, graph });
      expect(structuredClone(result)).toEqual(result);
    }
  });

  it('normalises betweenness like NetworkX on a small star', () => {
    const star = buildGraph({
      edges: ['b', 'c', 'd'].map((leaf) => ({ source: 'hub', target: leaf })),
    });
    expect([...betweennessCentrality(star)]).toEqual([1, 0, 0, 0]);
  });
});
