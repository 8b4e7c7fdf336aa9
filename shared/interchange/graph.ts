/**
 * The graph formats' common ground (GraphML, GEXF, Cytoscape JSON): a plain graph of nodes and
 * edges with string attributes and optional positions, and its mapping to and from a case.
 *
 * Graph → case (import): a node becomes an entity of the FtM type named by its `schema`
 * attribute (`LegalEntity` when there is none); an edge becomes a relationship of the edge type
 * named by its `schema` attribute (`UnknownLink` when there is none, its label as the role).
 * Attributes named like a property of the type become that property; a value written as a JSON
 * list of strings is several values; other attributes are kept aside (`external.extra`) and
 * written back by export. A node without a caption value takes its label as its name. The rest of
 * the rules are the FtM import's (shared/interchange/ftmLines.ts): fresh record ids, the file's ids
 * kept as `external.id`, unresolved stand-ins for edges to missing nodes, one report. Positions
 * become a chart named "Imported layout".
 *
 * Case → graph (export): live entities that are not relationships are nodes, relationships whose
 * two ends are nodes are edges; properties are attributes (several values as a JSON list),
 * `schema` and `label` (the caption) are added; positions come from the case's first chart.
 */
import type { CaseFile } from '../caseFile.ts';
import { caseFileFromFtm } from './ftmLines.ts';
import type { FtmEntity } from './ftmLines.ts';
import { captionOf, edgeEnds, isEdgeSchema, isKnownSchema, model } from '../model/index.ts';
import { exportIds } from './caseBuilder.ts';
import type {
  ImportIssue,
  ImportOptions,
  InterchangeFormatId,
  InterchangeImport,
} from './types.ts';

export interface GraphNode {
  readonly id: string;
  readonly label?: string;
  readonly attributes: Readonly<Record<string, string | readonly string[]>>;
  readonly position?: { readonly x: number; readonly y: number };
}

export interface GraphEdge {
  readonly id?: string;
  readonly source: string;
  readonly target: string;
  readonly label?: string;
  readonly attributes: Readonly<Record<string, string | readonly string[]>>;
}

export interface Graph {
  readonly directed: boolean;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/**
 * An edge as read from a file, or nothing (reported) when it lacks an end: the readers' common
 * last step.
 */
export function readEdge(
  read: {
    readonly id?: string | undefined;
    readonly source?: string | undefined;
    readonly target?: string | undefined;
    readonly label?: string | undefined;
    readonly attributes: GraphEdge['attributes'];
    readonly where: string;
  },
  issues: ImportIssue[],
): GraphEdge[] {
  const { id, source, target, label, attributes, where } = read;
  if (!source || !target) {
    issues.push({
      code: 'graph.skipped',
      message: 'an edge without both ends was left out',
      where,
    });
    return [];
  }
  return [
    {
      source,
      target,
      attributes,
      ...(id !== undefined && { id }),
      ...(label !== undefined && { label }),
    },
  ];
}

/** The node type when a node names none. */
export const DEFAULT_NODE_SCHEMA = 'LegalEntity';
/** The edge type when an edge names none. */
export const DEFAULT_EDGE_SCHEMA = 'UnknownLink';
/** Attributes that describe the element rather than hold a property. */
const RESERVED = new Set(['schema', 'label', 'id']);

/** An attribute's values: a JSON list of strings is several, anything else one. */
export function attributeValues(value: string | readonly string[]): string[] {
  if (typeof value !== 'string') return [...value];
  if (value.startsWith('[') && value.endsWith(']')) {
    try {
      const list: unknown = JSON.parse(value);
      if (Array.isArray(list) && list.every((item) => typeof item === 'string')) return list;
    } catch {
      // Not a list: one value that happens to start with "[".
    }
  }
  return [value];
}

/** Several values as a JSON list, one as itself (so a plain value stays readable in Gephi). */
export function attributeText(values: readonly string[]): string {
  return values.length === 1 && !values[0]!.startsWith('[') ? values[0]! : JSON.stringify(values);
}

function schemaOf(
  attributes: GraphNode['attributes'],
  edge: boolean,
  where: string,
  issues: ImportIssue[],
): string {
  const raw = attributes.schema;
  const named = typeof raw === 'string' ? raw : raw?.[0];
  if (named && isKnownSchema(named) && isEdgeSchema(named) === edge) return named;
  const fallback = edge ? DEFAULT_EDGE_SCHEMA : DEFAULT_NODE_SCHEMA;
  if (named) {
    issues.push({
      code: 'graph.unknown-type',
      message: `"${named}" is not a ${edge ? 'relationship' : 'node'} type Tessera knows: imported as ${fallback}`,
      where,
    });
  }
  return fallback;
}

/** The graph as a new case (see the top of the file). */
export function caseFileFromGraph(
  graph: Graph,
  format: InterchangeFormatId,
  options: ImportOptions,
  readIssues: readonly ImportIssue[] = [],
): InterchangeImport {
  const issues: ImportIssue[] = [...readIssues];
  const entities: FtmEntity[] = [];
  const layout = new Map<string, { x: number; y: number }>();
  let untyped = 0;
  const properties = (attributes: GraphNode['attributes']) => {
    const out: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(attributes)) {
      if (!RESERVED.has(name)) out[name] = attributeValues(value);
    }
    return out;
  };
  const seen = new Set<string>();
  for (const node of graph.nodes) {
    const where = `node ${node.id}`;
    if (seen.has(node.id)) {
      issues.push({
        code: 'graph.skipped',
        message: 'the node id appears twice: the second was left out',
        where,
      });
      continue;
    }
    seen.add(node.id);
    if (node.attributes.schema === undefined) untyped += 1;
    const schema = schemaOf(node.attributes, false, where, issues);
    const props = properties(node.attributes);
    const caption = model.getSchema(schema).caption;
    const hasCaption = caption.some((name) => (props[name] ?? []).length > 0);
    if (node.label && !hasCaption) {
      const name = caption.find((property) =>
        model.getSchema(schema).getProperties().has(property),
      );
      if (name) props[name] = [node.label];
    }
    entities.push({ id: node.id, schema, properties: props, where });
    if (node.position) layout.set(node.id, node.position);
  }
  graph.edges.forEach((edge, index) => {
    const id = edge.id ?? `edge-${index + 1}`;
    const where = `edge ${id}`;
    if (seen.has(id)) {
      issues.push({
        code: 'graph.skipped',
        message: 'the edge id is used already: left out',
        where,
      });
      return;
    }
    seen.add(id);
    const schema = schemaOf(edge.attributes, true, where, issues);
    const ends = model.getSchema(schema).edge!;
    const props = properties(edge.attributes);
    props[ends.source] = [edge.source];
    props[ends.target] = [edge.target];
    if (edge.label && schema === DEFAULT_EDGE_SCHEMA && !props.role) props.role = [edge.label];
    entities.push({ id, schema, properties: props, where });
  });
  if (untyped > 0) {
    issues.push({
      code: 'graph.default-type',
      message: `${untyped} node${untyped === 1 ? '' : 's'} named no type (a "schema" attribute): imported as ${DEFAULT_NODE_SCHEMA}`,
    });
  }
  const result = caseFileFromFtm({ entities, issues: [] }, options, { format, layout });
  return { file: result.file, issues: [...issues, ...result.issues] };
}

