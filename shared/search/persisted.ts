// The persisted form of a case's search index together with the record versions it holds (see
// renderer/search/indexStore.ts for where it is stored and why the versions): one binary
// container (binary.ts) with the index's own bytes and, per record kind, ids and versions.

import { BinaryReader, BinaryWriter, encodeStrings, SearchIndexError } from './binary.ts';
import type { IndexedVersions, OwnedVersions } from './indexSync.ts';
import { SEARCH_INDEX_FORMAT } from './searchIndex.ts';

export interface PersistedIndex {
  /** The index's persisted form (loadSearchIndex / the worker's `load`). */
  readonly index: Uint8Array;
  readonly versions: IndexedVersions;
}

/** A persisted index as read back: its version maps are the reader's own (see seed). */
export interface LoadedIndex extends PersistedIndex {
  readonly versions: OwnedVersions;
}

export const VERSION_KINDS = ['entities', 'notes', 'attachments'] as const;

export function encodePersistedIndex(persisted: PersistedIndex): Uint8Array<ArrayBuffer> {
  const writer = new BinaryWriter();
  for (const slice of writePersisted(writer, persisted, Infinity)) void slice;
  return writer.finish({ format: SEARCH_INDEX_FORMAT });
}

/**
 * How many version strings are encoded between two pauses of encodePersistedIndexParts: 20,000
 * took 55 ms of the page's main thread in one slice under load, a frame of the 50k chart over its
 * 100 ms bound (bench/profiles/chart.md §15); 5,000 keep a slice near a 60 Hz frame.
 */
export const PERSIST_SLICE_STRINGS = 5_000;

/**
 * The bytes encodePersistedIndex returns, as the parts that make them up (finishParts), encoded a
 * slice of versions at a time with `pause` awaited between slices: the page saves an index with
 * the version of each of a million records, which encoded at once held its main thread for
 * hundreds of milliseconds (issue 13). `persisted.versions` must not change meanwhile (the sync
 * hands out copies).
 */
export async function encodePersistedIndexParts(
  persisted: PersistedIndex,
  pause: () => Promise<void>,
  sliceStrings = PERSIST_SLICE_STRINGS,
): Promise<Uint8Array[]> {
  const writer = new BinaryWriter();
  for (const slice of writePersisted(writer, persisted, sliceStrings)) {
    void slice;
    await pause();
  }
  return writer.finishParts({ format: SEARCH_INDEX_FORMAT });
}

/**
 * Adds the index and, per kind, its ids and versions (as addStrings would: `.len`, `.utf8`) to
 * `writer`, yielding after every `sliceStrings` records' strings are encoded.
 */
function* writePersisted(
  writer: BinaryWriter,
  persisted: PersistedIndex,
  sliceStrings: number,
): Generator<void> {
  writer.add('index', persisted.index);
  for (const kind of VERSION_KINDS) {
    const versions = persisted.versions[kind];
    const ids = { lengths: [] as Int32Array[], utf8: [] as Uint8Array[] };
    const stamps = { lengths: [] as Int32Array[], utf8: [] as Uint8Array[] };
    let idSlice: string[] = [];
    let stampSlice: string[] = [];
    const encodeSlice = () => {
      for (const [into, strings] of [
        [ids, idSlice],
        [stamps, stampSlice],
      ] as const) {
        const { lengths, utf8 } = encodeStrings(strings);
        into.lengths.push(lengths);
        into.utf8.push(utf8);
      }
      idSlice = [];
      stampSlice = [];
    };
    for (const [id, version] of versions) {
      idSlice.push(id);
      stampSlice.push(version);
      if (idSlice.length >= sliceStrings) {
        encodeSlice();
        yield;
      }
    }
    // An empty list still has its sections, of their kinds.
    if (idSlice.length > 0 || ids.lengths.length === 0) encodeSlice();
    writer
      .addParts(`${kind}.ids.len`, ids.lengths)
      .addParts(`${kind}.ids.utf8`, ids.utf8)
      .addParts(`${kind}.versions.len`, stamps.lengths)
      .addParts(`${kind}.versions.utf8`, stamps.utf8);
  }
}

/** Throws SearchIndexError ('unsupported' for another format, 'corrupt'). */
export function decodePersistedIndex(bytes: Uint8Array): LoadedIndex {
  const reader = new BinaryReader(bytes);
  if ((reader.info as { format?: unknown } | null)?.format !== SEARCH_INDEX_FORMAT) {
    throw new SearchIndexError('unsupported', 'persisted search index of another format');
  }
  const maps = VERSION_KINDS.map((kind) => {
    const ids = reader.strings(`${kind}.ids`);
    const versions = reader.strings(`${kind}.versions`);
    if (ids.length !== versions.length) {
      throw new SearchIndexError('corrupt', `persisted search index: ${kind} versions`);
    }
    const map = new Map<string, string>();
    for (let i = 0; i < ids.length; i++) map.set(ids[i]!, versions[i]!);
    return map;
  });
  return {
    // A view, not a copy (a hundred megabytes at a million records): handing it to the worker
    // hands over the whole container, whose versions were decoded to strings above, and the
    // loaded index keeps none of it (searchIndex.ts `load` copies what it keeps).
    index: reader.u8('index'),
    versions: { entities: maps[0]!, notes: maps[1]!, attachments: maps[2]! },
  };
}
