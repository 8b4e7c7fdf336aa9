/**
 * What the chart shows on top of the saved record, without changing it: type filters (legend),
 * a time-range filter from the timeline (visibleEntityIds), conditional-formatting rules, grouping
 * into compound nodes, and analysis highlights. `applyOverlay` turns the plain view model into the
 * one drawn; it is pure, so it is tested without a browser.
 *
 * Visibility: a node shows when its type is not hidden and (with visibleEntityIds) its id is in
 * the set; an edge shows when both ends show, its type is not hidden and (with visibleEntityIds)
 * its own id is in the set.
 *
 * Grouping: 'organisation' puts every member, director or employee of an organisation on the chart
 * into a box with the organisation (the first such link wins, as a node has one parent);
 * 'country' boxes nodes by their first country / jurisdiction / nationality value.
 */
import type { ChartHighlight } from '../../shared/model/chartGraph.ts';
import type { EntityRecord } from '../../shared/model/index.ts';
import type { ChartEdgeModel, ChartNodeModel, ChartViewModel } from './chartModel.ts';

export type ChartGrouping = 'none' | 'organisation' | 'country';

export type RuleCondition =
  | { readonly kind: 'type'; readonly schema: string }
  | {
      readonly kind: 'property';
      readonly property: string;
      readonly op: 'has' | 'equals' | 'contains';
      readonly value?: string;
    };

export interface FormatRule {
  readonly id: string;
  readonly when: RuleCondition;
  readonly color?: string;
  readonly size?: number;
  readonly borderColor?: string;
}

export interface ChartOverlay {
  readonly hiddenSchemata?: ReadonlySet<string>;
  readonly visibleEntityIds?: ReadonlySet<string>;
  readonly grouping?: ChartGrouping;
  readonly rules?: readonly FormatRule[];
  readonly highlight?: ChartHighlight;
}

/** Relationship types whose target is an organisation its source belongs to. */
export const MEMBERSHIP_SCHEMATA = new Set(['Membership', 'Directorship', 'Employment']);
const COUNTRY_PROPERTIES = ['country', 'jurisdiction', 'nationality'];
export const GROUP_PREFIX = 'chart-group:';

export function ruleMatches(condition: RuleCondition, entity: EntityRecord): boolean {
  if (condition.kind === 'type') return entity.schema === condition.schema;
  const values = entity.properties[condition.property] ?? [];
  if (condition.op === 'has') return values.length > 0;
  const wanted = (condition.value ?? '').trim().toLowerCase();
  if (condition.op === 'equals') return values.some((v) => v.trim().toLowerCase() === wanted);
  return wanted !== '' && values.some((v) => v.toLowerCase().includes(wanted));
}

/** Later rules win over earlier ones, property by property. */
function formatNode(
  node: ChartNodeModel,
  entity: EntityRecord | undefined,
  rules: readonly FormatRule[],
): ChartNodeModel {
  if (!entity || rules.length === 0) return node;
  let next = node;
  for (const rule of rules) {
    if (!ruleMatches(rule.when, entity)) continue;
    next = {
      ...next,
      ...(rule.color !== undefined ? { color: rule.color } : {}),
      ...(rule.size !== undefined ? { size: rule.size } : {}),
      ...(rule.borderColor !== undefined ? { borderColor: rule.borderColor } : {}),
    };
  }
  return next;
}

function groupKeys(
  grouping: ChartGrouping,
  nodes: readonly ChartNodeModel[],
  edges: readonly ChartEdgeModel[],
  byId: ReadonlyMap<string, EntityRecord>,
): Map<string, { key: string; label: string }> {
  const result = new Map<string, { key: string; label: string }>();
  if (grouping === 'country') {
    for (const node of nodes) {
      const entity = byId.get(node.id);
      const code = COUNTRY_PROPERTIES.map((p) => entity?.properties[p]?.[0]).find(Boolean);
      if (code) result.set(node.id, { key: `country:${code}`, label: code.toUpperCase() });
    }
  } else if (grouping === 'organisation') {
    const labels = new Map(nodes.map((n) => [n.id, n.label]));
    for (const edge of edges) {
      if (!MEMBERSHIP_SCHEMATA.has(edge.schema)) continue;
      const org = edge.target;
      const key = `org:${org}`;
      const label = labels.get(org) ?? org;
      if (!result.has(org)) result.set(org, { key, label });
      if (!result.has(edge.source)) result.set(edge.source, { key, label });
    }
  }
  return result;
}

/**
 * Whether the overlay acts on links one by one (hides some, dims or highlights them, or groups by
 * membership links), so it must see them before parallel links are combined. Formatting rules
 * act on nodes only.
 */
export function overlayTouchesLinks(overlay: ChartOverlay | undefined): boolean {
  if (!overlay) return false;
  const { hiddenSchemata, visibleEntityIds, grouping = 'none', highlight } = overlay;
  return (
    (hiddenSchemata !== undefined && hiddenSchemata.size > 0) ||
    visibleEntityIds !== undefined ||
    grouping !== 'none' ||
    (highlight !== undefined && (highlight.nodes.size > 0 || highlight.edges.size > 0))
  );
}