/** The caption when the entity has a caption value (never the type's name, which re-import would take as a name). */
function labelOf(
  schema: string,
  properties: Readonly<Record<string, readonly string[]>>,
): string | undefined {
  const names = model.schemata[schema]?.caption ?? [];
  return names.some((name) => (properties[name] ?? []).length > 0)
    ? captionOf(schema, properties)
    : undefined;
}

/** The case as a graph (see the top of the file). */
export function graphFromCase(file: CaseFile): Graph {
  const live = file.entities.filter((entity) => !entity.deleted);
  const ids = exportIds(live);
  const chart = [...file.charts]
    .filter((item) => !item.deleted)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  const attributesOf = (
    schema: string,
    props: Readonly<Record<string, readonly string[]>>,
    skip: readonly string[],
    extra: Readonly<Record<string, readonly string[]>> = {},
  ) => {
    const known = model.schemata[schema]?.getProperties();
    const attributes: Record<string, string> = { schema };
    for (const [name, values] of Object.entries(props)) {
      if (skip.includes(name) || values.length === 0) continue;
      const written = known?.get(name)?.type.isEntity
        ? values.map((value) => ids.get(value) ?? value)
        : values;
      attributes[name] = attributeText(written);
    }
    for (const [name, values] of Object.entries(extra)) {
      if (!RESERVED.has(name) && values.length > 0 && attributes[name] === undefined)
        attributes[name] = attributeText(values);
    }
    return attributes;
  };
  const nodes: GraphNode[] = [];
  const onGraph = new Set<string>();
  for (const entity of live) {
    if (isEdgeSchema(entity.schema)) continue;
    onGraph.add(entity.id);
    const view = chart?.nodes[entity.id];
    const label = labelOf(entity.schema, entity.properties);
    nodes.push({
      id: ids.get(entity.id)!,
      ...(label !== undefined && { label }),
      attributes: attributesOf(entity.schema, entity.properties, [], entity.external?.extra),
      ...(view && { position: { x: view.x, y: view.y } }),
    });
  }
  const edges: GraphEdge[] = [];
  for (const entity of live) {
    if (!isEdgeSchema(entity.schema)) continue;
    const ends = edgeEnds(entity.schema, entity.properties);
    if (!ends || !onGraph.has(ends.source) || !onGraph.has(ends.target)) continue;
    const names = model.getSchema(entity.schema).edge!;
    edges.push({
      id: ids.get(entity.id)!,
      source: ids.get(ends.source)!,
      target: ids.get(ends.target)!,
      ...(labelOf(entity.schema, entity.properties) !== undefined && {
        label: labelOf(entity.schema, entity.properties),
      }),
      attributes: attributesOf(
        entity.schema,
        entity.properties,
        [names.source, names.target],
        entity.external?.extra,
      ),
    });
  }
  return { directed: true, nodes, edges };
}
