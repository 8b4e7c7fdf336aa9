/**
 * The order in which "Add all" places a crowd of new nodes (issue 13: a million-record call case,
 * 20,000 phones at once). The chart places new nodes on a square spiral around the centre of the
 * view, in the order given (placeNewNodes); in caption order the busy phones land anywhere and the
 * overview is an even haze of lines. Busiest first puts the phones with the most calls in the
 * middle and the ones with a single call at the rim, so at first sight the heavy pairs, which run
 * between busy phones, form a core that reads, without waiting for a layout.
 *
 * Activity is the number of live relationships an entity is an end of (calls made and received),
 * counted in one pass over the records; ties keep the given order.
 */
import type { EntityRecord } from '../../../shared/model/index.ts';
import { isEdgeSchema, model } from '../../../shared/model/index.ts';

/**
 * Adds of fewer nodes keep their order: a pass over every record of a big case is not worth it
 * for a handful of nodes placed next to each other anyway.
 */
export const ACTIVITY_ORDER_MIN = 50;

/** The order to place `ids` in: busiest first for a crowd, as given for a few. */
export function placementOrder(
  entities: readonly EntityRecord[],
  ids: readonly string[],
): readonly string[] {
  return ids.length < ACTIVITY_ORDER_MIN ? ids : byActivity(entities, ids);
}

/** `ids` sorted by how many live relationships each is an end of, most first (stable). */
export function byActivity(entities: readonly EntityRecord[], ids: readonly string[]): string[] {
  if (ids.length < 2) return [...ids];
  const index = new Map<string, number>();
  ids.forEach((id, i) => {
    if (!index.has(id)) index.set(id, i);
  });
  const activity = new Float64Array(ids.length);
  const ends = new Map<string, { source: string; target: string } | null>();
  for (const entity of entities) {
    if (entity.deleted) continue;
    let edge = ends.get(entity.schema);
    if (edge === undefined) {
      edge = isEdgeSchema(entity.schema) ? (model.schemata[entity.schema]?.edge ?? null) : null;
      ends.set(entity.schema, edge);
    }
    if (edge === null) continue;
    const source = entity.properties[edge.source]?.[0];
    const target = entity.properties[edge.target]?.[0];
    if (!source || !target) continue;
    const a = index.get(source);
    if (a !== undefined) activity[a]!++;
    const b = index.get(target);
    if (b !== undefined && target !== source) activity[b]!++;
  }
  const order = Array.from(ids, (_, i) => i);
  order.sort((a, b) => activity[b]! - activity[a]! || a - b);
  return order.map((i) => ids[i]!);
}
