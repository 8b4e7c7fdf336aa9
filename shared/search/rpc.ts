// Message protocol between the UI thread and the search worker, kept free of DOM types so both
// ends can be tested in Node. The worker runner (renderer/platform/workerRunner.ts) carries each
// call with its id and error code; this file only says what a call is and what it answers.

import { extractText } from './extract.ts';
import type { Inflate } from './extract.ts';
import { createSearchIndex, loadSearchIndex } from './searchIndex.ts';
import type { SearchIndex } from './searchIndex.ts';
import type { PackedEntities } from './packed.ts';
import type { SearchDocument, SearchHit, SearchOptions } from './types.ts';

export type SearchCall =
  | { type: 'add'; docs: SearchDocument[] }
  | { type: 'update'; docs: SearchDocument[] }
  /** Entities packed for the trip (packed.ts): added or replaced as `update` would. */
  | { type: 'updatePacked'; batch: PackedEntities }
  | { type: 'remove'; ids: string[] }
  | { type: 'search'; query: string; options?: SearchOptions }
  | { type: 'clear' }
  | { type: 'size' }
  /** The index's persisted form (searchIndex.ts `serialize`), handed back rather than copied. */
  | { type: 'serialize' }
  /** Replaces the index with a persisted one; SearchIndexError codes when it cannot be read. */
  | { type: 'load'; bytes: Uint8Array }
  /** The index as a shard (searchIndex.ts `exportShard`), handed back rather than copied. */
  | { type: 'exportShard' }
  /**
   * Adds another worker's shard after this index's documents (a build split in two); `fresh`:
   * none of its ids is indexed here (searchIndex.ts `mergeShard`).
   */
  | { type: 'mergeShard'; bytes: Uint8Array; fresh?: boolean }
  | {
      type: 'indexAttachment';
      attachmentId: string;
      name?: string;
      mediaType: string;
      bytes: Uint8Array;
    };

/** What each request type resolves to. */
export interface SearchResults {
  add: number;
  update: number;
  updatePacked: number;
  remove: number;
  search: SearchHit[];
  clear: null;
  size: number;
  serialize: Uint8Array;
  /** Documents in the loaded index. */
  load: number;
  exportShard: Uint8Array;
  /** Documents merged. */
  mergeShard: number;
  /** Characters of text indexed; null when the media type is not supported. */
  indexAttachment: number | null;
}

export type SearchResult = SearchResults[keyof SearchResults];

/** Worker side: applies calls to an index; a call that fails throws. */
export function createSearchHandler(
  options: { index?: SearchIndex; inflate?: Inflate } = {},
): SearchSend {
  let index = options.index ?? createSearchIndex();
  return async (req: SearchCall): Promise<SearchResult> => {
    switch (req.type) {
      case 'add':
        for (const doc of req.docs) index.add(doc);
        return index.size;
      case 'update':
        for (const doc of req.docs) index.update(doc);
        return index.size;
      case 'updatePacked':
        index.addPacked(req.batch);
        return index.size;
      case 'remove':
        return req.ids.filter((id) => index.remove(id)).length;
      case 'search':
        return index.search(req.query, req.options);
      case 'clear':
        index.clear();
        return null;
      case 'size':
        return index.size;
      case 'serialize':
        return index.serialize();
      case 'load':
        index = loadSearchIndex(req.bytes);
        return index.size;
      case 'exportShard':
        return index.exportShard();
      case 'mergeShard':
        return index.mergeShard(req.bytes, { fresh: req.fresh === true });
      case 'indexAttachment': {
        const text = await extractText(req.mediaType, req.bytes, { inflate: options.inflate });
        if (text === null) return null;
        const doc: SearchDocument = { kind: 'attachment', id: req.attachmentId, text };
        if (req.name) doc.name = req.name;
        index.add(doc);
        return text.length;
      }
    }
  };
}

/**
 * Delivers one call and resolves with its result: the worker runner, or the handler itself in
 * tests. `transfer`: buffers handed over with the call (the caller's copies are emptied).
 */
export type SearchSend = (call: SearchCall, transfer?: ArrayBuffer[]) => Promise<SearchResult>;

export interface SearchRpc {
  add(docs: SearchDocument[]): Promise<number>;
  update(docs: SearchDocument[]): Promise<number>;
  /** As `update` for entities packed with packEntities; the batch's shape buffer is handed over. */
  updatePacked(batch: PackedEntities): Promise<number>;
  remove(ids: string[]): Promise<number>;
  search(query: string, options?: SearchOptions): Promise<SearchHit[]>;
  clear(): Promise<null>;
  size(): Promise<number>;
  serialize(): Promise<Uint8Array>;
  /** Replaces the index with a persisted one; `bytes`' buffer is handed to the worker. */
  load(bytes: Uint8Array): Promise<number>;
  exportShard(): Promise<Uint8Array>;
  /**
   * Merges a shard from `exportShard` (another worker's); `bytes`' buffer is handed over.
   * `fresh`: none of the shard's ids is in this index (see searchIndex.ts `mergeShard`).
   */
  mergeShard(bytes: Uint8Array, options?: { readonly fresh?: boolean }): Promise<number>;
  indexAttachment(
    attachmentId: string,
    mediaType: string,
    bytes: Uint8Array,
    name?: string,
  ): Promise<number | null>;
}

/** UI side: one typed method per call. */
export function createSearchRpc(send: SearchSend): SearchRpc {
  const call = <T extends SearchCall['type']>(
    payload: Extract<SearchCall, { type: T }>,
    transfer?: ArrayBuffer[],
  ): Promise<SearchResults[T]> => send(payload, transfer) as Promise<SearchResults[T]>;
  return {
    add: (docs) => call({ type: 'add', docs }),
    update: (docs) => call({ type: 'update', docs }),
    updatePacked: (batch) => call({ type: 'updatePacked', batch }, [batch.shape.buffer]),
    remove: (ids) => call({ type: 'remove', ids }),
    search: (query, options) => call({ type: 'search', query, ...(options ? { options } : {}) }),
    clear: () => call({ type: 'clear' }),
    size: () => call({ type: 'size' }),
    serialize: () => call({ type: 'serialize' }),
    load: (bytes) =>
      call({ type: 'load', bytes }, bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : []),
    exportShard: () => call({ type: 'exportShard' }),
    mergeShard: (bytes, options) =>
      call(
        { type: 'mergeShard', bytes, ...(options?.fresh ? { fresh: true } : {}) },
        bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [],
      ),
    indexAttachment: (attachmentId, mediaType, bytes, name) =>
      call({ type: 'indexAttachment', attachmentId, mediaType, bytes, ...(name ? { name } : {}) }),
  };
}
