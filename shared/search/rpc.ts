// Message protocol between the UI thread and the search worker, kept free of DOM types so both
// ends can be tested in Node. Every request carries an id; the worker answers each with exactly
// one response of the same id, either a result or an error message.

import { extractText } from './extract.ts';
import type { Inflate } from './extract.ts';
import { createSearchIndex } from './searchIndex.ts';
import type { SearchIndex } from './searchIndex.ts';
import type { SearchDocument, SearchHit, SearchOptions } from './types.ts';
import { errorMessage } from '../base/errors.ts';

export type SearchRequest =
  | { id: number; type: 'add'; docs: SearchDocument[] }
  | { id: number; type: 'update'; docs: SearchDocument[] }
  | { id: number; type: 'remove'; ids: string[] }
  | { id: number; type: 'search'; query: string; options?: SearchOptions }
  | { id: number; type: 'clear' }
  | { id: number; type: 'size' }
  | {
      id: number;
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
  remove: number;
  search: SearchHit[];
  clear: null;
  size: number;
  /** Characters of text indexed; null when the media type is not supported. */
  indexAttachment: number | null;
}

export type SearchResponse =
  | { id: number; ok: true; result: SearchResults[keyof SearchResults] }
  | { id: number; ok: false; error: string };

/** Worker side: applies requests to an index. */
export function createSearchHandler(
  options: { index?: SearchIndex; inflate?: Inflate } = {},
): (request: SearchRequest) => Promise<SearchResponse> {
  const index = options.index ?? createSearchIndex();
  const run = async (req: SearchRequest): Promise<SearchResults[keyof SearchResults]> => {
    switch (req.type) {
      case 'add':
        for (const doc of req.docs) index.add(doc);
        return index.size;
      case 'update':
        for (const doc of req.docs) index.update(doc);
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
  return async (req) => {
    try {
      return { id: req.id, ok: true, result: await run(req) };
    } catch (err) {
      return { id: req.id, ok: false, error: errorMessage(err) };
    }
  };
}

/** The minimal port both a Worker and a test double provide. */
export interface SearchPort {
  postMessage(message: SearchRequest): void;
  onmessage: ((event: { data: SearchResponse }) => void) | null;
}

type Payload<T extends SearchRequest['type']> = Omit<Extract<SearchRequest, { type: T }>, 'id'>;

export interface SearchRpc {
  add(docs: SearchDocument[]): Promise<number>;
  update(docs: SearchDocument[]): Promise<number>;
  remove(ids: string[]): Promise<number>;
  search(query: string, options?: SearchOptions): Promise<SearchHit[]>;
  clear(): Promise<null>;
  size(): Promise<number>;
  indexAttachment(
    attachmentId: string,
    mediaType: string,
    bytes: Uint8Array,
    name?: string,
  ): Promise<number | null>;
  /** Rejects every pending request (e.g. when the worker is terminated). */
  close(reason?: string): void;
}

/** UI side: promise-returning calls over a port. */
export function createSearchRpc(port: SearchPort): SearchRpc {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  port.onmessage = ({ data }) => {
    const waiter = pending.get(data.id);
    if (!waiter) return;
    pending.delete(data.id);
    if (data.ok) waiter.resolve(data.result);
    else waiter.reject(new Error(data.error));
  };
  const call = <T extends SearchRequest['type']>(
    payload: Payload<T> & { type: T },
  ): Promise<SearchResults[T]> =>
    new Promise<SearchResults[T]>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      port.postMessage({ ...payload, id } as SearchRequest);
    });
  return {
    add: (docs) => call({ type: 'add', docs }),
    update: (docs) => call({ type: 'update', docs }),
    remove: (ids) => call({ type: 'remove', ids }),
    search: (query, options) => call({ type: 'search', query, options }),
    clear: () => call({ type: 'clear' }),
    size: () => call({ type: 'size' }),
    indexAttachment: (attachmentId, mediaType, bytes, name) =>
      call({ type: 'indexAttachment', attachmentId, mediaType, bytes, name }),
    close(reason = 'search worker closed') {
      for (const waiter of pending.values()) waiter.reject(new Error(reason));
      pending.clear();
    },
  };
}
