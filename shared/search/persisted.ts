// The persisted form of a case's search index together with the record versions it holds (see
// renderer/search/indexStore.ts for where it is stored and why the versions): one binary
// container (binary.ts) with the index's own bytes and, per record kind, ids and versions.

import { BinaryReader, BinaryWriter, SearchIndexError } from './binary.ts';
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
  const writer = new BinaryWriter().add('index', persisted.index);
  for (const kind of VERSION_KINDS) {
    const versions = persisted.versions[kind];
    writer.addStrings(`${kind}.ids`, [...versions.keys()]);
    writer.addStrings(`${kind}.versions`, [...versions.values()]);
  }
  return writer.finish({ format: SEARCH_INDEX_FORMAT });
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
