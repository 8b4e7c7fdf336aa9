/**
 * GraphML (http://graphml.graphdrawing.org/), as NetworkX, Gephi, yEd and igraph write it:
 *   <graphml><key id for="node|edge|all" attr.name attr.type>[<default>]</key>…
 *     <graph edgedefault="directed|undirected"><node id><data key>text</data>…</node>
 *       <edge id? source target><data key>…</data></edge></graph></graphml>
 * Only the first graph is read; nested graphs (groups) and data holding XML (yEd's shapes) are
 * left out with an issue. Mapping to the case: shared/interchange/graph.ts.
 */
import type { CaseFile } from '../caseFile.ts';
import { InterchangeError } from './importError.ts';
import { caseFileFromGraph, graphFromCase, readEdge } from './graph.ts';
import type { Graph, GraphEdge, GraphNode } from './graph.ts';
import type { ImportIssue, ImportOptions, InterchangeFormat, InterchangeImport } from './types.ts';
import { attribute, buildXml, children, head, parseXml, textOf } from './xml.ts';
import type { XmlElement } from './xml.ts';

interface Key {
  readonly name: string;
  readonly for: string;
  readonly fallback?: string;
}

export function readGraphml(text: string): { graph: Graph; issues: ImportIssue[] } {
  const doc = parseXml(text, ['key', 'graph', 'node', 'edge', 'data']);
  const root = children(doc, 'graphml')[0];
  if (!root) throw new InterchangeError('unreadable', 'not GraphML: no <graphml> element');
  const issues: ImportIssue[] = [];
  const keys = new Map<string, Key>();
  for (const key of children(root, 'key')) {
    const id = attribute(key, 'id');
    if (!id) continue;
    const fallback = textOf(children(key, 'default')[0]);
    keys.set(id, {
      name: attribute(key, 'attr.name') ?? id,
      for: attribute(key, 'for') ?? 'all',
      ...(fallback !== undefined && { fallback }),
    });
  }
  const graphs = children(root, 'graph');
  const graph = graphs[0];
  if (!graph) throw new InterchangeError('empty', 'the GraphML file holds no graph');
  if (graphs.length > 1)
    issues.push({
      code: 'graph.skipped',
      message: `${graphs.length - 1} further graphs were left out`,
    });
  const dataOf = (element: XmlElement, kind: 'node' | 'edge', where: string) => {
    const attributes: Record<string, string> = {};
    for (const [, key] of keys) {
      if ((key.for === kind || key.for === 'all') && key.fallback !== undefined)
        attributes[key.name] = key.fallback;
    }
    for (const data of children(element, 'data')) {
      const key = keys.get(attribute(data, 'key') ?? '');
      const value = textOf(data);
      if (value === undefined) {
        issues.push({
          code: 'graph.skipped',
          message: 'a data element holding XML (e.g. a yEd shape) was left out',
          where,
        });
      } else {
        attributes[key?.name ?? attribute(data, 'key') ?? 'data'] = value;
      }
    }
    return attributes;
  };
  const nodes: GraphNode[] = children(graph, 'node').flatMap((node) => {
    const id = attribute(node, 'id');
    if (!id) {
      issues.push({ code: 'graph.skipped', message: 'a node without an id was left out' });
      return [];
    }
    if (children(node, 'graph').length > 0)
      issues.push({
        code: 'graph.skipped',
        message: 'a nested graph (group) was left out',
        where: `node ${id}`,
      });
    const { label, ...attributes } = dataOf(node, 'node', `node ${id}`);
    return [{ id, attributes, ...(label !== undefined && { label }) }];
  });
  const edges: GraphEdge[] = children(graph, 'edge').flatMap((edge, index) => {
    const id = attribute(edge, 'id');
    const where = `edge ${id ?? index + 1}`;
    const { label, ...attributes } = dataOf(edge, 'edge', where);
    return readEdge(
      {
        id,
        source: attribute(edge, 'source'),
        target: attribute(edge, 'target'),
        label,
        attributes,
        where,
      },
      issues,
    );
  });
  return {
    graph: { directed: attribute(graph, 'edgedefault') !== 'undirected', nodes, edges },
    issues,
  };
}

export function writeGraphml(graph: Graph): string {
  // One key per attribute name and element kind, in order of first use.
  const keys = new Map<string, string>();
  const keyOf = (kind: 'node' | 'edge', name: string) => {
    const id = `${kind}:${name}`;
    if (!keys.has(id)) keys.set(id, `d${keys.size}`);
    return keys.get(id)!;
  };
  const data = (
    kind: 'node' | 'edge',
    label: string | undefined,
    attributes: GraphNode['attributes'],
  ) => [
    ...(label !== undefined ? [{ '@_key': keyOf(kind, 'label'), '#text': label }] : []),
    ...Object.entries(attributes).map(([name, value]) => ({
      '@_key': keyOf(kind, name),
      '#text': typeof value === 'string' ? value : JSON.stringify(value),
    })),
  ];
  const nodes = graph.nodes.map((node) => ({
    '@_id': node.id,
    data: data('node', node.label, node.attributes),
  }));
  const edges = graph.edges.map((edge) => ({
    ...(edge.id !== undefined && { '@_id': edge.id }),
    '@_source': edge.source,
    '@_target': edge.target,
    data: data('edge', edge.label, edge.attributes),
  }));
  return buildXml({
    graphml: {
      '@_xmlns': 'http://graphml.graphdrawing.org/xmlns',
      key: [...keys].map(([qualified, id]) => {
        const [kind, name] = [qualified.slice(0, 4), qualified.slice(5)];
        return { '@_id': id, '@_for': kind, '@_attr.name': name, '@_attr.type': 'string' };
      }),
      graph: {
        '@_id': 'G',
        '@_edgedefault': graph.directed ? 'directed' : 'undirected',
        node: nodes,
        edge: edges,
      },
    },
  });
}

export const graphmlFormat: InterchangeFormat = {
  id: 'graphml',
  label: 'GraphML (Gephi, NetworkX, yEd)',
  extensions: ['.graphml', '.xml'],
  sniff: (text) => /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<graphml[\s>]/.test(head(text)),
  importText(text: string, options: ImportOptions): InterchangeImport {
    const { graph, issues } = readGraphml(text);
    return caseFileFromGraph(graph, 'graphml', options, issues);
  },
  exportText: (file: CaseFile) => writeGraphml(graphFromCase(file)),
};
