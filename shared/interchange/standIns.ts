/**
 * Unresolved stand-ins (see ftmLines.ts, rule 2): an entity an import created for a reference
 * to an id the file did not hold. It is resolved by merging it with the real entity; these are the
 * rules that merge follows, so the result exports as the real entity and keeps no placeholder.
 */
import type { EntityProperties, EntityRecord, ExternalEntityData } from '../model/index.ts';

/** The name a stand-in is given: visible in lists and on charts until it is resolved. */
export function standInName(externalId: string): string {
  return `Unresolved: ${externalId}`.slice(0, 200);
}

/** An entity's properties less a stand-in's placeholder name, which must not outlive a merge. */
export function ownProperties(entity: EntityRecord): EntityProperties {
  const external = entity.external;
  if (!external?.unresolved) return entity.properties;
  const placeholder = standInName(external.id);
  const names = (entity.properties.name ?? []).filter((name) => name !== placeholder);
  const { name: _name, ...rest } = entity.properties;
  return names.length > 0 ? { ...rest, name: names } : rest;
}

/**
 * The external data of two merged entities: a real import's wins (its id is what the file's
 * references meant); a stand-in merged with one of Tessera's own entities is resolved by it.
 */
export function mergeExternal(
  keep: ExternalEntityData | undefined,
  drop: ExternalEntityData | undefined,
): ExternalEntityData | undefined {
  if (keep && !keep.unresolved) return keep;
  if (drop && !drop.unresolved) return drop;
  if (keep?.unresolved && drop?.unresolved) return keep;
  if (keep) {
    const { unresolved: _unresolved, ...resolved } = keep;
    return resolved;
  }
  return undefined;
}
