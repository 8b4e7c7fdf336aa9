/**
 * Cytoscape JSON (.cyjs), as Cytoscape desktop exports a network and Cytoscape.js's `cy.json()`
 * writes one:
 *   {"format_version": "1.0", "generated_by": "cytoscape-3.x", "data": {…network…},
 *    "elements": {"nodes": [{"data": {"id", "name", …}, "position": {"x", "y"}}],
 *                 "edges": [{"data": {"id", "source", "target", "interaction", …}}]}}
 * (`elements` may also be one list with `group: "nodes" | "edges"`). A node's `name` is its label
 * (its FtM name when the node has a `schema` column), an edge's `interaction` its label; Cytoscape's bookkeeping columns (SUID, shared_name,
 * shared_interaction, selected) are not kept. List columns are several values.
 * Mapping to the case: shared/interchange/graph.ts.
 */
import type { CaseFile } from '../caseFile.ts';
import { InterchangeError } from './importError.ts';
import { caseFileFromGraph, graphFromCase, readEdge } from './graph.ts';
import type { Graph, GraphEdge, GraphNode } from './graph.ts';
import type { ImportIssue, ImportOptions, InterchangeFormat, InterchangeImport } from './types.ts';
import { head } from './xml.ts';

const BOOKKEEPING = new Set(['SUID', 'shared_name', 'shared_interaction', 'selected', 'id']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A data column as attribute text: lists of scalars stay lists, objects are JSON text. */
function columnValue(value: unknown): string | readonly string[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (
    Array.isArray(value) &&
    value.every((item) => ['string', 'number', 'boolean'].includes(typeof item))
  )
    return value.map(String);
  return JSON.stringify(value);
}

function elementsOf(json: Record<string, unknown>): { nodes: unknown[]; edges: unknown[] } {
  const elements = json.elements;
  if (Array.isArray(elements)) {
    const group = (item: unknown) => (isObject(item) ? item.group : undefined);
    return {
      nodes: elements.filter(
        (item) =>
          group(item) !== 'edges' &&
          !(isObject(item) && isObject(item.data) && 'source' in item.data),
      ),
      edges: elements.filter(
        (item) =>
          group(item) === 'edges' ||
          (isObject(item) && isObject(item.data) && 'source' in item.data),
      ),
    };
  }
  if (isObject(elements)) {
    return {
      nodes: Array.isArray(elements.nodes) ? elements.nodes : [],
      edges: Array.isArray(elements.edges) ? elements.edges : [],
    };
  }
  throw new InterchangeError('unreadable', 'not Cytoscape JSON: no "elements"');
}

export function readCyjs(text: string): { graph: Graph; issues: ImportIssue[] } {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new InterchangeError('unreadable', 'not valid JSON');
  }
  if (!isObject(json))
    throw new InterchangeError('unreadable', 'not Cytoscape JSON: not an object');
  const issues: ImportIssue[] = [];
  const { nodes: rawNodes, edges: rawEdges } = elementsOf(json);
  const attributesOf = (data: Record<string, unknown>, skip: readonly string[]) => {
    const attributes: Record<string, string | readonly string[]> = {};
    for (const [name, value] of Object.entries(data)) {
      if (BOOKKEEPING.has(name) || skip.includes(name)) continue;
      const column = columnValue(value);
      if (column !== undefined) attributes[name] = column;
    }
    return attributes;
  };
  const idText = (value: unknown) =>
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  const nodes: GraphNode[] = rawNodes.flatMap((item, index) => {
    const data = isObject(item) && isObject(item.data) ? item.data : undefined;
    const id = idText(data?.id);
    if (!data || id === undefined) {
      issues.push({
        code: 'graph.skipped',
        message: 'a node without data.id was left out',
        where: `node ${index + 1}`,
      });
      return [];
    }
    // With a "schema" column (files Tessera wrote, or typed by hand) `name` is the FtM name
    // property; without one it is Cytoscape's label column, which becomes the entity's name.
    const typed = data.schema !== undefined;
    const label = !typed && typeof data.name === 'string' ? data.name : undefined;
    const position = isObject(item) && isObject(item.position) ? item.position : undefined;
    const x = Number(position?.x);
    const y = Number(position?.y);
    return [
      {
        id,
        attributes: attributesOf(data, typed ? [] : ['name']),
        ...(label !== undefined && { label }),
        ...(position && Number.isFinite(x) && Number.isFinite(y) && { position: { x, y } }),
      },
    ];
  });
  const edges: GraphEdge[] = rawEdges.flatMap((item, index) => {
    const data = isObject(item) && isObject(item.data) ? item.data : {};
    return readEdge(
      {
        id: idText(data.id),
        source: idText(data.source),
        target: idText(data.target),
        label: typeof data.interaction === 'string' ? data.interaction : undefined,
        attributes: attributesOf(data, ['source', 'target', 'interaction', 'name']),
        where: `edge ${idText(data.id) ?? index + 1}`,
      },
      issues,
    );
  });
  return { graph: { directed: true, nodes, edges }, issues };
}

export function writeCyjs(graph: Graph, name: string): string {
  return `${JSON.stringify(
    {
      format_version: '1.0',
      generated_by: 'Tessera',
      target_cytoscapejs_version: '~2.1',
      data: { name },
      elements: {
        nodes: graph.nodes.map((node) => ({
          // `name` only as the FtM property (see readCyjs); Cytoscape labels nodes by it.
          data: { id: node.id, ...node.attributes },
          ...(node.position && { position: node.position }),
        })),
        edges: graph.edges.map((edge, index) => ({
          data: {
            id: edge.id ?? `e${index}`,
            source: edge.source,
            target: edge.target,
            ...(edge.label !== undefined && { interaction: edge.label }),
            ...edge.attributes,
          },
        })),
      },
    },
    null,
    1,
  )}\n`;
}

export const cyjsFormat: InterchangeFormat = {
  id: 'cyjs',
  label: 'Cytoscape JSON (.cyjs)',
  extensions: ['.cyjs'],
  sniff(text) {
    const start = head(text, 65_536);
    return start.startsWith('{') && /"elements"\s*:\s*[[{]/.test(start);
  },
  importText(text: string, options: ImportOptions): InterchangeImport {
    const { graph, issues } = readCyjs(text);
    return caseFileFromGraph(graph, 'cyjs', options, issues);
  },
  exportText: (file: CaseFile) => writeCyjs(graphFromCase(file), file.case.title),
};
