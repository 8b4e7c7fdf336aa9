import { describe, expect, it } from 'vitest';
import { createSearchHandler, createSearchRpc } from './rpc.ts';
import type { SearchPort, SearchRequest, SearchResponse } from './rpc.ts';

/** A port that hands requests to the handler asynchronously, like a worker would. */
function fakeWorker(): SearchPort {
  const handle = createSearchHandler();
  let queue = Promise.resolve();
  const port: SearchPort = {
    onmessage: null,
    postMessage(message: SearchRequest) {
      const copy = structuredClone(message);
      queue = queue.then(async () => {
        const response: SearchResponse = await handle(copy);
        port.onmessage?.({ data: structuredClone(response) });
      });
    },
  };
  return port;
}

describe('search rpc', () => {
  it('adds, searches, updates and removes through messages', async () => {
    const client = createSearchRpc(fakeWorker());
    const added = client.add([
      { id: 'p1', schema: 'Person', properties: { name: ['Ivan Petrov'] } },
      { kind: 'note', id: 'n1', caseId: 'c', body: 'Petrov was seen in Varna' },
    ]);
    const hits = client.search('petrov');
    expect(await added).toBe(2);
    expect((await hits).map((h) => h.id).sort()).toEqual(['n1', 'p1']);
    await client.update([{ id: 'p1', schema: 'Person', properties: { name: ['Ivan Sidorov'] } }]);
    expect((await client.search('sidorov')).map((h) => h.id)).toEqual(['p1']);
    expect(await client.remove(['p1', 'nope'])).toBe(1);
    expect(await client.size()).toBe(1);
    const bytes = new TextEncoder().encode('Bill of lading, vessel Aurora');
    expect(await client.indexAttachment('a1', 'text/plain', bytes, 'bol.txt')).toBe(bytes.length);
    expect((await client.search('aurora'))[0]).toMatchObject({ id: 'a1', kind: 'attachment' });
    expect(await client.indexAttachment('a2', 'image/png', bytes)).toBeNull();
  });

  it('rejects failed requests and pending ones on close', async () => {
    const client = createSearchRpc(fakeWorker());
    await expect(client.search('x', { dateFrom: 'soon' })).rejects.toThrow(/dateFrom/);
    const pending = client.search('x');
    client.close('gone');
    await expect(pending).rejects.toThrow('gone');
  });
});
