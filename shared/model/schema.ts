/**
 * The entity model Tessera works with: FollowTheMoney's default model plus Tessera's extensions,
 * and the small queries the UI and validation need (which schemata a user may create, which are
 * relationships, what a record is called).
 */
import { defaultModel, Model } from '@alephdata/followthemoney';
import type { IModelDatum, Schema } from '@alephdata/followthemoney';
import type { EntityProperties } from './records.ts';
import { TESSERA_EDGE_OVERLAYS, TESSERA_SCHEMATA } from './tesseraSchemata.ts';

function buildModelDatum(): IModelDatum {
  const schemata = { ...defaultModel.schemata, ...TESSERA_SCHEMATA };
  for (const [name, edge] of Object.entries(TESSERA_EDGE_OVERLAYS)) {
    const base = schemata[name];
    if (base) schemata[name] = { ...base, edge };
  }
  return { schemata, types: defaultModel.types };
}

export const model = new Model(buildModelDatum());

/** Entity types an investigator records as nodes, in the order the "new entity" menu shows them. */
export const NODE_SCHEMATA = [
  'Person',
  'Organization',
  'Company',
  'Phone',
  'Email',
  'Address',
  'Vehicle',
  'Vessel',
  'BankAccount',
  'CryptoWallet',
  'Passport',
  'Identification',
  'Event',
  'Document',
  'StolenProperty',
  'BiometricRecord',
] as const;

/** Relationship types offered when linking two entities. */
export const EDGE_SCHEMATA = [
  'UnknownLink',
  'Associate',
  'Family',
  'Ownership',
  'Directorship',
  'Membership',
  'Employment',
  'Payment',
  'Call',
] as const;

export function getSchema(name: string): Schema {
  const schema = model.schemata[name];
  if (!schema) throw new Error(`unknown entity type: ${name}`);
  return schema;
}

const propertyMaps = new Map<string, ReturnType<Schema['getProperties']>>();

/**
 * A schema's properties by name, inherited ones included. FtM builds this map anew on every
 * `getProperties()` call by walking the parents (tens of µs); the model never changes after load,
 * so it is built once per schema (issue 11: the import wizard validates every entity of a
 * million-row file).
 */
export function schemaPropertyMap(name: string): ReturnType<Schema['getProperties']> {
  let properties = propertyMaps.get(name);
  if (!properties) {
    properties = getSchema(name).getProperties();
    propertyMaps.set(name, properties);
  }
  return properties;
}

export function isKnownSchema(name: string): boolean {
  return model.schemata[name] !== undefined;
}

export function isEdgeSchema(name: string): boolean {
  return model.schemata[name]?.isEdge ?? false;
}

export interface EdgeEnds {
  readonly source: string;
  readonly target: string;
}

/** The ids at the two ends of a relationship, or undefined when one end is missing. */
export function edgeEnds(schemaName: string, properties: EntityProperties): EdgeEnds | undefined {
  const edge = model.schemata[schemaName]?.edge;
  if (!edge) return undefined;
  const source = properties[edge.source]?.[0];
  const target = properties[edge.target]?.[0];
  return source && target ? { source, target } : undefined;
}

/** Schemata whose instances may stand at an end of `edgeSchema`'s `end` ('source' | 'target'). */
export function edgeEndRange(edgeSchema: string, end: 'source' | 'target'): Schema {
  const schema = getSchema(edgeSchema);
  if (!schema.edge) throw new Error(`${edgeSchema} is not a relationship type`);
  return schema.getProperty(schema.edge[end]).getRange();
}

/** Relationship types that can link an entity of type `from` to one of type `to`. */
export function edgeSchemataBetween(from: string, to: string): string[] {
  return EDGE_SCHEMATA.filter(
    (name) =>
      getSchema(from).isA(edgeEndRange(name, 'source')) &&
      getSchema(to).isA(edgeEndRange(name, 'target')),
  );
}

/** A display name: the first caption property with a value, else the type label. */
export function captionOf(schemaName: string, properties: EntityProperties): string {
  const schema = model.schemata[schemaName];
  if (!schema) return schemaName;
  for (const name of schema.caption) {
    const value = properties[name]?.[0];
    if (value) return value;
  }
  return schema.label;
}
