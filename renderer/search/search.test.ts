import { describe, expect, it } from 'vitest';
import { createSearchHandler, createSearchRpc } from '../../shared/search/rpc.ts';
import type { SearchSend } from '../../shared/search/rpc.ts';
import type { AttachmentRecord, EntityRecord, NoteRecord } from '../../shared/model/index.ts';
import { CaseIndexSync, diffVersions } from '../../shared/search/indexSync.ts';
import {
  filterProblems,
  highlight,
  NO_FILTERS,
  resultRows,
  searchOptions,
  typeOptions,
} from './searchModel.ts';

/** Hands calls to a real handler as the worker would (copied, in order); counts calls by type. */
function fakeWorker(counts: Record<string, number>): SearchSend {
  const handle = createSearchHandler();
  let queue: Promise<unknown> = Promise.resolve();
  return (call) => {
    counts[call.type] = (counts[call.type] ?? 0) + 1;
    const copy = structuredClone(call);
    const answer = queue.then(async () => structuredClone(await handle(copy)));
    queue = answer.catch(() => undefined);
    return answer;
  };
}

const entity = (id: string, updatedAt: string, schema: string, properties: object) =>
  ({ id, updatedAt, schema, properties, kind: 'entity', caseId: 'c' }) as unknown as EntityRecord;
const note = (id: string, updatedAt: string, title: string, body: string) =>
  ({ id, updatedAt, title, body, kind: 'note', caseId: 'c' }) as unknown as NoteRecord;
const attachment = (id: string, updatedAt: string, fileName: string, mediaType: string) =>
  ({ id, updatedAt, fileName, mediaType, kind: 'attachment', caseId: 'c' }) as AttachmentRecord;

describe('diffVersions', () => {
  it('reports new, changed and removed records and remembers the new state', () => {
    const seen = new Map<string, string>();
    const first = diffVersions(seen, [
      { id: 'a', updatedAt: '1' },
      { id: 'b', updatedAt: '1' },
    ]);
    expect(first).toEqual({ upserts: first.upserts, removed: [], fresh: true });
    expect(first.upserts.map((r) => r.id)).toEqual(['a', 'b']);
    const second = diffVersions(seen, [
      { id: 'b', updatedAt: '2' },
      { id: 'c', updatedAt: '1' },
    ]);
    expect(second.upserts.map((r) => r.id)).toEqual(['b', 'c']);
    expect(second.removed).toEqual(['a']);
    // 'b' was sent before: the index holds it, so the batch is not fresh.
    expect(second.fresh).toBe(false);
    expect(
      diffVersions(
        seen,
        [...seen].map(([id, updatedAt]) => ({ id, updatedAt })),
      ),
    ).toEqual({
      upserts: [],
      removed: [],
      fresh: true,
    });
  });

  it('calls a diff fresh only when no upsert was sent before and no id repeats', () => {
    const seen = new Map<string, string>();
    expect(diffVersions(seen, [{ id: 'a', updatedAt: '1' }]).fresh).toBe(true);
    expect(
      diffVersions(seen, [
        { id: 'a', updatedAt: '1' },
        { id: 'b', updatedAt: '1' },
      ]).fresh,
    ).toBe(true);
    // The same id twice in one list, in two versions: both are sent, the second replacing.
    const twice = diffVersions(new Map(), [
      { id: 'x', updatedAt: '1' },
      { id: 'x', updatedAt: '2' },
    ]);
    expect(twice.upserts).toHaveLength(2);
    expect(twice.fresh).toBe(false);
    // Removed and then added again: it was removed from the index before, so it is new there.
    diffVersions(seen, []);
    expect(diffVersions(seen, [{ id: 'a', updatedAt: '1' }]).fresh).toBe(true);
  });
});

