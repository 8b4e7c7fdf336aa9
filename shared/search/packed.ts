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
  /**
   * The sender's promise that no id of the batch is in the index yet and none repeats in it (a
   * first sync: indexSync.ts knows from its versions). The index then looks no id up, which was
   * a tenth of a million-record build; it trusts the promise (were it broken, both copies of an
   * id stay until the index's id map is next built, on an edit, and the later one wins).
   */
  readonly fresh?: boolean;
}

function wider(shape: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const out = new Int32Array(shape.length * 2);
  out.set(shape);
  return out;
}

/**
 * Packs entity documents (see the layout above); `toDoc` reads each record as one. `fresh`:
 * see PackedEntities.
 */
export function packEntities<T>(
  records: readonly T[],
  toDoc: (record: T) => Pick<EntityDoc, 'id' | 'schema' | 'properties'>,
  options: { readonly fresh?: boolean } = {},
): PackedEntities {
  const strings: string[] = [];
  // Written in place (a million calls' shape pushed onto an array and then copied was a
  // quarter of packing): three numbers per property, grown when a document has more.
  let shape = new Int32Array(Math.max(64, records.length * 16));
  let k = 0;
  const props: string[] = [];
  const propIndex = new Map<string, number>();
  for (const record of records) {
    const { id, schema, properties } = toDoc(record);
    strings.push(id, schema);
    const countAt = k++;
    let count = 0;
    // `for…in` walks the key order as Object.keys does, without an array per document.
    for (const key in properties) {
      if (!Object.hasOwn(properties, key)) continue;
      let p = propIndex.get(key);
      if (p === undefined) {
        p = props.length;
        props.push(key);
        propIndex.set(key, p);
      }
      const values = properties[key] ?? [];
      if (k + 2 > shape.length) shape = wider(shape);
      shape[k++] = p;
      shape[k++] = values.length;
      for (const value of values) strings.push(value);
      count++;
    }
    shape[countAt] = count;
    if (k + 1 > shape.length) shape = wider(shape);
  }
  const packed = { strings, props, shape: shape.slice(0, k) };
  return options.fresh ? { ...packed, fresh: true } : packed;
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
