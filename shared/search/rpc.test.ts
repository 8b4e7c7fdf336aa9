import { describe, expect, it } from 'vitest';
import { createSearchHandler, createSearchRpc } from './rpc.ts';
import type { SearchSend } from './rpc.ts';
import { packEntities } from './packed.ts';
import type { EntityDoc } from './types.ts';

/** Delivers calls to the handler as a worker would: copied both ways, one at a time, in order. */
function fakeWorker(): SearchSend {
  const handle = createSearchHandler();
  let queue: Promise<unknown> = Promise.resolve();
  return (call, transfer) => {
    const copy = structuredClone(call, { transfer });
    const answer = queue.then(async () => structuredClone(await handle(copy)));
    queue = answer.catch(() => undefined);
    return answer;
  };
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

  it('hands an index over in its persisted form and loads it in another worker', async () => {
    const first = createSearchRpc(fakeWorker());
    await first.add([
      {
        id: 'p1',
        schema: 'Person',
        properties: { name: ['Ivan Petrov'], phone: ['+43 664 1234567'] },
      },
      { kind: 'note', id: 'n1', caseId: 'c', body: 'Petrov was seen in Varna' },
    ]);
    const bytes = await first.serialize();
    const second = createSearchRpc(fakeWorker());
    expect(await second.load(bytes)).toBe(2);
    // Handed over: the caller's copy is emptied rather than duplicated.
    expect(bytes.byteLength).toBe(0);
    expect(await second.search('petrov varna')).toEqual(await first.search('petrov varna'));
    expect((await second.search('06641234567')).map((h) => h.id)).toEqual(['p1']);
    await expect(second.load(new Uint8Array(16))).rejects.toMatchObject({ code: 'unsupported' });
    expect(await second.size()).toBe(2);
  });

  it('takes entities packed, their shape handed over rather than copied', async () => {
    const client = createSearchRpc(fakeWorker());
    const docs: EntityDoc[] = [
      { id: 'p1', schema: 'Person', properties: { name: ['Ivan Petrov'] } },
      { id: 'c1', schema: 'Call', properties: { callerNumber: ['+436641234567'] } },
    ];
    const batch = packEntities(docs, (doc) => doc);
    expect(await client.updatePacked(batch)).toBe(2);
    expect(batch.shape.byteLength).toBe(0);
    expect((await client.search('petrov')).map((h) => h.id)).toEqual(['p1']);
    expect((await client.search('06641234567')).map((h) => h.id)).toEqual(['c1']);
  });

  it('rejects failed requests', async () => {
    const client = createSearchRpc(fakeWorker());
    await expect(client.search('x', { dateFrom: 'soon' })).rejects.toThrow(/dateFrom/);
  });
});
