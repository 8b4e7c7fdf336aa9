import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { EntityRecord, NoteRecord } from '../../shared/model/index.ts';
import { createSearchHandler, createSearchRpc } from '../../shared/search/rpc.ts';
import type { SearchSend } from '../../shared/search/rpc.ts';
import { TesseraDatabase } from '../db/database.ts';
import type { SealedRow } from '../db/encryption.ts';
import { encryptedTestDatabase } from '../db/testing/encryptedDatabase.ts';
import { CaseIndexSync } from '../../shared/search/indexSync.ts';
import { decodePersistedIndex, encodePersistedIndex } from '../../shared/search/persisted.ts';
import { unpackEntities } from '../../shared/search/packed.ts';
import { readPersistedIndex, savePersistedIndex, searchIndexKey } from './indexStore.ts';

const opened: TesseraDatabase[] = [];
let counter = 0;

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
});

/** A worker stand-in: calls copied (buffers handed over), one at a time; counts documents sent. */
function fakeWorker(sent: { docs: number; calls: number }): SearchSend {
  const handle = createSearchHandler();
  let queue: Promise<unknown> = Promise.resolve();
  return (call, transfer) => {
    sent.calls++;
    if (call.type === 'update' || call.type === 'add') sent.docs += call.docs.length;
    if (call.type === 'updatePacked') sent.docs += unpackEntities(call.batch).length;
    const copy = structuredClone(call, { transfer });
    const answer = queue.then(async () => structuredClone(await handle(copy)));
    queue = answer.catch(() => undefined);
    return answer;
  };
}

function open() {
  const sent = { docs: 0, calls: 0 };
  const client = createSearchRpc(fakeWorker(sent));
  const sync = new CaseIndexSync(client, () => Promise.reject(new Error('no attachments here')));
  return { client, sync, sent };
}

const CANARY = 'Zbigniew Ostrowski-Quill';
const entity = (id: string, updatedAt: string, name: string, phone?: string) =>
  ({
    id,
    updatedAt,
    schema: 'Person',
    kind: 'entity',
    caseId: 'c1',
    properties: phone ? { name: [name], phone: [phone] } : { name: [name] },
  }) as unknown as EntityRecord;
const note = (id: string, updatedAt: string, body: string) =>
  ({ id, updatedAt, title: 'Surveillance', body, kind: 'note', caseId: 'c1' }) as NoteRecord;

async function store() {
  counter += 1;
  const name = `search-index-store-${counter}`;
  const encrypted = await encryptedTestDatabase(name);
  await encrypted.db.open();
  const raw = new TesseraDatabase(name);
  await raw.open();
  opened.push(raw, encrypted.db);
  return { ...encrypted, raw };
}

/** Every byte of every raw row, as Latin-1 text (the sealed Blob chunks included). */
async function rawText(raw: TesseraDatabase): Promise<string> {
  const parts: string[] = [];
  for (const row of await raw.meta.toArray()) {
    parts.push(
      JSON.stringify(row, (_, value: unknown) =>
        value instanceof Uint8Array ? String.fromCharCode(...value) : value,
      ),
    );
    for (const blob of Object.values((row as unknown as SealedRow)._b ?? {})) {
      const bytes = new Uint8Array(await blob.arrayBuffer());
      for (let i = 0; i < bytes.length; i += 4096) {
        parts.push(String.fromCharCode(...bytes.subarray(i, i + 4096)));
      }
    }
  }
  return parts.join('\n');
}

