import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { Dexie } from 'dexie';
import type { DBCore, Middleware } from 'dexie';
import { describe, expect, it, vi } from 'vitest';
import { CHUNK_BYTES, SEALED_CHUNK_BYTES } from '../../shared/encryption/chunks.ts';
import { createDemoCase } from '../../shared/demo/demoCase.ts';
import { isEdgeSchema } from '../../shared/model/index.ts';
import { TesseraDatabase } from './database.ts';
import type { SealedRow } from './encryption.ts';
import { openRow, READ_AHEAD_ROWS, rowLayout, sealRow } from './encryption.ts';
import { createRepository } from './repository.ts';
import {
  encryptedTestDatabase,
  stripBlockLabels,
  testStoreKeys,
} from './testing/encryptedDatabase.ts';
import {
  advanceLastSync,
  forgetCase,
  readLastSync,
  readReceived,
  noteReceived,
  writeRecordMeta,
  readRecordMeta,
} from './syncState.ts';
import {
  storeReady,
  testCaseStores,
  testUnitOfWork,
  dropDatabasesAfterEach,
} from './testing/testRepository.ts';
import { VaultError } from './vaultError.ts';
import { rejectionCode } from '../../shared/testing/rejectionCode.ts';

let counter = 0;
const opened = dropDatabasesAfterEach();

async function setUp() {
  counter += 1;
  const name = `encryption-test-${counter}`;
  const encrypted = await encryptedTestDatabase(name);
  await encrypted.db.open();
  const raw = new TesseraDatabase(name);
  await raw.open();
  opened.push(raw, encrypted.db);
  const repo = createRepository(testUnitOfWork(encrypted.db));
  return { ...encrypted, raw, repo, name };
}

const codeOf = (work: Promise<unknown>) => rejectionCode(work, VaultError);

/** Every byte the raw rows hold, as text (Latin-1, so every byte maps to one character). */
async function rawText(raw: TesseraDatabase): Promise<string> {
  const parts: string[] = [];
  for (const table of raw.tables) {
    for (const row of await table.toArray()) {
      parts.push(
        JSON.stringify(row, (_, value: unknown) =>
          value instanceof Uint8Array ? String.fromCharCode(...value) : value,
        ),
      );
      for (const blob of Object.values((row as SealedRow)._b ?? {})) {
        parts.push(String.fromCharCode(...new Uint8Array(await blob.arrayBuffer())));
      }
    }
  }
  return parts.join('\n');
}

