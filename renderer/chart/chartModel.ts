/**
 * The link chart's view model: which nodes and edges a chart shows, derived from the case's
 * entities and the saved chart record, plus the Cytoscape style sheet. Everything here is plain,
 * JSON-serialisable data and pure functions, so it is unit-tested without a browser and Cytoscape
 * stays behind the adapter.
 *
 * Which entities are nodes and edges is decided by shared/model/chartGraph.ts (analysis reads it too).
 */
import type { ChartRecord, EntityRecord } from '../../shared/model/index.ts';
import { captionOf, isEdgeSchema, model } from '../../shared/model/index.ts';
import { chartGraph } from '../../shared/model/chartGraph.ts';
import type { ChartGraphNode } from '../../shared/model/chartGraph.ts';
import { CHART_ICONS, iconDataUri, iconKeyFor } from './chartIcons.ts';
import type { LinkFacts } from './parallelLinks.ts';
import { propertyEdges, propertyLabel } from './propertyEdges.ts';

export interface ChartNodeModel {
  readonly id: string;
  readonly label: string;
  readonly schema: string;
  /** Key into CHART_ICONS; the style sheet has one rule per key. */
  readonly iconKey: string;
  readonly x: number;
  readonly y: number;
  readonly color?: string;
  readonly size?: number;
  /** Border from a conditional-formatting rule. */
  readonly borderColor?: string;
  /** Compound node (a group) this node sits in. */
  readonly parent?: string;
  /** Space-separated Cytoscape classes (analysis highlights, `chart-group`). */
  readonly classes?: string;
}

export interface ChartEdgeModel {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly schema: string;
  readonly label: string;
  readonly directed: boolean;
  readonly classes?: string;
  /** Date, duration and amount, summed up when parallel links are combined (parallelLinks.ts). */
  readonly facts?: LinkFacts;
  /** Line width in pixels (combined links are wider the more they stand for). */
  readonly width?: number;
  /** A combined link: the ids of the relationships it stands for. */
  readonly members?: readonly string[];
  /**
   * 'property': drawn from an entity property that names another entity (propertyEdges.ts), not
   * from a relationship record; `schema` is then the property's qualified name ("Phone:owner").
   */
  readonly kind?: 'property';
}

export interface ChartViewModel {
  readonly nodes: readonly ChartNodeModel[];
  readonly edges: readonly ChartEdgeModel[];
}

export const EMPTY_VIEW_MODEL: ChartViewModel = { nodes: [], edges: [] };

/** Layouts offered in the toolbar, keyed by the name stored in `ChartRecord.layout`. */
export const CHART_LAYOUTS = [
  { name: 'cose', label: 'Force' },
  { name: 'breadthfirst', label: 'Hierarchy' },
  { name: 'concentric', label: 'Concentric' },
  { name: 'grid', label: 'Grid' },
  { name: 'force-fast', label: 'Force (fast)' },
] as const;
export type ChartLayoutName = (typeof CHART_LAYOUTS)[number]['name'];

function first(entity: EntityRecord, property: string): string | undefined {
  return entity.properties[property]?.[0];
}

/** "Ownership (51%)\n2021-03-04 · 25000 EUR": type, its caption detail, date and amount. */
export function relationshipLabel(entity: EntityRecord): string {
  const schema = model.schemata[entity.schema];
  const typeLabel = schema?.label ?? entity.schema;
  const detailProps = (schema?.edge?.caption ?? []).filter(
    (name) => name !== 'date' && name !== 'amount',
  );
  const detail = detailProps.map((name) => first(entity, name)).find((v) => v !== undefined);
  const head = detail ? `${typeLabel} (${detail})` : typeLabel;
  const extras: string[] = [];
  const date = first(entity, 'date') ?? first(entity, 'startDate');
  if (date) extras.push(date);
  const amount = first(entity, 'amount');
  if (amount) {
    const currency = first(entity, 'currency');
    extras.push(currency ? `${amount} ${currency}` : amount);
  }
  return extras.length > 0 ? `${head}\n${extras.join(' · ')}` : head;
}