describe('persisted search index', () => {
  const people = [
    entity('p1', '1', CANARY, '+43 664 1234567'),
    entity('p2', '1', 'Elena Cazacu'),
    entity('p3', '1', 'Radu Cazacu'),
  ];
  const notes = [note('n1', '1', `${CANARY} met a driver in Verona`)];

  it('is stored encrypted, with no indexed text in the clear', async () => {
    const { db, raw } = await store();
    const first = open();
    await first.sync.syncEntities(people);
    await first.sync.syncNotes(notes);
    const versions = first.sync.versions();
    await savePersistedIndex(db, 'c1', { index: await first.client.serialize(), versions });

    const rows = await raw.meta.toArray();
    expect(rows.map((row) => row.key)).toEqual([searchIndexKey('c1')]);
    const text = await rawText(raw);
    expect(text.length).toBeGreaterThan(1000);
    for (const needle of [
      'Zbigniew',
      'ostrowski',
      'zbigniew',
      'verona',
      '436641234567',
      'cazacu',
    ]) {
      expect(text).not.toContain(needle);
    }
    // The canary is there to find: the content really went through the store.
    const back = await readPersistedIndex(db, 'c1');
    expect(new TextDecoder().decode(back!.index)).toContain('Zbigniew');
  });

  it('reopens without re-indexing, and a stale copy is brought up to date with the changes only', async () => {
    const { db } = await store();
    const first = open();
    await first.sync.syncEntities(people);
    await first.sync.syncNotes(notes);
    const versions = first.sync.versions();
    await savePersistedIndex(db, 'c1', { index: await first.client.serialize(), versions });

    // Reopened with the records unchanged: nothing is sent, everything is found.
    const again = open();
    const persisted = await readPersistedIndex(db, 'c1');
    expect(await again.client.load(persisted!.index)).toBe(4);
    again.sync.seed(persisted!.versions);
    expect(await again.sync.syncEntities(people)).toBe(false);
    expect(await again.sync.syncNotes(notes)).toBe(false);
    expect(again.sent.docs).toBe(0);
    expect((await again.client.search('ostrowski verona')).map((h) => h.id)).toEqual(['n1']);
    expect((await again.client.search('06641234567')).map((h) => h.id)).toEqual(['p1']);

    // Reopened after changes made while it was closed (an edit, a removal, a new record):
    // the stale versions send exactly those, and the answers are the new ones.
    const later = open();
    const stale = await readPersistedIndex(db, 'c1');
    await later.client.load(stale!.index);
    later.sync.seed(stale!.versions);
    const changed = [
      entity('p1', '2', 'Zbigniew Kowal', '+43 664 1234567'),
      people[2]!,
      entity('p4', '1', 'Ion Cazacu'),
    ];
    expect(await later.sync.syncEntities(changed)).toBe(true);
    expect(later.sent.docs).toBe(2);
    expect((await later.client.search('cazacu')).map((h) => h.id).sort()).toEqual(['p3', 'p4']);
    expect((await later.client.search('kowal')).map((h) => h.id)).toEqual(['p1']);
    expect(await later.client.search('quill', { schemata: ['Person'] })).toEqual([]);
    expect(await later.client.size()).toBe(4);
  });

  it('is ignored when of another format, and unreadable while locked', async () => {
    const { db, keys } = await store();
    expect(await readPersistedIndex(db, 'c1')).toBeUndefined();
    await db.meta.put({ key: searchIndexKey('c1'), value: { format: 1 } });
    expect(await readPersistedIndex(db, 'c1')).toBeUndefined();
    const first = open();
    await first.sync.syncEntities(people);
    const versions = first.sync.versions();
    await savePersistedIndex(db, 'c1', { index: await first.client.serialize(), versions });
    keys.set(null);
    await expect(readPersistedIndex(db, 'c1')).rejects.toMatchObject({ code: 'vault-locked' });
  });

  it('round-trips the versions beside the index', () => {
    const versions = {
      entities: new Map([
        ['p1', '0019d46570000-0001-a'],
        ['p2', '0019d46570000-0002-ü'],
      ]),
      notes: new Map<string, string>(),
      attachments: new Map([['f1', '7']]),
    };
    const index = new Uint8Array([1, 2, 3, 4, 5]);
    const back = decodePersistedIndex(encodePersistedIndex({ index, versions }));
    expect(back.index).toEqual(index);
    expect(back.versions).toEqual(versions);
  });
});
