// Entity documents packed for the trip to the search worker (issue 13).
//
// Posting a million `{ id, schema, properties }` objects to a worker structured-clones every
// object, property list and array: at a million calls that clone cost the UI thread and the
// worker more time than indexing. A packed batch is three flat values that clone as a few
// blocks: every string of the batch in one array, the property names once, and the documents'
// shape in an Int32Array that is transferred rather than copied.
//
// Layout, per document in order:
//   strings: id, schema, then the values of each property in turn
//   shape:   number of properties, then per property its index in `props` and its value count
// The property order is the document's key order; the index orders fields itself (names first).

import type { EntityDoc } from './types.ts';

export interface PackedEntities {
  readonly strings: readonly string[];
  readonly props: readonly string[];
  readonly shape: Int32Array<ArrayBuffer>;
}

/** Packs entity documents (see the layout above); `toDoc` reads each record as one. */
export function packEntities<T>(
  records: readonly T[],
  toDoc: (record: T) => Pick<EntityDoc, 'id' | 'schema' | 'properties'>,
): PackedEntities {
  const strings: string[] = [];
  const shape: number[] = [];
  const props: string[] = [];
  const propIndex = new Map<string, number>();
  for (const record of records) {
    const { id, schema, properties } = toDoc(record);
    strings.push(id, schema);
    const keys = Object.keys(properties);
    shape.push(keys.length);
    for (const key of keys) {
      let p = propIndex.get(key);
      if (p === undefined) {
        p = props.length;
        props.push(key);
        propIndex.set(key, p);
      }
      const values = properties[key] ?? [];
      shape.push(p, values.length);
      for (const value of values) strings.push(value);
    }
  }
  return { strings, props, shape: Int32Array.from(shape) };
}

/** The documents of a packed batch, as `add` would take them (tests and small batches). */
export function unpackEntities(batch: PackedEntities): EntityDoc[] {
  const out: EntityDoc[] = [];
  const { strings, props, shape } = batch;
  let s = 0;
  for (let k = 0; k < shape.length;) {
    const doc: EntityDoc = { id: strings[s++]!, schema: strings[s++]!, properties: {} };
    const groups = shape[k++]!;
    for (let g = 0; g < groups; g++) {
      const prop = props[shape[k++]!]!;
      const count = shape[k++]!;
      doc.properties[prop] = strings.slice(s, s + count);
      s += count;
    }
    out.push(doc);
  }
  return out;
}
