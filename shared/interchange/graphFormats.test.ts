// GraphML, GEXF and Cytoscape JSON against the tools that write them: NetworkX writes the files we
// import and reads back the files we export; the .cyjs file is in the shape Cytoscape desktop
// (3.10) exports. Round trips through Tessera keep ids, types, properties and positions.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { caseFileSchema } from '../caseFile.ts';
import type { CaseFile } from '../caseFile.ts';
import { createDemoCase } from '../demo/demoCase.ts';
import { networkxAvailable, PYTHON } from '../analysis/fixtures/networkx.ts';
import { isEdgeSchema } from '../model/index.ts';
import { cyjsFormat } from './cyjs.ts';
import { gexfFormat } from './gexf.ts';
import { graphFromCase } from './graph.ts';
import { graphmlFormat } from './graphml.ts';
import { detectFormat } from './index.ts';
import type { InterchangeFormat } from './types.ts';

const options = {
  caseTitle: 'Imported: graph',
  now: '2026-11-23T10:00:00Z',
  userName: 'analyst',
  agencyId: 'at.bk',
};

const hasNetworkx = networkxAvailable('the GraphML and GEXF interchange tests');

function python(script: string, input = ''): string {
  const run = spawnSync(PYTHON, ['-c', script], { input, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout;
}

/** A small investigation graph as NetworkX users build one: some nodes typed, some not. */
const NETWORKX_GRAPH = `
import networkx as nx, sys
G = nx.DiGraph()
G.add_node('p1', label='Ana Vlad', schema='Person', birthDate='1990-04-02', nationality='ro')
G.add_node('c1', label='Nord SRL', schema='Company', jurisdiction='ro', weight=2.5)
G.add_node('x9', label='Unknown contact')
G.add_edge('p1', 'c1', schema='Directorship', role='director')
G.add_edge('x9', 'p1', label='meets', weight=3.0)
for n, (x, y) in {'p1': (10.5, -4.0), 'c1': (120.0, 40.25), 'x9': (-30.0, 0.0)}.items():
    G.nodes[n]['viz'] = {'position': {'x': x, 'y': y, 'z': 0.0}}
`;

function entityBy(file: CaseFile, id: string) {
  return file.entities.find((entity) => entity.external?.id === id)!;
}

describe.skipIf(!hasNetworkx)('GraphML and GEXF written by NetworkX', () => {
  for (const [format, writer] of [
    [graphmlFormat, 'write_graphml'],
    [gexfFormat, 'write_gexf'],
  ] as const) {
    it(`imports ${format.id} from NetworkX: types, properties, labels, edges, extra attributes`, () => {
      const script =
        writer === 'write_graphml'
          ? // GraphML has no place for viz dictionaries.
            `${NETWORKX_GRAPH}\nfor n in G.nodes: del G.nodes[n]['viz']\nnx.${writer}(G, sys.stdout.buffer)`
          : `${NETWORKX_GRAPH}\nnx.${writer}(G, sys.stdout.buffer)`;
      const text = python(script);
      expect(detectFormat(text)?.id).toBe(format.id);
      const { file, issues } = format.importText(text, options);
      expect(caseFileSchema.safeParse(file).success).toBe(true);
      const ana = entityBy(file, 'p1');
      expect(ana.schema).toBe('Person');
      expect(ana.properties).toMatchObject({
        name: ['Ana Vlad'],
        birthDate: ['1990-04-02'],
        nationality: ['ro'],
      });
      const nord = entityBy(file, 'c1');
      expect(nord.schema).toBe('Company');
      expect(nord.external?.extra).toEqual({ weight: ['2.5'] });
      const unknown = entityBy(file, 'x9');
      expect(unknown.schema).toBe('LegalEntity');
      expect(unknown.properties.name).toEqual(['Unknown contact']);
      expect(issues.map((issue) => issue.code)).toContain('graph.default-type');
      const directorship = file.entities.find((entity) => entity.schema === 'Directorship')!;
      expect(directorship.properties).toMatchObject({
        director: [ana.id],
        organization: [nord.id],
        role: ['director'],
      });
      const link = file.entities.find((entity) => entity.schema === 'UnknownLink')!;
      expect(link.properties).toMatchObject({ subject: [unknown.id], object: [ana.id] });
      expect(link.external?.extra?.weight?.map(Number)).toEqual([3]);
      if (format.id === 'gexf') {
        expect(file.charts).toHaveLength(1);
        expect(file.charts[0]!.nodes[ana.id]).toEqual({ x: 10.5, y: -4 });
      }
    });

    it(`writes ${format.id} that NetworkX reads: every node, edge and attribute`, () => {
      const demo = createDemoCase({ agencyId: 'demo', now: new Date('2026-11-23T00:00:00Z') });
      const text = format.exportText(demo);
      const reader = writer === 'write_graphml' ? 'read_graphml' : 'read_gexf';
      const report = JSON.parse(
        python(
          `import networkx as nx, sys, json, io
G = nx.${reader}(io.BytesIO(sys.stdin.buffer.read()))
print(json.dumps({'nodes': G.number_of_nodes(), 'edges': G.number_of_edges(),
  'node': {n: d for n, d in G.nodes(data=True)}}))`,
          text,
        ),
      ) as { nodes: number; edges: number; node: Record<string, Record<string, unknown>> };
      const graph = graphFromCase(demo);
      expect(report.nodes).toBe(graph.nodes.length);
      expect(report.edges).toBe(graph.edges.length);
      const person = demo.entities.find((entity) => entity.schema === 'Person')!;
      expect(report.node[person.id]).toMatchObject({
        schema: 'Person',
        name: person.properties.name![0],
      });
    });
  }
});

/** The shape Cytoscape desktop 3.10 writes with File → Export → Network to File → .cyjs. */
const CYTOSCAPE_DESKTOP = JSON.stringify({
  format_version: '1.0',
  generated_by: 'cytoscape-3.10.2',
  target_cytoscapejs_version: '~2.1',
  data: { shared_name: 'calls', name: 'calls', SUID: 52, __Annotations: [], selected: true },
  elements: {
    nodes: [
      {
        data: {
          id: '120',
          shared_name: '+40 700 555 011',
          name: '+40 700 555 011',
          schema: 'Phone',
          number: '+40 700 555 011',
          provider: 'Orange RO',
          SUID: 120,
          selected: false,
        },
        position: { x: -61.5, y: 12.25 },
        selected: false,
      },
      {
        data: { id: '121', shared_name: 'Sorin', name: 'Sorin', SUID: 121, selected: false },
        position: { x: 80, y: -3 },
        selected: false,
      },
    ],
    edges: [
      {
        data: {
          id: '130',
          source: '121',
          target: '120',
          shared_name: 'Sorin (uses) +40 700 555 011',
          shared_interaction: 'uses',
          name: 'Sorin (uses) +40 700 555 011',
          interaction: 'uses',
          calls: [3, 5],
          SUID: 130,
          selected: false,
        },
        selected: false,
      },
    ],
  },
});

describe('Cytoscape JSON', () => {
  it('imports a network as Cytoscape desktop exports it, with positions', () => {
    expect(detectFormat(CYTOSCAPE_DESKTOP)?.id).toBe('cyjs');
    const { file } = cyjsFormat.importText(CYTOSCAPE_DESKTOP, options);
    const phone = entityBy(file, '120');
    expect(phone.schema).toBe('Phone');
    // A "schema" column was added in Cytoscape: then `name` is the FtM name, not just a label.
    expect(phone.properties).toEqual({
      name: ['+40 700 555 011'],
      number: ['+40 700 555 011'],
      provider: ['Orange RO'],
    });
    const sorin = entityBy(file, '121');
    expect(sorin.properties.name).toEqual(['Sorin']);
    const link = entityBy(file, '130');
    expect(link.schema).toBe('UnknownLink');
    expect(link.properties).toMatchObject({
      subject: [sorin.id],
      object: [phone.id],
      role: ['uses'],
    });
    expect(link.external?.extra).toEqual({ calls: ['3', '5'] });
    expect(file.charts[0]!.nodes[phone.id]).toEqual({ x: -61.5, y: 12.25 });
  });

  it('reads Cytoscape.js element lists (cy.json()) too', () => {
    const text = JSON.stringify({
      elements: [
        { group: 'nodes', data: { id: 'a', name: 'A' } },
        { group: 'nodes', data: { id: 'b', name: 'B' } },
        { group: 'edges', data: { id: 'ab', source: 'a', target: 'b' } },
      ],
    });
    const { file } = cyjsFormat.importText(text, options);
    expect(file.entities.filter((entity) => isEdgeSchema(entity.schema))).toHaveLength(1);
  });
});

describe('attribute names that are Object.prototype members', () => {
  // Found by the fuzz run: a node attribute called "constructor" crashed the import.
  const hostile = { constructor: 'c', PROTO_KEY: 'p', toString: 't', hasOwnProperty: 'h' };
  it('keeps them as ordinary values in every graph format', () => {
    const text = JSON.stringify({
      elements: {
        nodes: [{ data: { id: 'a', name: 'A', ...hostile } }, { data: { id: 'b', name: 'B' } }],
        edges: [{ data: { id: 'ab', source: 'a', target: 'b', ...hostile } }],
      },
    }).replaceAll('"PROTO_KEY"', '"__proto__"');
    const parsed = JSON.parse(text) as unknown;
    expect(
      Object.keys((parsed as { elements: { nodes: { data: object }[] } }).elements.nodes[0]!.data),
    ).toContain('__proto__');
    const { file } = cyjsFormat.importText(text, options);
    expect(caseFileSchema.safeParse(file).success).toBe(true);
    const a = file.entities.find((entity) => entity.properties.name?.[0] === 'A')!;
    expect(a.external?.extra?.['constructor']).toEqual(['c']);
    const again = cyjsFormat.importText(cyjsFormat.exportText(file), options).file;
    expect(again.entities).toHaveLength(file.entities.length);
  });
});

describe('round trips through Tessera', () => {
  const demo = createDemoCase({ agencyId: 'demo', now: new Date('2026-11-23T00:00:00Z') });
  const formats: InterchangeFormat[] = [graphmlFormat, gexfFormat, cyjsFormat];
  for (const format of formats) {
    it(`${format.id}: export, import, export gives the same graph`, () => {
      const first = format.exportText(demo);
      const { file, issues } = format.importText(first, options);
      expect(issues).toEqual([]);
      const again = graphFromCase(file);
      const before = graphFromCase(demo);
      const sort = <T extends { id?: string }>(items: readonly T[]) =>
        [...items].sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));
      expect(sort(again.nodes).map(({ position: _p, ...node }) => node)).toEqual(
        sort(before.nodes).map(({ position: _p, ...node }) => node),
      );
      expect(sort(again.edges)).toEqual(sort(before.edges));
      if (format.id !== 'graphml') {
        const positioned = sort(before.nodes).filter((node) => node.position);
        expect(positioned.length).toBeGreaterThan(0);
        expect(sort(again.nodes).filter((node) => node.position)).toHaveLength(positioned.length);
      }
    });
  }
});

describe('format detection', () => {
  it('reads the format from the content, not the name', () => {
    expect(detectFormat('{"id":"a","schema":"Person","properties":{}}')?.id).toBe('ftm');
    expect(detectFormat('<?xml version="1.0"?>\n<graphml xmlns="x"/>')?.id).toBe('graphml');
    expect(detectFormat('<gexf version="1.3"/>')?.id).toBe('gexf');
    expect(detectFormat('id,name\n1,a')).toBeUndefined();
  });

  it('refuses XML with entity declarations', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaa">]><graphml><graph/></graphml>';
    expect(() => graphmlFormat.importText(bomb, options)).toThrow(
      expect.objectContaining({ code: 'unreadable' }),
    );
  });
});