export function finiteNumber(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  // Most values are plain numbers ("14"): read them without the regular expression, run once
  // per call of a million-call chart. A text Number() reads as finite has no inner spaces or
  // commas, so dropping them would not change it.
  const direct = Number(text);
  if (Number.isFinite(direct)) return direct;
  const value = Number(text.replace(/[\s,]/g, ''));
  return Number.isFinite(value) ? value : undefined;
}

/** What a relationship adds to a combined link: its date range, duration and amount. */
export function linkFacts(entity: EntityRecord): LinkFacts | undefined {
  const date = first(entity, 'date') ?? first(entity, 'startDate');
  const endDate = first(entity, 'endDate');
  const duration = finiteNumber(first(entity, 'duration'));
  const amount = finiteNumber(first(entity, 'amount'));
  if (!date && !endDate && duration === undefined && amount === undefined) return undefined;
  // Assigned field by field: object spreads here cost microseconds a link (issue 13 profile:
  // a million-call chart draws every pair of one call through this).
  const facts: { -readonly [K in keyof LinkFacts]: LinkFacts[K] } = {};
  if (date) facts.date = date;
  if (endDate) facts.endDate = endDate;
  if (duration !== undefined) facts.duration = duration;
  if (amount !== undefined) {
    facts.amount = amount;
    const currency = first(entity, 'currency');
    if (currency) facts.currency = currency;
  }
  return facts;
}

/**
 * A schema's label for combined links and legends ("Call"), a property link's property label for
 * its qualified name ("Owner" for "Phone:owner"), else the name itself.
 */
export function schemaLabel(schema: string): string {
  return model.schemata[schema]?.label ?? propertyLabel(schema) ?? schema;
}

/** Derives what a chart shows from the case's entities (live and tombstoned alike may be passed). */
export function buildChartElements(
  entities: readonly EntityRecord[],
  chart: Pick<ChartRecord, 'nodes'>,
): ChartViewModel {
  const graph = chartGraph(entities, chart);
  const nodes = graph.nodes.map(chartNodeModel);
  const edges = graph.edges.map(({ entity, source, target }) =>
    relationshipEdge(entity, source, target),
  );
  const links = propertyEdgeModels(graph.nodes.map((n) => n.entity));
  return { nodes, edges: [...edges, ...links] };
}

/** A charted entity as a node of the view model. */
export function chartNodeModel({ entity, view }: ChartGraphNode): ChartNodeModel {
  return {
    id: entity.id,
    label: captionOf(entity.schema, entity.properties),
    schema: entity.schema,
    iconKey: iconKeyFor(entity.schema),
    x: view.x,
    y: view.y,
    ...(view.color !== undefined ? { color: view.color } : {}),
    ...(view.size !== undefined ? { size: view.size } : {}),
  };
}

/** Whether links of a relationship schema have a direction (an arrow). */
export function isDirectedSchema(schema: string): boolean {
  return model.schemata[schema]?.edge?.directed ?? false;
}

/** A relationship between two charted nodes as an edge of the view model. */
export function relationshipEdge(
  entity: EntityRecord,
  source: string,
  target: string,
): ChartEdgeModel {
  const edge: { -readonly [K in keyof ChartEdgeModel]: ChartEdgeModel[K] } = {
    id: entity.id,
    source,
    target,
    schema: entity.schema,
    label: relationshipLabel(entity),
    directed: isDirectedSchema(entity.schema),
  };
  const facts = linkFacts(entity);
  if (facts) edge.facts = facts;
  return edge;
}

/** The property links among charted node entities (propertyEdges.ts) as view-model edges. */
export function propertyEdgeModels(nodes: readonly EntityRecord[]): ChartEdgeModel[] {
  return propertyEdges(nodes).map((edge): ChartEdgeModel => ({
    ...edge,
    directed: true,
    kind: 'property',
  }));
}