describe('the encrypting store', () => {
  it('round-trips the demo case through the repository and stores no content in the clear', async () => {
    const { repo, raw, db } = await setUp();
    const demo = createDemoCase({ agencyId: 'demo-agency', now: new Date() });
    const caseId = await repo.importCase(demo);
    const canary = 'Canary Zbigniew Ostrowski-Quill';
    const person = await repo.createEntity(caseId, 'Person', { name: [canary] });
    await repo.addAttachment(caseId, {
      fileName: 'canary-file.txt',
      mediaType: 'text/plain',
      content: new Blob(['canary attachment bytes 7731']),
    });
    expect((await repo.listEntities(caseId)).length).toBe(demo.entities.length + 1);
    expect((await repo.listCases()).map((c) => c.reference)).toEqual([demo.case.reference]);
    const photo = demo.attachments[0]!;
    expect((await repo.getAttachmentContent(photo.id)).size).toBe(photo.size);
    // The type filter is an index look-up on the blind index.
    const people = await db.entities.where('[caseId+schema]').equals([caseId, 'Person']).toArray();
    expect(people.map((e) => e.id)).toContain(person.id);
    expect(people.every((e) => e.schema === 'Person')).toBe(true);

    const text = await rawText(raw);
    for (const needle of [canary, 'canary-file.txt', 'canary attachment bytes', demo.case.title]) {
      expect(text.includes(needle), needle).toBe(false);
    }
    for (const name of demo.entities.flatMap((e) => e.properties.name ?? []).slice(0, 20)) {
      expect(text.includes(name), name).toBe(false);
    }
    expect(text.includes('"Person"')).toBe(false);
    const file = await repo.exportCase(caseId);
    expect(file.entities.length).toBe(demo.entities.length + 1);
  });

  it('refuses a changed byte, a record moved to another id or case, and a replayed older version', async () => {
    const { repo, raw, db } = await setUp();
    const c = await repo.createCase({
      reference: 'T/1',
      title: 'Tamper',
      leadInvestigator: 'I',
      jurisdictions: ['RO'],
    });
    const first = await repo.createEntity(c.id, 'Person', { name: ['Ana'] });
    const v1 = (await raw.entities.get(first.id)) as unknown as SealedRow;
    await repo.updateEntity(first.id, { properties: { name: ['Ana Maria'] } });
    const v2 = (await raw.entities.get(first.id)) as unknown as SealedRow;
    expect(v2._v).not.toBe(v1._v);
    const other = await repo.createEntity(c.id, 'Person', { name: ['Bob'] });
    const put = (row: object) => raw.table('entities').put(row);

    // One flipped byte of the ciphertext.
    const flipped = v2._e.slice();
    flipped[20]! ^= 1;
    await put({ ...v2, _e: flipped });
    expect(await codeOf(db.entities.get(first.id))).toBe('tampered');
    // The whole case listing refuses too: nothing unauthenticated is shown.
    expect(await codeOf(repo.listEntities(c.id))).toBe('tampered');
    // Moved to another id.
    await put({ ...v2, id: other.id });
    expect(await codeOf(db.entities.get(other.id))).toBe('tampered');
    await put(v2);
    // Moved to another case (the clear caseId changed).
    await put({ ...v2, caseId: 'another-case' });
    expect(await codeOf(db.entities.get(first.id))).toBe('tampered');
    // Given another type (the blind index changed).
    await put({ ...v2, schema: (await raw.entities.get(other.id))!.schema + 'x' });
    expect(await codeOf(db.entities.get(first.id))).toBe('tampered');
    // The older ciphertext replayed under the newer version.
    await put({ ...v2, _e: v1._e });
    expect(await codeOf(db.entities.get(first.id))).toBe('tampered');
    // A plaintext row slipped in.
    await put({ ...first, id: 'planted' });
    expect(await codeOf(db.entities.get('planted'))).toBe('tampered');
    await raw.table('entities').delete('planted');
    // Put back as it was, it reads again.
    await put(v2);
    expect((await db.entities.get(first.id))?.properties.name).toEqual(['Ana Maria']);
  });

  it('opens many rows at once, each for its own slot only (the additional data buffer is shared)', async () => {
    const { db, storeKeys } = await setUp();
    const layout = rowLayout(db.entities.core.schema);
    const record = fc.record({
      caseId: fc.constantFrom('case-a', 'case-b'),
      schema: fc.constantFrom('Person', 'Company', 'Ownership'),
      updatedAt: fc.string({ minLength: 1, maxLength: 30 }),
      properties: fc.record({ name: fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 3 }) }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 40 }), record), {
          minLength: 2,
          maxLength: 40,
          selector: ([id]) => id,
        }),
        async (entries) => {
          const records = entries.map(([id, fields]) => ({ id, ...fields }));
          // Sealing and opening interleave, as a write and a read of one page can.
          const rows = await Promise.all(records.map((r) => sealRow(layout, storeKeys.current, r)));
          const [opened] = await Promise.all([
            Promise.all(rows.map((row) => openRow(layout, storeKeys.all, row))),
            Promise.all(records.map((r) => sealRow(layout, storeKeys.current, r))),
          ]);
          expect(opened).toEqual(records);
          // Each envelope moved to the next row's slot is refused, all of them at once.
          const moved = rows.map((row, i) => ({ ...row, _e: rows[(i + 1) % rows.length]!._e }));
          const codes = await Promise.all(
            moved.map((row) => codeOf(openRow(layout, storeKeys.all, row))),
          );
          expect(codes.every((code) => code === 'tampered')).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses attachment contents that are truncated or have chunks reordered', async () => {
    const { raw, db } = await setUp();
    const size = 2 * CHUNK_BYTES + 10;
    const content = new Uint8Array(size).map((_, i) => i % 251);
    await db.attachmentBlobs.put({ id: 'a1', content: new Blob([content], { type: 'image/png' }) });
    const back = await db.attachmentBlobs.get('a1');
    expect(back?.content.type).toBe('image/png');
    const bytes = new Uint8Array(await back!.content.arrayBuffer());
    expect(bytes.length === size && bytes.every((b, i) => b === content[i])).toBe(true);

    const row = (await raw.attachmentBlobs.get('a1')) as unknown as SealedRow;
    const sealed = row._b!.content!;
    expect(sealed.size).toBe(2 * SEALED_CHUNK_BYTES + 10 + 28);
    const withContent = (blob: Blob) =>
      raw.table('attachmentBlobs').put({ ...row, _b: { content: blob } });
    await withContent(sealed.slice(0, 2 * SEALED_CHUNK_BYTES));
    expect(await codeOf(db.attachmentBlobs.get('a1'))).toBe('tampered');
    await withContent(sealed.slice(0, sealed.size - 1));
    expect(await codeOf(db.attachmentBlobs.get('a1'))).toBe('tampered');
    await withContent(
      new Blob([
        sealed.slice(SEALED_CHUNK_BYTES, 2 * SEALED_CHUNK_BYTES),
        sealed.slice(0, SEALED_CHUNK_BYTES),
        sealed.slice(2 * SEALED_CHUNK_BYTES),
      ]),
    );
    expect(await codeOf(db.attachmentBlobs.get('a1'))).toBe('tampered');
    await withContent(sealed);
    expect((await db.attachmentBlobs.get('a1'))?.content.size).toBe(size);
  });

  it('throws vault-locked once the keys are dropped, and reads again after', async () => {
    const { repo, keys, storeKeys, db } = await setUp();
    const c = await repo.createCase({
      reference: 'T/2',
      title: 'Locked',
      leadInvestigator: 'I',
      jurisdictions: ['RO'],
    });
    keys.set(null);
    expect(await codeOf(db.cases.get(c.id))).toBe('vault-locked');
    expect(await codeOf(db.cases.put(c))).toBe('vault-locked');
    expect(await codeOf(repo.listCases())).toBe('vault-locked');
    keys.set(storeKeys);
    expect((await db.cases.get(c.id))?.title).toBe('Locked');
    // Another data key cannot read it.
    keys.set(await testStoreKeys());
    expect(await codeOf(db.cases.get(c.id))).toBe('tampered');
  });

  it('refuses range queries on a blind index', async () => {
    const { db } = await setUp();
    expect(
      await codeOf(db.entities.where('[caseId+schema]').between(['c', 'A'], ['c', 'Z']).toArray()),
    ).toBe('unsupported-query');
  });

  it('encrypts the sync tables and meta too, keyed as before', async () => {
    const { raw, db } = await setUp();
    const hlc = '0018f00000000-0000-fixture';
    await advanceLastSync(db, 'case-1', 'DE.BKA', hlc);
    await writeRecordMeta(db, 'case-1', 'e1', { base: hlc, clocks: { 'properties.name': hlc } });
    await noteReceived(db, {
      recordId: 'e1',
      caseId: 'case-1',
      sender: 'DE.BKA',
      receivedAt: '2024-01-02T00:00:00Z',
    });
    await db.meta.put({ key: 'tessera.note', value: 'meta canary 5521' });
    expect(await readLastSync(db, 'case-1', 'DE.BKA')).toBe(hlc);
    expect((await readRecordMeta(db, ['e1']))[0]?.base).toBe(hlc);
    expect((await readReceived(db, 'e1'))?.sender).toBe('DE.BKA');
    expect((await db.meta.get('tessera.note'))?.value).toBe('meta canary 5521');
    const text = await rawText(raw);
    expect(text.includes('meta canary')).toBe(false);
    expect(text.includes('2024-01-02')).toBe(false);
    expect(text.includes('properties.name')).toBe(false);
    await forgetCase(db, 'case-1');
    expect(await readLastSync(db, 'case-1', 'DE.BKA')).toBeNull();
    expect(await raw.syncClocks.count()).toBe(0);
  });

  it('keeps an explicit read transaction alive across decrypting reads', async () => {
    const { repo, db } = await setUp();
    const c = await repo.createCase({
      reference: 'T/3',
      title: 'Sequential',
      leadInvestigator: 'I',
      jurisdictions: ['RO'],
    });
    const a = await repo.createEntity(c.id, 'Person', { name: ['A'] });
    const b = await repo.createEntity(c.id, 'Company', { name: ['B'] });
    const names = await db.transaction('r', [db.entities, db.cases], async () => {
      const first = await db.entities.get(a.id);
      const theCase = await db.cases.get(c.id);
      const second = await db.entities.get(b.id);
      const all = await db.entities.where('caseId').equals(c.id).toArray();
      return [first?.properties.name, theCase?.title, second?.properties.name, all.length];
    });
    expect(names).toEqual([['A'], 'Sequential', ['B'], 2]);
  });

  it('writes a bulk put in slices and reports a failed add at its position', async () => {
    const { db } = await setUp();
    const rows = Array.from({ length: 700 }, (_, i) => ({
      kind: 'note' as const,
      id: `n${String(i).padStart(4, '0')}`,
      caseId: 'case-1',
      text: `note ${i}`,
      updatedAt: 'h',
    }));
    await db.table('notes').bulkPut(rows);
    expect(await db.notes.count()).toBe(700);
    expect(((await db.table('notes').get('n0555')) as { text: string }).text).toBe('note 555');
    const again = [
      { ...rows[0]!, id: 'fresh-1' },
      ...rows.slice(300, 301),
      { ...rows[0]!, id: 'fresh-2' },
    ];
    const many = [
      ...Array.from({ length: 400 }, (_, i) => ({ ...rows[0]!, id: `x${i}` })),
      ...again,
    ];
    const error = await db
      .table('notes')
      .bulkAdd(many)
      .then(
        () => undefined,
        (e: unknown) => e as { failuresByPos: Record<number, Error> },
      );
    expect(Object.keys(error?.failuresByPos ?? {})).toEqual(['401']);
    expect(((await db.table('notes').get('fresh-2')) as { text: string }).text).toBe('note 0');
  });

  describe('a long range read in parts (read ahead)', () => {
    const CASE = 'case-r';
    const SCHEMAS = ['Person', 'Company'] as const;
    const ROWS = 3 * READ_AHEAD_ROWS + 137;

    /** An encrypting database that logs, below the encryption, every range read of entities. */
    async function logged() {
      counter += 1;
      const name = `encryption-test-${counter}`;
      const keys = await testStoreKeys();
      const log: string[] = [];
      const below: Middleware<DBCore> = {
        stack: 'dbcore',
        name: 'ReadLog',
        level: -3,
        create: (down) => ({
          ...down,
          table(table) {
            const inner = down.table(table);
            if (table !== 'entities') return inner;
            return {
              ...inner,
              query: (req) => {
                if (req.values) log.push(`read ${req.limit ?? 'all'}`);
                return inner.query(req);
              },
            };
          },
        }),
      };
      const db = new TesseraDatabase(name, undefined, { encryption: () => keys });
      db.use(below);
      await db.open();
      const raw = new TesseraDatabase(name);
      await raw.open();
      opened.push(raw, db);
      const records = Array.from({ length: ROWS }, (_, i) => ({
        kind: 'entity' as const,
        id: `e${String((i * 7919) % ROWS).padStart(5, '0')}`,
        caseId: CASE,
        schema: SCHEMAS[i % 3 === 0 ? 1 : 0],
        updatedAt: `h${i}`,
        properties: { name: [`name ${i}`] },
        searchText: '',
      }));
      await db.table('entities').bulkPut(records);
      log.length = 0;
      return { db, raw, log, records };
    }

    const range = (db: TesseraDatabase, schema: string, after: string) =>
      db.entities
        .where('[caseId+schema+id]')
        .between([CASE, schema, after], [CASE, schema, Dexie.maxKey], false, true);

    it('returns exactly the rows of one read, in order, for any range and limit', async () => {
      const { db, records } = await logged();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...SCHEMAS),
          fc.integer({ min: 0, max: ROWS }),
          fc.option(fc.integer({ min: 1, max: ROWS + 10 }), { nil: undefined }),
          async (schema, from, limit) => {
            const after = `e${String(from).padStart(5, '0')}`;
            const expected = records
              .filter((r) => r.schema === schema && r.id > after)
              .sort((a, b) => (a.id < b.id ? -1 : 1))
              .slice(0, limit ?? Infinity);
            const query = range(db, schema, after);
            const rows = await (limit === undefined ? query : query.limit(limit)).toArray();
            expect(rows).toEqual(expected);
          },
        ),
        { numRuns: 30 },
      );
    });

    it('asks for each part before the part before it is opened', async () => {
      const { db, log } = await logged();
      const subtle = globalThis.crypto.subtle;
      const original = subtle.decrypt.bind(subtle);
      const decrypt = vi
        .spyOn(subtle, 'decrypt')
        .mockImplementation((...args: Parameters<SubtleCrypto['decrypt']>) => {
          log.push('open');
          return original(...args);
        });
      try {
        const rows = await range(db, 'Person', '')
          .limit(2 * READ_AHEAD_ROWS + 5)
          .toArray();
        expect(rows).toHaveLength(2 * READ_AHEAD_ROWS + 5);
      } finally {
        decrypt.mockRestore();
      }
      const reads = log.flatMap((entry, at) => (entry.startsWith('read') ? [at] : []));
      expect(log.filter((entry) => entry.startsWith('read'))).toEqual([
        `read ${READ_AHEAD_ROWS}`,
        `read ${READ_AHEAD_ROWS}`,
        'read 5',
      ]);
      // Each read after the first went out before any row of the part before it was opened.
      expect(log.slice(0, 2)).toEqual([`read ${READ_AHEAD_ROWS}`, `read ${READ_AHEAD_ROWS}`]);
      expect(log.slice(reads[1]! + 1, reads[2]!).every((entry) => entry === 'open')).toBe(true);
      expect(reads[2]! - reads[1]! - 1).toBe(READ_AHEAD_ROWS);
    });

    it('refuses the whole read when a row of a later part was tampered with', async () => {
      const { db, raw } = await logged();
      const ids = (await range(db, 'Person', '').primaryKeys()).sort();
      const victim = ids[READ_AHEAD_ROWS + 17]!;
      const donor = ids[3]!;
      const row = (await raw.entities.get(victim)) as unknown as SealedRow;
      const other = (await raw.entities.get(donor)) as unknown as SealedRow;
      // The donor's envelope under the victim's id: authentic bytes, the wrong slot.
      await raw.table('entities').put({ ...row, _e: other._e });
      expect(await codeOf(range(db, 'Person', '').toArray())).toBe('tampered');
      expect(await codeOf(range(db, 'Person', '').limit(ids.length).toArray())).toBe('tampered');
      // A read that stops before that row still opens.
      const before = await range(db, 'Person', '')
        .limit(READ_AHEAD_ROWS + 17)
        .toArray();
      expect(before.map((r) => r.id)).toEqual(ids.slice(0, READ_AHEAD_ROWS + 17));
    });
  });

  it('loads a case into the case store through reads in parts, as one read would', async () => {
    const { db, repo, name } = await setUp();
    const file = createDemoCase({ agencyId: 'test-agency', now: new Date(2026, 0, 1) });
    const caseId = await repo.importCase(file);
    const template = (await repo.listEntities(caseId)).find((r) => !isEdgeSchema(r.schema))!;
    // Written straight to the table (as tests may): enough rows of one type for parts.
    await db.entities.bulkPut(
      Array.from({ length: 2 * READ_AHEAD_ROWS + 40 }, (_, i) => ({
        ...template,
        id: `clone-${String(i).padStart(4, '0')}`,
        searchText: '',
      })),
    );
    // Row by row (a case written before schema v7), the path that reads in parts.
    await stripBlockLabels(name);
    const registry = testCaseStores(db, { sliceSize: 2 * READ_AHEAD_ROWS + 1, keepMs: 10 });
    const { store, release } = registry.acquire(caseId);
    await storeReady(store);
    const byId = (records: readonly { id: string; updatedAt: string }[]) =>
      new Map(records.map((r) => [r.id, r.updatedAt]));
    expect(byId(store.snapshot().all!)).toEqual(byId(await repo.listEntities(caseId)));
    release();
    registry.dispose();
  });
});
