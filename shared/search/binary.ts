// A small binary container for the persisted search index (and the version list beside it).
//
// Layout: the 4-byte magic 'TSX1', a little-endian u32 giving the length of a UTF-8 JSON header,
// the header, then the sections, each starting on an 8-byte boundary so that a typed array can be
// a view on the loaded buffer without a copy. The header names each section with its element type,
// byte offset and element count, and carries the writer's own small fields (`info`).
//
// A list of strings is stored as two sections: the UTF-16 lengths (Int32) and the UTF-8 bytes of
// the strings written end to end; reading decodes the bytes once and slices.
//
// A list of integers that are mostly small (document numbers as gaps, interned ids) can be stored
// packed: each zigzag-encoded as a LEB128 varint (7 bits a byte, high bit: more follow) in a u8
// section, with the count in a one-element Int32 section. A million calls' index is a third of its
// Int32 size this way, and decoding it back is one pass.

import { CodedError } from '../base/errors.ts';

export type SearchIndexErrorCode = 'unsupported' | 'corrupt';

/** A persisted index that cannot be read: another format version, or damaged bytes. */
export class SearchIndexError extends CodedError<SearchIndexErrorCode> {
  override readonly name = 'SearchIndexError';
}

const MAGIC = [0x54, 0x53, 0x58, 0x31]; // 'TSX1'

type ArrayKind = 'i32' | 'f32' | 'f64' | 'u8';
type Typed = Int32Array | Float32Array | Float64Array | Uint8Array;

interface SectionEntry {
  readonly name: string;
  readonly kind: ArrayKind;
  readonly offset: number;
  readonly length: number;
}

interface Header {
  readonly info: unknown;
  readonly sections: readonly SectionEntry[];
}

function kindOf(array: Typed): ArrayKind {
  if (array instanceof Int32Array) return 'i32';
  if (array instanceof Float32Array) return 'f32';
  if (array instanceof Float64Array) return 'f64';
  return 'u8';
}

const align8 = (n: number) => (n + 7) & ~7;

/** The UTF-16 lengths and the UTF-8 bytes, end to end, of a list of strings (see the layout). */
export function encodeStrings(strings: readonly string[]): {
  lengths: Int32Array;
  utf8: Uint8Array;
} {
  const lengths = new Int32Array(strings.length);
  for (let i = 0; i < strings.length; i++) lengths[i] = strings[i]!.length;
  return { lengths, utf8: new TextEncoder().encode(strings.join('')) };
}

