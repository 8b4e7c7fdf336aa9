// Merging two FtM entities judged to be the same, reversibly.
//
// The merged entity keeps `keep`'s id and the more specific of the two schemata. Each property
// is the union of both value lists, `keep`'s values first, exact duplicates once. Provenance
// records, per property and value, which entity contributed it and at which position, so
// `undoMerge` restores both originals exactly (values, order, schema) and a UI can show where
// each value came from.

import { moreSpecificSchema, schemataCompatible } from '../model/schemata.ts';
import type { FtmEntity } from '../search/types.ts';

export interface ValueSource {
  /** Id of the entity the value came from. */
  id: string;
  /** Position of the value in that entity's list for the property. */
  index: number;
}

export interface MergedValue {
  value: string;
  sources: ValueSource[];
}

export interface MergeResult {
  entity: FtmEntity;
  kept: { id: string; schema: string };
  dropped: { id: string; schema: string };
  /** property → merged values in order, each with its sources. */
  provenance: Record<string, MergedValue[]>;
}

export function mergeEntities(keep: FtmEntity, drop: FtmEntity): MergeResult {
  if (keep.id === drop.id) throw new Error(`cannot merge ${keep.id} with itself`);
  if (!schemataCompatible(keep.schema, drop.schema)) {
    throw new Error(`cannot merge a ${drop.schema} into a ${keep.schema}`);
  }
  const provenance: Record<string, MergedValue[]> = {};
  const properties: Record<string, string[]> = {};
  const props = [...Object.keys(keep.properties)];
  for (const p of Object.keys(drop.properties)) if (!(p in keep.properties)) props.push(p);
  for (const prop of props) {
    const merged: MergedValue[] = [];
    const byValue = new Map<string, MergedValue>();
    for (const entity of [keep, drop]) {
      (entity.properties[prop] ?? []).forEach((value, index) => {
        let entry = byValue.get(value);
        if (!entry) {
          entry = { value, sources: [] };
          byValue.set(value, entry);
          merged.push(entry);
        }
        entry.sources.push({ id: entity.id, index });
      });
    }
    provenance[prop] = merged;
    properties[prop] = merged.map((m) => m.value);
  }
  return {
    entity: { id: keep.id, schema: moreSpecificSchema(keep.schema, drop.schema), properties },
    kept: { id: keep.id, schema: keep.schema },
    dropped: { id: drop.id, schema: drop.schema },
    provenance,
  };
}

/** The two entities as they were before `mergeEntities`. */
export function undoMerge(result: MergeResult): [FtmEntity, FtmEntity] {
  const rebuild = ({ id, schema }: { id: string; schema: string }): FtmEntity => {
    const properties: Record<string, string[]> = {};
    for (const [prop, values] of Object.entries(result.provenance)) {
      const own: [number, string][] = [];
      for (const { value, sources } of values) {
        for (const s of sources) if (s.id === id) own.push([s.index, value]);
      }
      if (own.length > 0) properties[prop] = own.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
    }
    return { id, schema, properties };
  };
  return [rebuild(result.kept), rebuild(result.dropped)];
}