describe('CaseIndexSync', () => {
  it('indexes entities, notes and attachment text, then applies only the changes', async () => {
    const counts: Record<string, number> = {};
    const client = createSearchRpc(fakeWorker(counts));
    const files: Record<string, Uint8Array> = {
      f1: new TextEncoder().encode('Surveillance log: the van left Constanta at dawn.'),
      f2: new Uint8Array([137, 80, 78, 71]),
    };
    const sync = new CaseIndexSync(client, (id) => Promise.resolve(files[id]!));
    const people = [
      entity('p1', '1', 'Person', { name: ['Radu Cazacu'], nationality: ['ro'] }),
      entity('p2', '1', 'Person', { name: ['Elena Cazacu'] }),
    ];
    expect(await sync.syncEntities(people)).toBe(true);
    expect(
      await sync.syncNotes([note('n1', '1', 'Meeting', 'Cazacu met a driver in Verona')]),
    ).toBe(true);
    await sync.syncAttachments([
      attachment('f1', '1', 'log.txt', 'text/plain'),
      attachment('f2', '1', 'photo.png', 'image/png'),
    ]);
    expect((await client.search('kazacu')).map((h) => h.id).sort()).toEqual(['n1', 'p1', 'p2']);
    expect((await client.search('constanta'))[0]?.id).toBe('f1');
    expect((await client.search('photo'))[0]?.id).toBe('f2');

    // Unchanged lists send nothing; an edit sends one document; a removal removes.
    // Entities travel packed (shared/search/packed.ts).
    const updates = counts.updatePacked ?? 0;
    expect(updates).toBe(1);
    expect(await sync.syncEntities(people)).toBe(false);
    expect(counts.updatePacked ?? 0).toBe(updates);
    await sync.syncEntities([entity('p1', '2', 'Person', { name: ['Radu Capitanu'] })]);
    expect(counts.updatePacked).toBe(updates + 1);
    expect((await client.search('capitanu'))[0]?.id).toBe('p1');
    expect(await client.search('elena')).toEqual([]);
    await sync.syncAttachments([]);
    expect(await client.search('constanta')).toEqual([]);
    expect(await client.size()).toBe(2);
  });
});

describe('search model', () => {
  it('builds engine options and checks the filter fields', () => {
    expect(
      searchOptions({ type: 'Person', dateFrom: '1979', dateTo: '', countries: 'RO, at' }),
    ).toEqual({ limit: 50, schemata: ['Person'], dateFrom: '1979', countries: ['ro', 'at'] });
    expect(searchOptions(NO_FILTERS)).toEqual({ limit: 50 });
    expect(filterProblems({ ...NO_FILTERS, dateFrom: '14/03/1979', countries: 'rom' })).toEqual({
      dateFrom: 'Use YYYY, YYYY-MM or YYYY-MM-DD',
      countries: 'Not a two-letter country code: rom',
    });
    expect(filterProblems({ ...NO_FILTERS, dateTo: '2025-06' })).toEqual({});
    // Shaped like a date but not one: said at the field, not a silent "0 results" (issue 12).
    expect(filterProblems({ ...NO_FILTERS, dateFrom: '2024-02-30' }).dateFrom).toMatch(/28|29|day/);
    expect(filterProblems({ ...NO_FILTERS, dateTo: '2024-13' }).dateTo).toMatch(/month 13/);
    expect(filterProblems({ ...NO_FILTERS, dateFrom: '2025-06', dateTo: '2024' })).toEqual({
      dateTo: 'The end date is before the start date',
    });
    expect(filterProblems({ ...NO_FILTERS, dateFrom: '2024-06-15', dateTo: '2024-06' })).toEqual(
      {},
    );
  });

  it('highlights matched words, accents and case folded', () => {
    expect(highlight('name: Radu Căzacu (Radu)', ['cazacu', 'radu'])).toEqual([
      { text: 'name: ', match: false },
      { text: 'Radu', match: true },
      { text: ' ', match: false },
      { text: 'Căzacu', match: true },
      { text: ' (', match: false },
      { text: 'Radu', match: true },
      { text: ')', match: false },
    ]);
    expect(highlight('nothing here', ['x'])).toEqual([{ text: 'nothing here', match: false }]);
  });

  it('labels rows and drops hits no longer in the case', () => {
    const p = entity('p1', '1', 'Person', { name: ['Radu Cazacu'] });
    const rows = resultRows(
      [
        { id: 'p1', kind: 'entity', schema: 'Person', score: 2, matchedTerms: ['radu'] },
        { id: 'gone', kind: 'entity', score: 1, matchedTerms: [] },
        { id: 'n1', kind: 'note', score: 1, matchedTerms: [] },
      ],
      {
        entities: new Map([['p1', p]]),
        notes: new Map([['n1', note('n1', '1', 'Meeting', 'x')]]),
        attachments: new Map(),
      },
    );
    expect(rows.map((r) => [r.caption, r.typeLabel])).toEqual([
      ['Radu Cazacu', 'Person'],
      ['Meeting', 'Note'],
    ]);
    expect(typeOptions([p, p, entity('c', '1', 'Company', {})]).map((t) => t.value)).toEqual([
      'Person',
      'Company',
    ]);
  });
});