/** The parts of a buffer (BinaryWriter.finishParts) as one buffer. */
export function joinParts(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** Collects named sections and writes them as one buffer, or as the parts of one. */
export class BinaryWriter {
  // Each section is one or more arrays of one kind, written end to end.
  private readonly sections: [string, readonly Typed[]][] = [];

  add(name: string, array: Typed): this {
    this.sections.push([name, [array]]);
    return this;
  }

  /** One section from several arrays of one kind, written end to end without joining them. */
  addParts(name: string, parts: readonly Typed[]): this {
    // The first part names the section's kind: an empty list has no kind to name.
    if (parts.length === 0 || new Set(parts.map(kindOf)).size > 1) {
      throw new TypeError(`section ${name}: one or more parts of one kind`);
    }
    this.sections.push([name, parts]);
    return this;
  }

  addVarints(name: string, values: Int32Array): this {
    // Five bytes at most per value; cut to size at the end.
    let out = new Uint8Array(values.length * 5);
    let at = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      let z = ((v << 1) ^ (v >> 31)) >>> 0;
      while (z >= 0x80) {
        out[at++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
      out[at++] = z;
    }
    out = out.slice(0, at);
    return this.add(`${name}.n`, Int32Array.of(values.length)).add(`${name}.v`, out);
  }

  addStrings(name: string, strings: readonly string[]): this {
    const { lengths, utf8 } = encodeStrings(strings);
    return this.add(`${name}.len`, lengths).add(`${name}.utf8`, utf8);
  }

  finish(info: unknown): Uint8Array<ArrayBuffer> {
    return joinParts(this.finishParts(info));
  }

  /**
   * The buffer `finish` returns, as the byte views that make it up in order (the head, each
   * section's arrays, the zero padding between them): a Blob made of them is that buffer, with
   * no copy into one array on the way (a saved index is a hundred megabytes or more).
   */
  finishParts(info: unknown): Uint8Array[] {
    const byteLength = (arrays: readonly Typed[]) =>
      arrays.reduce((sum, array) => sum + array.byteLength, 0);
    const count = (arrays: readonly Typed[]) =>
      arrays.reduce((sum, array) => sum + array.length, 0);
    // Offsets depend on the header's length, which depends on the offsets' digits: lay the
    // sections out after a header padded to a fixed size that is then checked.
    const sizeOf = (entries: SectionEntry[]) =>
      new TextEncoder().encode(JSON.stringify({ info, sections: entries } satisfies Header)).length;
    let entries: SectionEntry[] = [];
    let reserve = 0;
    for (;;) {
      let at = align8(8 + reserve);
      entries = this.sections.map(([name, arrays]) => {
        const entry = { name, kind: kindOf(arrays[0]!), offset: at, length: count(arrays) };
        at = align8(at + byteLength(arrays));
        return entry;
      });
      const size = sizeOf(entries);
      if (size <= reserve) break;
      reserve = size + 64;
    }
    const encodedHead = new TextEncoder().encode(JSON.stringify({ info, sections: entries }));
    const head = new Uint8Array(entries[0]?.offset ?? align8(8 + reserve));
    head.set(MAGIC, 0);
    new DataView(head.buffer).setUint32(4, reserve, true);
    head.fill(0x20, 8, 8 + reserve); // spaces: valid JSON padding
    head.set(encodedHead, 8);
    const parts: Uint8Array[] = [head];
    for (let i = 0; i < entries.length; i++) {
      const arrays = this.sections[i]![1];
      for (const array of arrays) {
        parts.push(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      }
      const end = entries[i]!.offset + byteLength(arrays);
      const next = entries[i + 1]?.offset;
      if (next !== undefined && next > end) parts.push(new Uint8Array(next - end));
    }
    return parts;
  }
}

/** Reads a buffer written by BinaryWriter; every typed array is a view on the buffer. */
export class BinaryReader {
  readonly info: unknown;
  private readonly bytes: Uint8Array<ArrayBuffer>;
  private readonly entries = new Map<string, SectionEntry>();

  constructor(input: Uint8Array) {
    // Views of Int32/Float64 need an aligned start: copy the rare unaligned input.
    this.bytes =
      input.byteOffset % 8 === 0 && input.buffer instanceof ArrayBuffer
        ? (input as Uint8Array<ArrayBuffer>)
        : new Uint8Array(input);
    const bytes = this.bytes;
    if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
      throw new SearchIndexError('unsupported', 'not a persisted search index');
    }
    const headLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
    if (8 + headLength > bytes.length) throw new SearchIndexError('corrupt', 'truncated header');
    let header: Header;
    try {
      header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headLength))) as Header;
    } catch {
      throw new SearchIndexError('corrupt', 'unreadable header');
    }
    if (!Array.isArray(header.sections)) throw new SearchIndexError('corrupt', 'no sections');
    for (const entry of header.sections as readonly SectionEntry[]) {
      const size = { i32: 4, f32: 4, f64: 8, u8: 1 }[entry.kind];
      if (
        size === undefined ||
        !Number.isSafeInteger(entry.offset) ||
        !Number.isSafeInteger(entry.length) ||
        entry.offset % 8 !== 0 ||
        entry.length < 0 ||
        entry.offset + entry.length * size > bytes.length
      ) {
        throw new SearchIndexError('corrupt', `bad section ${String(entry.name)}`);
      }
      this.entries.set(entry.name, entry);
    }
    this.info = header.info;
  }

  private view(name: string, kind: ArrayKind): Typed {
    const entry = this.entries.get(name);
    if (!entry || entry.kind !== kind) throw new SearchIndexError('corrupt', `no section ${name}`);
    const { buffer, byteOffset } = this.bytes;
    const at = byteOffset + entry.offset;
    switch (kind) {
      case 'i32':
        return new Int32Array(buffer, at, entry.length);
      case 'f32':
        return new Float32Array(buffer, at, entry.length);
      case 'f64':
        return new Float64Array(buffer, at, entry.length);
      case 'u8':
        return new Uint8Array(buffer, at, entry.length);
    }
  }

  i32(name: string): Int32Array {
    return this.view(name, 'i32') as Int32Array;
  }

  f32(name: string): Float32Array {
    return this.view(name, 'f32') as Float32Array;
  }

  f64(name: string): Float64Array {
    return this.view(name, 'f64') as Float64Array;
  }

  u8(name: string): Uint8Array {
    return this.view(name, 'u8') as Uint8Array;
  }

  has(name: string): boolean {
    return this.entries.has(name) || this.entries.has(`${name}.n`);
  }

  /** A list written by addVarints. */
  varints(name: string): Int32Array {
    const count = this.i32(`${name}.n`)[0];
    const bytes = this.u8(`${name}.v`);
    // At least one byte per value: a count beyond the bytes is damage, not a huge allocation.
    if (count === undefined || count < 0 || count > bytes.length) {
      throw new SearchIndexError('corrupt', name);
    }
    const out = new Int32Array(count);
    let at = 0;
    for (let i = 0; i < count; i++) {
      // Most values take one byte.
      const first = at < bytes.length ? bytes[at]! : 0x80;
      if (first < 0x80) {
        at++;
        out[i] = (first >>> 1) ^ -(first & 1);
        continue;
      }
      let z = 0;
      let shift = 0;
      let b: number;
      do {
        if (at >= bytes.length || shift > 28) throw new SearchIndexError('corrupt', name);
        b = bytes[at++]!;
        z |= (b & 0x7f) << shift;
        shift += 7;
      } while (b >= 0x80);
      out[i] = (z >>> 1) ^ -(z & 1);
    }
    if (at !== bytes.length) throw new SearchIndexError('corrupt', name);
    return out;
  }

  strings(name: string): string[] {
    const lengths = this.i32(`${name}.len`);
    const text = new TextDecoder().decode(this.u8(`${name}.utf8`));
    const out = new Array<string>(lengths.length);
    let at = 0;
    for (let i = 0; i < lengths.length; i++) {
      const end = at + lengths[i]!;
      if (lengths[i]! < 0 || end > text.length) throw new SearchIndexError('corrupt', name);
      out[i] = text.slice(at, end);
      at = end;
    }
    if (at !== text.length) throw new SearchIndexError('corrupt', name);
    return out;
  }
}
