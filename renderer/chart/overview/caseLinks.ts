/**
 * A case's relationships as columns of numbers (issue 13: the chart of a million-record call
 * case). Placing the phones busiest first (activityOrder.ts) and combining the calls of each pair
 * into one link (combinedElements.ts) both need, per relationship, its two ends and, for the
 * combined link, its date, duration and amount. Read from the records, that is a walk over a
 * million objects scattered over a gigabyte of heap, with two look-ups of 26-character ids per
 * record; done by each of them, it was paid twice for one "Add all", and again for every rebuild
 * (a bundle expanded, a width mode switched).
 *
 * So the walk is done once per entity list and its result kept beside the list (a WeakMap: the
 * case store publishes a new list whenever its contents change and never mutates one, see
 * renderer/db/caseStore.ts): the node entities are numbered once (the ids interned), and each
 * relationship becomes a row of typed columns (its record's index, both ends' node numbers, its
 * schema's number, its duration) plus references to its date strings. Everything after the walk
 * loops over these columns, allocates nothing per record and never touches a record again,
 * except to make the edge model of a link drawn on its own.
 *
 * Rows: every relationship that is not a tombstone and names both ends (the first value of its
 * schema's edge properties), in the list's order. Ends are numbered by id: the node entities
 * first (0 … nodes.length - 1), then any other id an end names (a deleted or missing entity,
 * none in a case the store holds), so equal numbers are equal ids. A relationship with an end
 * past the nodes is never drawn, but its other end still counts as activity.
 */
import type { EntityRecord } from '../../../shared/model/index.ts';
import { isEdgeSchema, model } from '../../../shared/model/index.ts';
import { finiteNumber } from '../chartModel.ts';

/** The relationships of one entity list as columns (see the file's comment). */
export interface CaseLinks {
  /** The node entities (not tombstones, not relationships), in the list's order. */
  readonly nodes: readonly EntityRecord[];
  /** Id → index in `nodes` (for a repeated id, its last live copy). */
  readonly nodeNumber: ReadonlyMap<string, number>;
  /** Ids that ends name but no node entity has → their numbers (from `nodes.length` on). */
  readonly otherEnds: ReadonlyMap<string, number>;
  /** Number of relationship rows. */
  readonly size: number;
  /** Per row: the record's index in the list. */
  readonly record: Int32Array;
  /** Per row: the record's id (a combined link lists its members' ids). */
  readonly id: readonly string[];
  /** Per row: the numbers of its source and target ends (see the file's comment). */
  readonly source: Int32Array;
  readonly target: Int32Array;
  /** Per row: index into `schemata`. */
  readonly schema: Uint16Array;
  /** Relationship schema names met, by number. */
  readonly schemata: readonly string[];
  /** Per row: the duration read as linkFacts reads it (NaN: none). */
  readonly duration: Float64Array;
  /** Per row: `date`, else `startDate` (first values). */
  readonly date: readonly (string | undefined)[];
  /** Per row: `endDate`; undefined while no row has one. */
  readonly endDate: readonly (string | undefined)[] | undefined;
  /** Per row: the amount (NaN: none); undefined while no row has one. */
  readonly amount: Float64Array | undefined;
  /** Per row: the currency of an amount ('' for none); set where `amount` is. */
  readonly currency: readonly string[] | undefined;
}

const cache = new WeakMap<readonly EntityRecord[], CaseLinks>();

/**
 * The columns of `entities`, made on first use and kept while the list lives. The list must not
 * change afterwards (the case store's lists never do).
 */
export function caseLinks(entities: readonly EntityRecord[]): CaseLinks {
  let links = cache.get(entities);
  if (!links) {
    links = readCaseLinks(entities);
    cache.set(entities, links);
  }
  return links;
}

/** The relationship ends of a schema (null: not a relationship schema). */
type Ends = { readonly source: string; readonly target: string; readonly number: number } | null;

/** One walk over `entities` into columns (not kept: caseLinks keeps it). */
export function readCaseLinks(entities: readonly EntityRecord[]): CaseLinks {
  const nodes: EntityRecord[] = [];
  const nodeNumber = new Map<string, number>();
  for (const entity of entities) {
    if (entity.deleted || isEdgeSchema(entity.schema)) continue;
    const known = nodeNumber.get(entity.id);
    if (known !== undefined) nodes[known] = entity;
    else {
      nodeNumber.set(entity.id, nodes.length);
      nodes.push(entity);
    }
  }
  const rows = entities.length - nodes.length;
  const record = new Int32Array(rows);
  const source = new Int32Array(rows);
  const target = new Int32Array(rows);
  const schema = new Uint16Array(rows);
  const duration = new Float64Array(rows);
  const id: string[] = [];
  const date: (string | undefined)[] = [];
  let endDate: (string | undefined)[] | undefined;
  let amount: Float64Array | undefined;
  let currency: string[] | undefined;
  const schemata: string[] = [];
  const endsOf = new Map<string, Ends>();
  const otherEnds = new Map<string, number>();
  const endNumber = (id: string): number => {
    const n = nodeNumber.get(id) ?? otherEnds.get(id);
    if (n !== undefined) return n;
    otherEnds.set(id, nodes.length + otherEnds.size);
    return nodes.length + otherEnds.size - 1;
  };
  let size = 0;
  for (let i = 0; i < entities.length; i++) {
    const entity = entities[i]!;
    if (entity.deleted) continue;
    let ends = endsOf.get(entity.schema);
    if (ends === undefined) {
      const edge = isEdgeSchema(entity.schema) ? model.schemata[entity.schema]?.edge : undefined;
      ends = edge ? { source: edge.source, target: edge.target, number: schemata.length } : null;
      if (ends) schemata.push(entity.schema);
      endsOf.set(entity.schema, ends);
    }
    if (ends === null) continue;
    const properties = entity.properties;
    const from = properties[ends.source]?.[0];
    const to = properties[ends.target]?.[0];
    if (!from || !to) continue;
    const k = size++;
    record[k] = i;
    id.push(entity.id);
    source[k] = endNumber(from);
    target[k] = endNumber(to);
    schema[k] = ends.number;
    // The facts as linkFacts reads them (chartModel.ts).
    duration[k] = finiteNumber(properties['duration']?.[0]) ?? NaN;
    date.push(properties['date']?.[0] ?? properties['startDate']?.[0]);
    const end = properties['endDate']?.[0];
    if (end !== undefined) (endDate ??= new Array<string | undefined>(rows))[k] = end;
    const value = finiteNumber(properties['amount']?.[0]);
    if (value !== undefined) {
      (amount ??= new Float64Array(rows).fill(NaN))[k] = value;
      (currency ??= new Array<string>(rows))[k] = properties['currency']?.[0] || '';
    }
  }
  return {
    nodes,
    nodeNumber,
    otherEnds,
    size,
    record,
    id,
    source,
    target,
    schema,
    schemata,
    duration,
    date,
    endDate,
    amount,
    currency,
  };
}