/**
 * Whether `overlay` hides, formats, groups or dims anything. One that does not leaves the view
 * as it is (the same object): a saved drag on a 50,000-node chart then copies no node or edge
 * list, and the entity look-up the rules and grouping need is not built.
 */
export function overlayChangesView(overlay: ChartOverlay | undefined): overlay is ChartOverlay {
  if (!overlay) return false;
  const { hiddenSchemata, visibleEntityIds, grouping = 'none', rules = [], highlight } = overlay;
  return (
    (hiddenSchemata?.size ?? 0) > 0 ||
    visibleEntityIds !== undefined ||
    grouping !== 'none' ||
    rules.length > 0 ||
    (highlight !== undefined && (highlight.nodes.size > 0 || highlight.edges.size > 0))
  );
}

export function applyOverlay(
  view: ChartViewModel,
  entities: ReadonlyMap<string, EntityRecord>,
  overlay: ChartOverlay | undefined,
): ChartViewModel {
  if (!overlayChangesView(overlay)) return view;
  const { hiddenSchemata, visibleEntityIds, grouping = 'none', rules = [], highlight } = overlay;
  const dim = highlight !== undefined && (highlight.nodes.size > 0 || highlight.edges.size > 0);
  const visible = (id: string, schema: string): boolean =>
    !hiddenSchemata?.has(schema) && (!visibleEntityIds || visibleEntityIds.has(id));

  let nodes = view.nodes.filter((n) => visible(n.id, n.schema));
  const shown = new Set(nodes.map((n) => n.id));
  const edges = view.edges
    .filter(
      (e) =>
        // A property link is no record of its own: it shows while both its ends do.
        (e.kind === 'property' ? !hiddenSchemata?.has(e.schema) : visible(e.id, e.schema)) &&
        shown.has(e.source) &&
        shown.has(e.target),
    )
    .map((edge): ChartEdgeModel => {
      if (!dim) return edge;
      return { ...edge, classes: highlight.edges.has(edge.id) ? 'analysis-path' : 'analysis-dim' };
    });

  const groups = grouping === 'none' ? undefined : groupKeys(grouping, nodes, edges, entities);
  const groupNodes = new Map<string, ChartNodeModel>();
  nodes = nodes.map((node) => {
    let next = formatNode(node, entities.get(node.id), rules);
    if (dim) {
      next = { ...next, classes: highlight.nodes.has(node.id) ? 'analysis-path' : 'analysis-dim' };
    }
    const group = groups?.get(node.id);
    if (group) {
      const id = GROUP_PREFIX + group.key;
      if (!groupNodes.has(id)) {
        groupNodes.set(id, {
          id,
          label: group.label,
          schema: 'Group',
          iconKey: 'Group',
          x: 0,
          y: 0,
          classes: 'chart-group',
        });
      }
      next = { ...next, parent: id };
    }
    return next;
  });
  return { nodes: [...groupNodes.values(), ...nodes], edges };
}

/** Entity nodes only (group boxes left out). */
export function entityNodeCount(view: ChartViewModel): number {
  return view.nodes.filter((n) => !n.id.startsWith(GROUP_PREFIX)).length;
}

export interface TypeCount {
  readonly schema: string;
  readonly count: number;
  readonly edge: boolean;
}

/** The entity and relationship types a view shows, with counts, for the legend. */
export function typeCounts(view: ChartViewModel): TypeCount[] {
  const nodes = new Map<string, number>();
  const edges = new Map<string, number>();
  for (const n of view.nodes) nodes.set(n.schema, (nodes.get(n.schema) ?? 0) + 1);
  // A combined link counts the relationships it stands for, so counts do not depend on combining.
  for (const e of view.edges)
    edges.set(e.schema, (edges.get(e.schema) ?? 0) + (e.members?.length ?? 1));
  const list = (map: Map<string, number>, edge: boolean) =>
    [...map].map(([schema, count]) => ({ schema, count, edge })).sort((a, b) => b.count - a.count);
  return [...list(nodes, false), ...list(edges, true)];
}

/** The view a chart's rules are stored under; one entry per chart, deleted with the case. */
export function chartRulesView(chartId: string): string {
  return `chart-rules:${chartId}`;
}

/** Where older builds kept a chart's rules (plaintext); read once to move them. */
export function legacyChartRulesKey(chartId: string): string {
  return `tessera.chartRules.${chartId}`;
}

/**
 * Rules are kept per chart in the encrypted store as a view state (useChartRules.ts; the chart
 * record's schema stays as it is). What is read back is parsed, not trusted: anything that is not
 * a rule is dropped.
 */
export function restoreRules(value: unknown): FormatRule[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (r): r is FormatRule =>
      typeof r === 'object' &&
      r !== null &&
      typeof (r as FormatRule).id === 'string' &&
      typeof (r as FormatRule).when === 'object' &&
      (r as FormatRule).when !== null,
  );
}
