/**
 * The case chart (issue 12: "a new case has a chart from the start and new entities appear on
 * it"). Every case made in Tessera starts with one chart; a case's case chart is its oldest chart
 * still there, so deleting it hands the role to the next one and a case that never had a chart
 * has none. A new node entity recorded in the case is placed on it at a free spot, in the same
 * change that records the entity (one undo step), near an entity it refers to when that one is on
 * the chart (a phone near its owner), else near the middle of the chart.
 *
 * Pure: the repository (renderer/db) and the chart (renderer/chart) both use it.
 */
import type { ChartNodeView, ChartRecord, EntityRecord } from './records.ts';
import { compareHlc } from './hlc.ts';
import { isEdgeSchema, model } from './schema.ts';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** The name of the chart a new case starts with. */
export const CASE_CHART_NAME = 'Case chart';

/**
 * Imported cases get a case chart of all their entities only up to this many node entities: above
 * it an automatic chart is a hairball that takes long to lay out; the analyst builds one instead.
 */
export const CASE_CHART_IMPORT_LIMIT = 500;

/** The case chart among a case's charts: the oldest live one (createdAt is an HLC). */
export function caseChartOf<T extends Pick<ChartRecord, 'createdAt' | 'deleted'>>(
  charts: readonly T[],
): T | undefined {
  let oldest: T | undefined;
  for (const chart of charts) {
    if (chart.deleted) continue;
    if (!oldest || compareHlc(chart.createdAt, oldest.createdAt) < 0) oldest = chart;
  }
  return oldest;
}

/** Grid spacing for new nodes: node diameter plus room for a label. */
export const PLACEMENT_SPACING = 110;

/**
 * Positions for `ids` near `anchor`, on a square spiral of grid cells, skipping cells that an
 * existing node occupies. Deterministic, O(existing + placed · probes).
 */
export function placeNewNodes(
  existing: Iterable<Point>,
  ids: readonly string[],
  anchor: Point,
  spacing = PLACEMENT_SPACING,
): Record<string, Point> {
  const cellOf = (x: number, y: number): string =>
    `${Math.round((x - anchor.x) / spacing)},${Math.round((y - anchor.y) / spacing)}`;
  const occupied = new Set<string>();
  for (const p of existing) occupied.add(cellOf(p.x, p.y));
  const result: Record<string, Point> = {};
  const spiral = squareSpiral();
  for (const id of ids) {
    for (;;) {
      const [i, j] = spiral.next().value;
      const key = `${i},${j}`;
      if (occupied.has(key)) continue;
      occupied.add(key);
      result[id] = { x: anchor.x + i * spacing, y: anchor.y + j * spacing };
      break;
    }
  }
  return result;
}

function* squareSpiral(): Generator<[number, number], never> {
  yield [0, 0];
  for (let ring = 1; ; ring++) {
    for (let j = -ring; j <= ring; j++) yield [ring, j];
    for (let i = ring - 1; i >= -ring; i--) yield [i, ring];
    for (let j = ring - 1; j >= -ring; j--) yield [-ring, j];
    for (let i = -ring + 1; i <= ring - 1; i++) yield [i, -ring];
  }
}

/** The middle of the nodes' bounding box, or the origin for an empty chart. */
function middle(nodes: readonly Point[]): Point {
  if (nodes.length === 0) return { x: 0, y: 0 };
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const { x, y } of nodes) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  return { x: Math.round((minX + maxX) / 2), y: Math.round((minY + maxY) / 2) };
}

/** An entity this one refers to through an entity property and that the chart shows. */
function chartedReference(
  entity: Pick<EntityRecord, 'schema' | 'properties'>,
  nodes: Readonly<Record<string, ChartNodeView>>,
): ChartNodeView | undefined {
  const properties = model.schemata[entity.schema]?.getProperties();
  for (const [name, values] of Object.entries(entity.properties)) {
    if (!properties?.get(name)?.type.isEntity) continue;
    for (const value of values) {
      const node = nodes[value];
      if (node) return node;
    }
  }
  return undefined;
}

/**
 * The case chart's nodes with `entity` added at a free spot, or undefined when it does not belong
 * there: a relationship (drawn as a link once both ends are on the chart) or one already shown.
 */
export function withEntityPlaced(
  nodes: Readonly<Record<string, ChartNodeView>>,
  entity: Pick<EntityRecord, 'id' | 'schema' | 'properties'>,
): Record<string, ChartNodeView> | undefined {
  if (isEdgeSchema(entity.schema) || entity.id in nodes) return undefined;
  const existing = Object.values(nodes);
  const anchor = chartedReference(entity, nodes) ?? middle(existing);
  const placed = placeNewNodes(existing, [entity.id], anchor);
  return { ...nodes, ...placed };
}

/**
 * Nodes for a case chart of `entities` laid on a grid (an imported case), or undefined when the
 * case has more node entities than CASE_CHART_IMPORT_LIMIT.
 */
export function caseChartNodes(
  entities: readonly Pick<EntityRecord, 'id' | 'schema' | 'deleted'>[],
): Record<string, ChartNodeView> | undefined {
  const ids = entities.filter((e) => !e.deleted && !isEdgeSchema(e.schema)).map((e) => e.id);
  if (ids.length > CASE_CHART_IMPORT_LIMIT) return undefined;
  const side = Math.max(1, Math.ceil(Math.sqrt(ids.length)));
  const nodes: Record<string, ChartNodeView> = {};
  ids.forEach((id, index) => {
    nodes[id] = {
      x: (index % side) * PLACEMENT_SPACING,
      y: Math.floor(index / side) * PLACEMENT_SPACING,
    };
  });
  return nodes;
}
