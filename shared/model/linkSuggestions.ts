/**
 * Which ways of linking an entity of type `from` to one of type `to` the model allows, best first
 * (issue 12: Person → Phone offered only "Unknown link", in the model's alphabet order).
 *
 * Two kinds of link are offered, both read from the FollowTheMoney model rather than a hand list:
 * - a relationship: an edge schema (EDGE_SCHEMATA) whose source range admits `from` and whose
 *   target range admits `to` (Ownership: LegalEntity → Asset);
 * - a property link: an entity-typed property of one end whose range admits the other end (a
 *   phone's `owner`, a vehicle's `owner` or `operator`, a passport's `holder`). Only properties the
 *   model features for that schema or defines on the schema itself are offered; the ones every
 *   Thing inherits (source document, address, parent company) are left to the entity form.
 *
 * Ranking: each candidate costs how far the two entities' types are from the types it was made
 * for, counted in `extends` steps (Person → LegalEntity is 1, Person → Thing is 2). A relationship
 * costs the steps from `from` to its source range plus the steps from `to` to its target range; a
 * property link costs the steps from the holder to the schema that declares the property plus the
 * steps from the other end to the property's range. Lowest cost first, so Employment (Person →
 * Organization: 0 + 1) comes before Directorship (LegalEntity → Organization: 1 + 1) and the
 * catch-all Unknown link (Thing → Thing) comes last. Ties: property links first (they are specific
 * to one schema), then relationships in EDGE_SCHEMATA order.
 */
import type { Schema } from '@alephdata/followthemoney';
import { EDGE_SCHEMATA, edgeEndRange, getSchema, isKnownSchema } from './schema.ts';

/** `extends` steps from `schema` up to `ancestor`; Infinity when `schema` is not an `ancestor`. */
export function schemaDistance(schema: Schema, ancestor: Schema): number {
  let frontier = [schema];
  const seen = new Set<string>();
  for (let steps = 0; frontier.length > 0; steps++) {
    const next: Schema[] = [];
    for (const item of frontier) {
      if (item.name === ancestor.name) return steps;
      if (seen.has(item.name)) continue;
      seen.add(item.name);
      next.push(...item.getExtends());
    }
    frontier = next;
  }
  return Infinity;
}

export interface RelationshipSuggestion {
  readonly kind: 'relationship';
  /** The edge schema to create, from `from` (its source) to `to` (its target). */
  readonly schema: string;
  readonly label: string;
  readonly cost: number;
}

export interface PropertySuggestion {
  readonly kind: 'property';
  /** Which end holds the property; the other end's id becomes one of its values. */
  readonly holder: 'from' | 'to';
  /** The holder's schema and the property's name on it (`Phone`, `owner`). */
  readonly schema: string;
  readonly property: string;
  /** "Phone: Owner". */
  readonly label: string;
  readonly cost: number;
}

export type LinkSuggestion = RelationshipSuggestion | PropertySuggestion;

/** The entity properties of `holder` offered as links (see the file comment). */
function linkProperties(holder: Schema) {
  const featured = new Set(holder.featured);
  return [...holder.getProperties().values()].filter(
    (property) =>
      property.type.isEntity &&
      !property.stub &&
      !property.hidden &&
      !property.deprecated &&
      (featured.has(property.name) || property.schema.name === holder.name),
  );
}

function propertySuggestions(
  holder: Schema,
  other: Schema,
  side: 'from' | 'to',
): PropertySuggestion[] {
  const out: PropertySuggestion[] = [];
  for (const property of linkProperties(holder)) {
    const toRange = schemaDistance(other, property.getRange());
    if (toRange === Infinity) continue;
    out.push({
      kind: 'property',
      holder: side,
      schema: holder.name,
      property: property.name,
      label: `${holder.label}: ${property.label}`,
      cost: schemaDistance(holder, property.schema) + toRange,
    });
  }
  return out;
}

/** Per pair of schemata: the model is fixed, and a link dialog asks once per entity of a case. */
const cache = new Map<string, readonly LinkSuggestion[]>();

/** Every way the model allows to link a `from` entity to a `to` entity, best first. */
export function linkSuggestions(from: string, to: string): readonly LinkSuggestion[] {
  const key = JSON.stringify([from, to]);
  let found = cache.get(key);
  if (!found) {
    found = computeSuggestions(from, to);
    cache.set(key, found);
  }
  return found;
}

function computeSuggestions(from: string, to: string): LinkSuggestion[] {
  if (!isKnownSchema(from) || !isKnownSchema(to)) return [];
  const source = getSchema(from);
  const target = getSchema(to);
  const relationships: RelationshipSuggestion[] = [];
  for (const name of EDGE_SCHEMATA) {
    const cost =
      schemaDistance(source, edgeEndRange(name, 'source')) +
      schemaDistance(target, edgeEndRange(name, 'target'));
    if (cost !== Infinity) {
      relationships.push({
        kind: 'relationship',
        schema: name,
        label: getSchema(name).label,
        cost,
      });
    }
  }
  const properties = [
    ...propertySuggestions(target, source, 'to'),
    ...(from === to ? [] : propertySuggestions(source, target, 'from')),
  ];
  // Array.prototype.sort is stable: equal costs keep properties first, then EDGE_SCHEMATA order.
  return [...properties, ...relationships].sort((a, b) => a.cost - b.cost);
}

/** The relationship types between `from` and `to`, best first (linkSuggestions' relationships). */
export function rankedEdgeSchemata(from: string, to: string): string[] {
  return linkSuggestions(from, to).flatMap((s) => (s.kind === 'relationship' ? [s.schema] : []));
}

/** Whether any relationship or property can join the two types, in either direction. */
export function canLink(a: string, b: string): boolean {
  return linkSuggestions(a, b).length > 0 || linkSuggestions(b, a).length > 0;
}