/** Node entities of the case that the chart does not show yet, sorted by caption. */
export function entitiesNotOnChart(
  entities: readonly EntityRecord[],
  chart: Pick<ChartRecord, 'nodes'>,
): { id: string; label: string; schema: string }[] {
  return entities
    .filter((e) => !e.deleted && !isEdgeSchema(e.schema) && !(e.id in chart.nodes))
    .map((e) => ({ id: e.id, label: captionOf(e.schema, e.properties), schema: e.schema }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/**
 * A node or edge in the shape Cytoscape's `add()` takes (cytoscapeAdapter.ts hands it over), so
 * the model itself needs no Cytoscape types.
 */
export type ChartElement =
  | {
      readonly group: 'nodes';
      readonly data: { id: string } & Record<string, string | number>;
      readonly position: { x: number; y: number };
      readonly classes?: string;
    }
  | {
      readonly group: 'edges';
      readonly data: {
        id: string;
        source: string;
        target: string;
        schema: string;
        label: string;
        width?: number;
        count?: number;
      };
      readonly classes: string;
    };

export function nodeElement(node: ChartNodeModel): Extract<ChartElement, { group: 'nodes' }> {
  const data: { id: string } & Record<string, string | number> = {
    id: node.id,
    label: node.label,
    schema: node.schema,
    iconKey: node.iconKey,
  };
  if (node.color !== undefined) data.color = node.color;
  if (node.size !== undefined) data.size = node.size;
  if (node.borderColor !== undefined) data.borderColor = node.borderColor;
  if (node.parent !== undefined) data.parent = node.parent;
  return {
    group: 'nodes',
    data,
    position: { x: node.x, y: node.y },
    ...(node.classes ? { classes: node.classes } : {}),
  };
}

export function edgeElement(edge: ChartEdgeModel): Extract<ChartElement, { group: 'edges' }> {
  return {
    group: 'edges',
    data: {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      schema: edge.schema,
      label: edge.label,
      ...(edge.width !== undefined ? { width: edge.width } : {}),
      ...(edge.members ? { count: edge.members.length } : {}),
    },
    classes: edgeClasses(edge),
  };
}

export function edgeClasses(edge: ChartEdgeModel): string {
  return [
    edge.directed ? 'directed' : '',
    edge.kind === 'property' ? 'property-link' : '',
    edge.classes ?? '',
  ]
    .filter(Boolean)
    .join(' ');
}

export function toCytoscapeElements(view: ChartViewModel): ChartElement[] {
  return [...view.nodes.map(nodeElement), ...view.edges.map(edgeElement)];
}

/** Concrete colours for the canvas (Cytoscape cannot read CSS custom properties). */
export interface ChartTheme {
  readonly dark: boolean;
  readonly bg: string;
  readonly fg: string;
  readonly fgMuted: string;
  readonly accent: string;
  readonly edge: string;
}

export const LIGHT_CHART_THEME: ChartTheme = {
  dark: false,
  bg: '#ffffff',
  fg: '#1f2937',
  fgMuted: '#6b7280',
  accent: '#2563eb',
  edge: '#94a3b8',
};

export const DARK_CHART_THEME: ChartTheme = {
  dark: true,
  bg: '#111827',
  fg: '#e5e7eb',
  fgMuted: '#9ca3af',
  accent: '#60a5fa',
  edge: '#64748b',
};

export interface ChartStyleBlock {
  readonly selector: string;
  readonly style: Readonly<Record<string, string | number>>;
}

/** Nodes plus edges above which a chart switches to the performance settings (see bigChart.ts). */
export const BIG_CHART_ELEMENTS = 2000;

export function isBigChart(view: ChartViewModel): boolean {
  return view.nodes.length + view.edges.length > BIG_CHART_ELEMENTS;
}

/** How many single links `view` draws or stands for (a combined link counts its members). */
export function linkCount(view: ChartViewModel): number {
  let count = 0;
  for (const edge of view.edges) count += edge.members?.length ?? 1;
  return count;
}

/**
 * `big`: the performance style for charts over BIG_CHART_ELEMENTS: no icons, no label
 * backgrounds, straight (haystack) edges without labels, and labels only once zoomed in far enough
 * to read them (min-zoomed-font-size).
 */
export function buildChartStylesheet(theme: ChartTheme, big = false): ChartStyleBlock[] {
  const sheet: ChartStyleBlock[] = [
    {
      selector: 'node',
      style: {
        width: 40,
        height: 40,
        shape: 'ellipse',
        'background-color': CHART_ICONS.Thing.color,
        'background-fit': 'none',
        'background-width': '62%',
        'background-height': '62%',
        'border-width': 2,
        'border-color': theme.bg,
        label: 'data(label)',
        color: theme.fg,
        'font-size': 11,
        'text-valign': 'bottom',
        'text-halign': 'center',
        'text-margin-y': 4,
        'text-wrap': 'ellipsis',
        'text-max-width': '140px',
        'text-background-color': theme.bg,
        'text-background-opacity': 0.8,
        'text-background-padding': '2px',
        'text-background-shape': 'roundrectangle',
      },
    },
  ];
  for (const [key, icon] of Object.entries(CHART_ICONS)) {
    sheet.push({
      selector: `node[iconKey = "${key}"]`,
      style: big
        ? { 'background-color': icon.color }
        : { 'background-color': icon.color, 'background-image': iconDataUri(key) },
    });
  }
  sheet.push(
    { selector: 'node[color]', style: { 'background-color': 'data(color)' } },
    { selector: 'node[size]', style: { width: 'data(size)', height: 'data(size)' } },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'curve-style': 'bezier',
        'line-color': theme.edge,
        'target-arrow-color': theme.edge,
        'target-arrow-shape': 'none',
        label: 'data(label)',
        color: theme.fgMuted,
        'font-size': 9,
        'text-wrap': 'wrap',
        // Level text reads at any angle, and its box is the one the label layout reserves.
        'text-rotation': 'none',
        'text-background-color': theme.bg,
        'text-background-opacity': 0.85,
        'text-background-padding': '1px',
      },
    },
    { selector: 'edge.directed', style: { 'target-arrow-shape': 'triangle' } },
    // Property links (a phone's owner) are facts about one entity, not relationship records.
    {
      selector: 'edge.property-link',
      style: {
        'line-style': 'dashed',
        'target-arrow-shape': 'vee',
        'font-style': 'italic',
      },
    },
    { selector: 'edge[width]', style: { width: 'data(width)', 'arrow-scale': 0.6 } },
    { selector: 'edge.chart-bundle', style: { color: theme.fg, 'font-weight': 'bold' } },
    {
      selector: 'node:selected',
      style: { 'border-width': 4, 'border-color': theme.accent, 'font-weight': 'bold' },
    },
    {
      selector: 'edge:selected',
      style: {
        width: 3,
        'line-color': theme.accent,
        'target-arrow-color': theme.accent,
        color: theme.fg,
      },
    },
    {
      selector: 'node.chart-link-source, node.chart-link-target',
      style: { 'border-width': 4, 'border-color': theme.accent, 'border-style': 'dashed' },
    },
    {
      selector: 'node[borderColor]',
      style: { 'border-width': 4, 'border-color': 'data(borderColor)' },
    },
    {
      selector: 'node.chart-group',
      style: {
        shape: 'round-rectangle',
        'background-color': theme.fgMuted,
        'background-opacity': 0.08,
        'background-image': 'none',
        'border-width': 1,
        'border-style': 'dashed',
        'border-color': theme.fgMuted,
        'text-valign': 'top',
        'text-margin-y': -4,
        'font-weight': 'bold',
        padding: '16px',
      },
    },
    { selector: '.analysis-dim', style: { opacity: 0.25 } },
    // Level of detail (labelLevels.ts): labels that would collide or be unreadable at this zoom.
    { selector: '.label-hidden', style: { label: '' } },
    {
      selector: 'node.analysis-path',
      style: { 'border-width': 5, 'border-color': ANALYSIS_HIGHLIGHT, opacity: 1 },
    },
    {
      selector: 'edge.analysis-path',
      style: {
        width: 5,
        'line-color': ANALYSIS_HIGHLIGHT,
        'target-arrow-color': ANALYSIS_HIGHLIGHT,
        opacity: 1,
        'z-index': 10,
      },
    },
  );
  if (big) {
    sheet.push(
      {
        selector: 'node',
        style: {
          'border-width': 0,
          'min-zoomed-font-size': 14,
          'text-background-opacity': 0,
          'text-wrap': 'none',
        },
      },
      { selector: 'node[borderColor]', style: { 'border-width': 4 } },
      {
        selector: 'edge',
        style: { 'curve-style': 'haystack', label: '', width: 1, 'target-arrow-shape': 'none' },
      },
      { selector: 'edge.analysis-path', style: { width: 5 } },
      { selector: 'node:selected', style: { 'border-width': 4, 'border-color': theme.accent } },
    );
  }
  return sheet;
}

/** Colour of analysis highlights (paths): one fixed colour reads on both themes. */
export const ANALYSIS_HIGHLIGHT = '#f59e0b';

/**
 * `previous` (the view model of `entities` and a chart whose node map was `before`) for the same
 * entities and the node map `after`, when the two maps hold the same entities and differ only in
 * where and how some nodes are drawn (a drag saved): those node models are rebuilt and every edge
 * is kept, rather than building the whole model again (at 50,000 nodes and 100,000 links that
 * rebuild held the page for a long frame after every drag). Undefined when nodes came or went.
 *
 * `moved`, when the caller knows it (liveChart's chain, db/chartNodes.ts `nodesMovedBetween`):
 * the maps have the same keys and only these ids may differ, so only they are compared (two
 * for-in passes over a 50,000-key map were most of the drag's frame).
 */
export function withNodeViews(
  previous: ChartViewModel,
  before: ChartRecord['nodes'],
  after: ChartRecord['nodes'],
  moved?: ReadonlySet<string>,
): ChartViewModel | undefined {
  if (before === after) return previous;
  type NodeView = ChartRecord['nodes'][string];
  const changed = new Map<string, NodeView>();
  const compare = (id: string, was: NodeView, now: NodeView) => {
    if (was === now) return;
    if (was.x !== now.x || was.y !== now.y || was.color !== now.color || was.size !== now.size) {
      changed.set(id, now);
    }
  };
  if (moved) {
    for (const id of moved) {
      const was = before[id];
      const now = after[id];
      if (was === undefined || now === undefined) {
        if (was !== now) return undefined;
        continue;
      }
      compare(id, was, now);
    }
  } else {
    let count = 0;
    for (const id in after) {
      count++;
      const was = before[id];
      if (was === undefined) return undefined;
      compare(id, was, after[id]!);
    }
    let beforeCount = 0;
    for (const id in before) if (id) beforeCount++;
    if (beforeCount !== count) return undefined;
  }
  if (changed.size === 0) return previous;
  const nodes = previous.nodes.map((node) => {
    const view = changed.get(node.id);
    if (!view) return node;
    const { x: _x, y: _y, color: _color, size: _size, ...rest } = node;
    return {
      ...rest,
      x: view.x,
      y: view.y,
      ...(view.color !== undefined ? { color: view.color } : {}),
      ...(view.size !== undefined ? { size: view.size } : {}),
    };
  });
  return { nodes, edges: previous.edges };
}
