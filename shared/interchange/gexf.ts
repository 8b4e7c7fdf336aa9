/**
 * GEXF 1.2/1.3 (https://gexf.net/), Gephi's format, as Gephi and NetworkX write it:
 *   <gexf><graph defaultedgetype="directed|undirected">
 *     <attributes class="node|edge"><attribute id title type>[<default>]</attribute>…</attributes>
 *     <nodes><node id label><attvalues><attvalue for value/>…</attvalues>
 *       <viz:position x y/></node>…</nodes>
 *     <edges><edge id source target label weight type>…</edge>…</edges></graph></gexf>
 * Dynamic values (start/end, spells) and viz colour, size and shape are not read; an edge's
 * weight is kept as the attribute "weight". Mapping to the case: shared/interchange/graph.ts.
 */
import type { CaseFile } from '../caseFile.ts';
import { InterchangeError } from './importError.ts';
import { caseFileFromGraph, graphFromCase, readEdge } from './graph.ts';
import type { Graph, GraphEdge, GraphNode } from './graph.ts';
import type { ImportIssue, ImportOptions, InterchangeFormat, InterchangeImport } from './types.ts';
import { attribute, buildXml, children, head, parseXml, textOf } from './xml.ts';
import type { XmlElement } from './xml.ts';

export function readGexf(text: string): { graph: Graph; issues: ImportIssue[] } {
  const doc = parseXml(text, ['attributes', 'attribute', 'node', 'edge', 'attvalue', 'graph']);
  const root = children(doc, 'gexf')[0];
  if (!root) throw new InterchangeError('unreadable', 'not GEXF: no <gexf> element');
  const graph = children(root, 'graph')[0];
  if (!graph) throw new InterchangeError('empty', 'the GEXF file holds no graph');
  const issues: ImportIssue[] = [];
  const titles = { node: new Map<string, string>(), edge: new Map<string, string>() };
  const defaults = { node: {} as Record<string, string>, edge: {} as Record<string, string> };
  for (const group of children(graph, 'attributes')) {
    const kind = attribute(group, 'class') === 'edge' ? 'edge' : 'node';
    for (const item of children(group, 'attribute')) {
      const id = attribute(item, 'id');
      if (id === undefined) continue;
      const title = attribute(item, 'title') ?? id;
      titles[kind].set(id, title);
      const fallback = textOf(children(item, 'default')[0]);
      if (fallback !== undefined) defaults[kind][title] = fallback;
    }
  }
  const valuesOf = (element: XmlElement, kind: 'node' | 'edge') => {
    const attributes: Record<string, string> = { ...defaults[kind] };
    for (const value of children(children(element, 'attvalues')[0], 'attvalue')) {
      const key = attribute(value, 'for') ?? attribute(value, 'id');
      const text = attribute(value, 'value');
      if (key === undefined || text === undefined) continue;
      attributes[titles[kind].get(key) ?? key] = text;
    }
    return attributes;
  };
  const nodes: GraphNode[] = children(children(graph, 'nodes')[0], 'node').flatMap((node) => {
    const id = attribute(node, 'id');
    if (!id) {
      issues.push({ code: 'graph.skipped', message: 'a node without an id was left out' });
      return [];
    }
    const label = attribute(node, 'label');
    const position = children(node, 'position')[0];
    const x = Number(position && attribute(position, 'x'));
    const y = Number(position && attribute(position, 'y'));
    return [
      {
        id,
        attributes: valuesOf(node, 'node'),
        ...(label !== undefined && { label }),
        ...(position && Number.isFinite(x) && Number.isFinite(y) && { position: { x, y } }),
      },
    ];
  });
  const edges: GraphEdge[] = children(children(graph, 'edges')[0], 'edge').flatMap(
    (edge, index) => {
      const id = attribute(edge, 'id');
      const weight = attribute(edge, 'weight');
      const attributes = valuesOf(edge, 'edge');
      if (weight !== undefined && attributes.weight === undefined) attributes.weight = weight;
      return readEdge(
        {
          id,
          source: attribute(edge, 'source'),
          target: attribute(edge, 'target'),
          label: attribute(edge, 'label'),
          attributes,
          where: `edge ${id ?? index + 1}`,
        },
        issues,
      );
    },
  );
  return {
    graph: { directed: attribute(graph, 'defaultedgetype') !== 'undirected', nodes, edges },
    issues,
  };
}

export function writeGexf(graph: Graph): string {
  const declared = { node: new Map<string, string>(), edge: new Map<string, string>() };
  const idOf = (kind: 'node' | 'edge', title: string) => {
    const map = declared[kind];
    if (!map.has(title)) map.set(title, `${kind[0]}${map.size}`);
    return map.get(title)!;
  };
  const attvalues = (kind: 'node' | 'edge', attributes: GraphNode['attributes']) => {
    const entries = Object.entries(attributes);
    return entries.length === 0
      ? undefined
      : {
          attvalue: entries.map(([title, value]) => ({
            '@_for': idOf(kind, title),
            '@_value': typeof value === 'string' ? value : JSON.stringify(value),
          })),
        };
  };
  const nodes = graph.nodes.map((node) => ({
    '@_id': node.id,
    ...(node.label !== undefined && { '@_label': node.label }),
    attvalues: attvalues('node', node.attributes),
    ...(node.position && {
      'viz:position': {
        '@_x': String(node.position.x),
        '@_y': String(node.position.y),
        '@_z': '0',
      },
    }),
  }));
  const edges = graph.edges.map((edge, index) => ({
    '@_id': edge.id ?? String(index),
    '@_source': edge.source,
    '@_target': edge.target,
    ...(edge.label !== undefined && { '@_label': edge.label }),
    attvalues: attvalues('edge', edge.attributes),
  }));
  const declarations = (kind: 'node' | 'edge') => ({
    '@_class': kind,
    '@_mode': 'static',
    attribute: [...declared[kind]].map(([title, id]) => ({
      '@_id': id,
      '@_title': title,
      '@_type': 'string',
    })),
  });
  return buildXml({
    gexf: {
      '@_xmlns': 'http://www.gexf.net/1.2draft',
      '@_xmlns:viz': 'http://www.gexf.net/1.2draft/viz',
      '@_version': '1.2',
      meta: { creator: 'Tessera' },
      graph: {
        '@_defaultedgetype': graph.directed ? 'directed' : 'undirected',
        '@_mode': 'static',
        // Declared after the elements are written (ids are given out while writing them).
        attributes: [declarations('node'), declarations('edge')],
        nodes: { node: nodes },
        edges: { edge: edges },
      },
    },
  });
}

export const gexfFormat: InterchangeFormat = {
  id: 'gexf',
  label: 'GEXF (Gephi)',
  extensions: ['.gexf'],
  sniff: (text) => /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<gexf[\s>]/.test(head(text)),
  importText(text: string, options: ImportOptions): InterchangeImport {
    const { graph, issues } = readGexf(text);
    return caseFileFromGraph(graph, 'gexf', options, issues);
  },
  exportText: (file: CaseFile) => writeGexf(graphFromCase(file)),
};
