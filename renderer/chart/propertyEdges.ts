/**
 * Property links (issue 12): an entity property that refers to another entity (a phone's owner, a
 * vehicle's operator, a passport's holder: FtM's entity-typed properties) is drawn as a link
 * between the two, so setting the property draws the link and clearing it removes it. They are
 * derived here from the nodes' own properties; nothing about them is stored in the chart.
 *
 * Rules: the holder and the entity it names must both be nodes of the chart; stub properties
 * (FtM's reverse side of a relationship, such as Person:ownedVehicles) are never stored and so
 * never drawn; a value naming the holder itself is skipped. The link points from the holder to the
 * entity its property names and is labelled with the property's label. Its id is
 * `PROPERTY_EDGE_PREFIX` + JSON [holder, property, target], so it is stable while the value stays
 * and never collides with an entity id.
 */
import type { EntityRecord } from '../../shared/model/index.ts';
import { model } from '../../shared/model/index.ts';

export const PROPERTY_EDGE_PREFIX = 'prop:';

export interface PropertyEdge {
  readonly id: string;
  /** The entity holding the property (the phone). */
  readonly source: string;
  /** The entity the property names (its owner). */
  readonly target: string;
  /** The property's qualified name, e.g. "Phone:owner" (the legend and the type filter use it). */
  readonly schema: string;
  /** The property's label, e.g. "Owner". */
  readonly label: string;
}

export function propertyEdgeId(holder: string, property: string, target: string): string {
  return PROPERTY_EDGE_PREFIX + JSON.stringify([holder, property, target]);
}

export function isPropertyEdgeId(id: string): boolean {
  return id.startsWith(PROPERTY_EDGE_PREFIX);
}

/** The entity holding the property a property link's id names (undefined for other ids). */
export function propertyEdgeHolder(id: string): string | undefined {
  if (!isPropertyEdgeId(id)) return undefined;
  try {
    const parsed: unknown = JSON.parse(id.slice(PROPERTY_EDGE_PREFIX.length));
    return Array.isArray(parsed) && typeof parsed[0] === 'string' ? parsed[0] : undefined;
  } catch {
    return undefined;
  }
}

/** The property links among `nodes` (the chart's node entities), in the nodes' order. */
export function propertyEdges(nodes: readonly EntityRecord[]): PropertyEdge[] {
  const shown = new Set(nodes.map((n) => n.id));
  const edges: PropertyEdge[] = [];
  // getProperties() builds a new map on every call: once per schema, not per node (20,000 phones).
  const propertiesOf = new Map<
    string,
    ReturnType<NonNullable<(typeof model.schemata)[string]>['getProperties']>
  >();
  for (const entity of nodes) {
    const schema = model.schemata[entity.schema];
    if (!schema || schema.isEdge) continue;
    let properties = propertiesOf.get(entity.schema);
    if (!properties) {
      properties = schema.getProperties();
      propertiesOf.set(entity.schema, properties);
    }
    for (const [name, values] of Object.entries(entity.properties)) {
      const property = properties.get(name);
      if (!property?.type.isEntity || property.stub) continue;
      for (const target of new Set(values)) {
        if (target === entity.id || !shown.has(target)) continue;
        edges.push({
          id: propertyEdgeId(entity.id, name, target),
          source: entity.id,
          target,
          schema: property.qname,
          label: property.label,
        });
      }
    }
  }
  return edges;
}

/** "Owner" for "Phone:owner"; undefined when `qname` names no property of the model. */
export function propertyLabel(qname: string): string | undefined {
  const at = qname.indexOf(':');
  if (at < 0) return undefined;
  return model.schemata[qname.slice(0, at)]?.getProperties().get(qname.slice(at + 1))?.label;
}
