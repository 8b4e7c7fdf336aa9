// In-memory full-text index over FtM entities, notes and attachment text.
//
// Structure
// - Documents get a dense number (reused after removal). Per document we keep its source (for
//   snippets and exact-match boosts), its distinct term ids (for removal), a weighted length,
//   date intervals and country codes (for filters).
// - Postings: for every term id two parallel arrays (document numbers, weighted term frequency).
//   Order inside a list does not matter, so removal is a swap-delete.
// - Vocabulary helpers: a trigram → term-id dictionary over alphabetic terms (typo tolerance) and
//   a sorted term array plus a small unsorted tail of new terms (prefix completion of the term
//   being typed). The tail is merged into the sorted array when it grows.
//
// Query evaluation
// Each query term expands to variants: itself, completions if it is the last term being typed,
// and dictionary terms within a bounded edit distance (1 for 4–7 chars, 2 from 8; optimal string
// alignment, so a swap of neighbours counts once). Candidates are found with the trigram
// count filter — an edit destroys at most 4 distinct query trigrams — and verified with a banded
// distance. A variant scores BM25 (k1 1.2, b 0.75) times a weight (exact 1, completion ≤ 0.9,
// typo 0.7 / 0.5); a term contributes its best variant per document. Only documents matching the
// largest number of query terms (among those passing the filters, checked bucket by bucket from
// the most terms matched down) are kept, then the best few hundred get exact-match boosts
// (a field equal to the query, in any word order, or starting with it) before the final cut.
// Property fields are weighted: names 2, identifiers 1.5, everything else 1. Values with digits
// are also indexed compacted ('+359 88 123 4567' → '359881234567'), phones also by E.164 digits
// and national number; a long digit query token also tries itself without '00' / trunk '0'.

import { dateInterval } from '../model/dates.ts';
import { tokenize, tokenSpans } from './fold.ts';
import { boundedEditDistance, trigrams, typoBudget } from './fuzzy.ts';
import { isSchemaA } from '../model/schemata.ts';
import { nationalNumber, normalizePhone } from './phone.ts';
import { normalizeIban } from './identifiers.ts';
import type { DocKind, SearchDocument, SearchHit, SearchOptions } from './types.ts';

const NAME_PROPS = new Set([
  'name',
  'alias',
  'weakAlias',
  'previousName',
  'firstName',
  'lastName',
  'middleName',
  'secondName',
  'fatherName',
  'motherName',
  'title',
  'fileName',
]);
const ID_PROPS = new Set([
  'phone',
  'email',
  'idNumber',
  'passportNumber',
  'number',
  'iban',
  'accountNumber',
  'registrationNumber',
  'taxNumber',
  'vatCode',
  'innCode',
  'ogrnCode',
  'leiCode',
  'swiftBic',
  'imoNumber',
  'mmsi',
  'vin',
  'licensePlate',
  'publicKey',
  'website',
]);
const COUNTRY_PROPS = new Set([
  'country',
  'countries',
  'nationality',
  'citizenship',
  'jurisdiction',
  'mainCountry',
  'birthCountry',
  'deathCountry',
  'flag',
  'pastFlags',
]);
const COUNTRY_CODE = /^[a-z]{2}$/i;

function isDateProp(prop: string): boolean {
  return prop === 'date' || prop.endsWith('Date') || prop.endsWith('At');
}

function fieldWeight(prop: string): number {
  if (NAME_PROPS.has(prop)) return 2;
  if (ID_PROPS.has(prop)) return 1.5;
  return 1;
}

const K1 = 1.2;
const B = 0.75;
const MAX_COMPLETIONS = 40;
const MAX_TYPO_VARIANTS = 30;
const PENDING_LIMIT = 2048;
const RERANK_POOL = 200;
const MAX_QUERY_TERMS = 32;
const WIDEN = 24;
const HAS_LETTER = /[a-z]/;
const HAS_DIGIT = /[0-9]/;
const ALNUM_END = /[\p{L}\p{N}]$/u;

export interface SearchIndex {
  /** Adds a document; one with the same id is replaced. */
  add(doc: SearchDocument): void;
  /** Replaces the document with the same id (adds it when absent). */
  update(doc: SearchDocument): void;
  /** Removes a document; returns false when the id was not indexed. */
  remove(id: string): boolean;
  has(id: string): boolean;
  readonly size: number;
  search(query: string, options?: SearchOptions): SearchHit[];
  clear(): void;
  /** Snapshot of the indexed documents; `deserializeSearchIndex` rebuilds an index from it. */
  serialize(): SearchSnapshot;
}

export interface SearchSnapshot {
  version: 1;
  docs: SearchDocument[];
}

export function createSearchIndex(): SearchIndex {
  return new InvertedIndex();
}

export function deserializeSearchIndex(snapshot: SearchSnapshot): SearchIndex {
  if (snapshot.version !== 1 || !Array.isArray(snapshot.docs)) {
    throw new Error('unsupported search snapshot');
  }
  const index = new InvertedIndex();
  for (const doc of snapshot.docs) index.add(doc);
  return index;
}

interface Variant {
  termId: number;
  weight: number;
}

function kindOf(doc: SearchDocument): DocKind {
  return doc.kind ?? 'entity';
}

/** (field label, text, weight) triples a document is indexed from, names first. */
function* fieldsOf(doc: SearchDocument): Generator<[string, string, number]> {
  if (doc.kind === 'note') {
    yield ['body', doc.body, 1];
    return;
  }
  if (doc.kind === 'attachment') {
    if (doc.name) yield ['name', doc.name, 2];
    yield ['text', doc.text, 1];
    return;
  }
  const props = Object.keys(doc.properties).sort((a, b) => fieldWeight(b) - fieldWeight(a));
  for (const prop of props) {
    const weight = fieldWeight(prop);
    for (const value of doc.properties[prop] ?? []) yield [prop, value, weight];
  }
}

class InvertedIndex implements SearchIndex {
  // documents
  private docIds: string[] = [];
  private docNo = new Map<string, number>();
  private sources: (SearchDocument | null)[] = [];
  private docTerms: (Int32Array | null)[] = [];
  private docLen: number[] = [];
  private docDates: ([string, string][] | null)[] = [];
  private docCountries: (string[] | null)[] = [];
  /** Folded name and identifier values ('ivan petrov'), for exact-match boosts. */
  private docKeys: (string[] | null)[] = [];
  private free: number[] = [];
  private totalLen = 0;
  private live = 0;
  // terms
  private termId = new Map<string, number>();
  private terms: string[] = [];
  private postDocs: number[][] = [];
  private postTfs: number[][] = [];
  private trigramTerms = new Map<string, number[]>();
  private sorted: string[] = [];
  private pending: string[] = [];
  // scratch buffers, grown with the document table
  private best = new Float64Array(0);
  private total = new Float64Array(0);
  private hits = new Uint8Array(0);

  get size(): number {
    return this.live;
  }

  has(id: string): boolean {
    return this.docNo.has(id);
  }

  clear(): void {
    Object.assign(this, new InvertedIndex());
  }

  serialize(): SearchSnapshot {
    const docs: SearchDocument[] = [];
    for (const doc of this.sources) if (doc) docs.push(doc);
    return { version: 1, docs };
  }

  update(doc: SearchDocument): void {
    this.add(doc);
  }

  add(doc: SearchDocument): void {
    if (typeof doc.id !== 'string' || doc.id === '') throw new Error('document without id');
    this.remove(doc.id);
    const n = this.free.pop() ?? this.docIds.length;
    const tf = new Map<number, number>();
    let len = 0;
    let dates: [string, string][] | null = null;
    let countries: string[] | null = null;
    let keys: string[] | null = null;
    for (const [prop, value, weight] of fieldsOf(doc)) {
      if (kindOf(doc) === 'entity') {
        if (isDateProp(prop)) {
          const interval = dateInterval(value);
          if (interval) {
            (dates ??= []).push(interval);
            // A date is searchable by its year only; month/day tokens would be noise.
            this.addTerm(tf, value.slice(0, 4), weight);
            len += weight;
            continue;
          }
        }
        if (COUNTRY_PROPS.has(prop) && COUNTRY_CODE.test(value)) {
          (countries ??= []).push(value.toLowerCase());
        }
      }
      const tokens = tokenize(value);
      for (const token of tokens) this.addTerm(tf, token, weight);
      if (weight >= 1.5 && kindOf(doc) === 'entity' && tokens.length > 0) {
        (keys ??= []).push(tokens.join(' '));
      }
      len += weight * tokens.length;
      // '+359 88 123 4567' is also findable as '359881234567', 'BG80 BNBG …' as 'bg80bnbg…'.
      const compact = tokens.join('');
      if (tokens.length > 1 && HAS_DIGIT.test(value) && value.length <= 64) {
        this.addTerm(tf, compact, weight);
      }
      // A phone is also findable by its E.164 digits and national number, so '0881234567'
      // (trunk 0 dropped at query time) finds '+359 88 123 4567'.
      if (
        prop === 'phone' ||
        (prop === 'number' &&
          doc.kind !== 'note' &&
          doc.kind !== 'attachment' &&
          doc.schema === 'Phone')
      ) {
        const e164 = normalizePhone(value);
        if (e164 && e164.slice(1) !== compact) this.addTerm(tf, e164.slice(1), weight);
        const national = e164 && nationalNumber(e164);
        if (national && national !== compact) this.addTerm(tf, national, weight);
      }
      // An IBAN is also findable in its electronic form whatever it was written with
      // ('IBAN: AT61-1904-…' → 'at611904…'), the form a whole IBAN query is reduced to.
      if (IBAN_PROP.test(prop)) {
        const iban = normalizeIban(value)?.toLowerCase();
        if (iban && iban !== compact) this.addTerm(tf, iban, weight);
      }
    }
    const ids = new Int32Array(tf.size);
    let i = 0;
    for (const [term, freq] of tf) {
      ids[i++] = term;
      this.postDocs[term].push(n);
      this.postTfs[term].push(freq);
    }
    this.docIds[n] = doc.id;
    this.docNo.set(doc.id, n);
    this.sources[n] = doc;
    this.docTerms[n] = ids;
    this.docLen[n] = len;
    this.docDates[n] = dates;
    this.docCountries[n] = countries;
    this.docKeys[n] = keys;
    this.totalLen += len;
    this.live++;
  }

  remove(id: string): boolean {
    const n = this.docNo.get(id);
    if (n === undefined) return false;
    for (const term of this.docTerms[n]!) {
      const docs = this.postDocs[term];
      const tfs = this.postTfs[term];
      const at = docs.lastIndexOf(n);
      const last = docs.length - 1;
      docs[at] = docs[last]!;
      tfs[at] = tfs[last]!;
      docs.pop();
      tfs.pop();
    }
    this.totalLen -= this.docLen[n];
    this.live--;
    this.docNo.delete(id);
    this.docIds[n] = '';
    this.sources[n] = null;
    this.docTerms[n] = null;
    this.docLen[n] = 0;
    this.docDates[n] = null;
    this.docCountries[n] = null;
    this.docKeys[n] = null;
    this.free.push(n);
    return true;
  }

  private addTerm(tf: Map<number, number>, term: string, weight: number): void {
    let id = this.termId.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.termId.set(term, id);
      this.terms.push(term);
      this.postDocs.push([]);
      this.postTfs.push([]);
      this.pending.push(term);
      if (term.length >= 3 && HAS_LETTER.test(term) && !HAS_DIGIT.test(term)) {
        for (const gram of new Set(trigrams(term))) {
          let list = this.trigramTerms.get(gram);
          if (!list) this.trigramTerms.set(gram, (list = []));
          list.push(id);
        }
      }
    }
    tf.set(id, (tf.get(id) ?? 0) + weight);
  }

  private df(termId: number): number {
    return this.postDocs[termId].length;
  }

  // --- vocabulary lookups ---------------------------------------------------------------

  private mergePending(): void {
    if (this.pending.length === 0) return;
    const add = this.pending.sort();
    this.pending = [];
    const old = this.sorted;
    const out: string[] = [];
    let i = 0;
    let j = 0;
    // Dead terms stay: their ids live on and may be reused, and lookups skip df 0 anyway.
    const keep = (t: string) => out.push(t);
    while (i < old.length && j < add.length) keep(old[i] < add[j] ? old[i++] : add[j++]);
    while (i < old.length) keep(old[i++]);
    while (j < add.length) keep(add[j++]);
    this.sorted = out;
  }

  private completions(prefix: string): Variant[] {
    if (this.pending.length > PENDING_LIMIT) this.mergePending();
    const found: number[] = [];
    const sorted = this.sorted;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < sorted.length && sorted[i].startsWith(prefix); i++) {
      found.push(this.termId.get(sorted[i])!);
    }
    for (const t of this.pending) if (t.startsWith(prefix)) found.push(this.termId.get(t)!);
    const live = found.filter((id) => this.df(id) > 0 && this.terms[id] !== prefix);
    // The most frequent completions first: they are what the user most likely means.
    live.sort((a, b) => this.df(b) - this.df(a));
    return live.slice(0, MAX_COMPLETIONS).map((id) => ({
      termId: id,
      weight: 0.9 * Math.sqrt(prefix.length / this.terms[id].length),
    }));
  }

  private typoVariants(term: string): Variant[] {
    const budget = typoBudget(term.length);
    if (budget === 0 || !HAS_LETTER.test(term) || HAS_DIGIT.test(term)) return [];
    const grams = [...new Set(trigrams(term))];
    const need = Math.max(1, grams.length - 4 * budget);
    const counts = new Map<number, number>();
    for (const gram of grams) {
      const list = this.trigramTerms.get(gram);
      if (!list) continue;
      for (const id of list) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const out: (Variant & { d: number })[] = [];
    for (const [id, count] of counts) {
      if (count < need) continue;
      const candidate = this.terms[id];
      if (candidate === term || Math.abs(candidate.length - term.length) > budget) continue;
      if (this.df(id) === 0) continue;
      const d = boundedEditDistance(term, candidate, budget);
      if (d <= budget) out.push({ termId: id, weight: d === 1 ? 0.7 : 0.5, d });
    }
    out.sort((a, b) => a.d - b.d || this.df(b.termId) - this.df(a.termId));
    return out.slice(0, MAX_TYPO_VARIANTS);
  }

  // --- search ---------------------------------------------------------------------------

  private ensureScratch(): void {
    const n = this.docIds.length;
    if (this.best.length >= n) return;
    const size = Math.max(n, this.best.length * 2, 1024);
    this.best = new Float64Array(size);
    this.total = new Float64Array(size);
    this.hits = new Uint8Array(size);
  }

  private filterFor(options: SearchOptions): ((n: number) => boolean) | null {
    const schemata = options.schemata?.filter((s) => s !== '') ?? [];
    const countries = new Set((options.countries ?? []).map((c) => c.toLowerCase()));
    const from = options.dateFrom ? dateInterval(options.dateFrom)?.[0] : undefined;
    const to = options.dateTo ? dateInterval(options.dateTo)?.[1] : undefined;
    if (options.dateFrom && !from) throw new Error(`invalid dateFrom: ${options.dateFrom}`);
    if (options.dateTo && !to) throw new Error(`invalid dateTo: ${options.dateTo}`);
    if (schemata.length === 0 && countries.size === 0 && !from && !to) return null;
    const schemaOk = new Map<string, boolean>();
    const wanted = new Set(schemata);
    return (n) => {
      const doc = this.sources[n]!;
      if (wanted.size > 0) {
        if (doc.kind === 'note' || doc.kind === 'attachment') {
          if (!wanted.has(doc.kind)) return false;
        } else {
          let ok = schemaOk.get(doc.schema);
          if (ok === undefined) {
            ok = wanted.has('entity') || schemata.some((s) => isSchemaA(doc.schema, s));
            schemaOk.set(doc.schema, ok);
          }
          if (!ok) return false;
        }
      }
      if (countries.size > 0) {
        const have = this.docCountries[n];
        if (!have) return false;
        let any = false;
        for (const c of have) if (countries.has(c)) any = true;
        if (!any) return false;
      }
      if (from || to) {
        const dates = this.docDates[n];
        if (!dates) return false;
        const lo = from ?? '0000-01-01';
        const hi = to ?? '9999-12-31';
        if (!dates.some(([s, e]) => s <= hi && e >= lo)) return false;
      }
      return true;
    };
  }

  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = Math.max(1, Math.floor(options.limit ?? 20));
    const filter = this.filterFor(options);
    const identifier = identifierTerm(query);
    const tokens = identifier
      ? [identifier]
      : [...new Set(tokenize(query))].slice(0, MAX_QUERY_TERMS);
    if (tokens.length === 0) return this.browse(limit, filter);
    this.ensureScratch();
    const typing = ALNUM_END.test(query);
    const groups: Variant[][] = tokens.map((token, i) => {
      const variants: Variant[] = [];
      for (const form of numberForms(token)) {
        const exact = this.termId.get(form);
        if (exact !== undefined && this.df(exact) > 0) variants.push({ termId: exact, weight: 1 });
      }
      if (typing && i === tokens.length - 1) variants.push(...this.completions(token));
      variants.push(...this.typoVariants(token));
      return variants;
    });

    const { best, total, hits } = this;
    const N = Math.max(1, this.live);
    const avgLen = this.totalLen / N || 1;
    const touched: number[] = [];
    for (const variants of groups) {
      const groupDocs: number[] = [];
      for (const { termId, weight } of variants) {
        const docs = this.postDocs[termId];
        const tfs = this.postTfs[termId];
        const df = docs.length;
        const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5)) * weight;
        for (let k = 0; k < df; k++) {
          const n = docs[k];
          const tf = tfs[k];
          const s = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * this.docLen[n]) / avgLen));
          if (best[n] === 0) groupDocs.push(n);
          if (s > best[n]) best[n] = s;
        }
      }
      for (const n of groupDocs) {
        if (hits[n] === 0) touched.push(n);
        total[n] = total[n] + best[n];
        hits[n] = hits[n] + 1;
        best[n] = 0;
      }
    }

    // Keep documents that match the most query terms (soft AND), best scores first.
    // The filter runs bucket by bucket from the most terms matched down, so it usually sees
    // only the few documents of the top bucket rather than every document touched.
    const buckets: number[][] = Array.from({ length: groups.length + 1 }, () => []);
    for (const n of touched) buckets[hits[n]!]!.push(n);
    let kept: number[] = [];
    for (let h = groups.length; h > 0 && kept.length === 0; h--) {
      kept = filter ? buckets[h]!.filter(filter) : buckets[h]!;
    }
    const pool = topK(kept, total, Math.max(RERANK_POOL, limit));
    const scores = new Map<number, number>();
    const q = tokens.join(' ');
    const qSorted = [...tokens].sort().join(' ');
    for (const n of pool) scores.set(n, total[n] * this.exactBoost(n, q, qSorted));
    for (const n of touched) {
      total[n] = 0;
      hits[n] = 0;
    }
    pool.sort((a, b) => scores.get(b)! - scores.get(a)! || a - b);
    return pool.slice(0, limit).map((n) => this.hit(n, scores.get(n)!, groups));
  }

  /** Filter-only listing (empty query), in insertion order. */
  private browse(limit: number, filter: ((n: number) => boolean) | null): SearchHit[] {
    if (!filter) return [];
    const out: SearchHit[] = [];
    for (let n = 0; n < this.docIds.length && out.length < limit; n++) {
      if (this.sources[n] && filter(n)) out.push(this.hit(n, 0, []));
    }
    return out;
  }

  private exactBoost(n: number, q: string, qSorted: string): number {
    let boost = 1;
    for (const v of this.docKeys[n] ?? []) {
      if (v === q) return 2;
      if (v.length === q.length && v.split(' ').sort().join(' ') === qSorted) boost = 1.8;
      else if (boost < 1.3 && v.startsWith(q)) boost = 1.3;
    }
    return boost;
  }

  private hit(n: number, score: number, groups: Variant[][]): SearchHit {
    const doc = this.sources[n]!;
    const own = new Set(this.docTerms[n]);
    const matched: string[] = [];
    for (const variants of groups) {
      // The variant listed first is the strongest kind (exact, then completion, then typo).
      const v = variants.find((x) => own.has(x.termId));
      if (v) matched.push(this.terms[v.termId]);
    }
    const hit: SearchHit = {
      id: doc.id,
      kind: kindOf(doc),
      score: Math.round(score * 1000) / 1000,
      matchedTerms: matched,
    };
    if (doc.kind !== 'note' && doc.kind !== 'attachment') hit.schema = doc.schema;
    const snippet = matched.length > 0 ? snippetFor(doc, new Set(matched)) : undefined;
    if (snippet) hit.snippet = snippet;
    return hit;
  }
}

const IBAN_PROP = /iban/i;

/**
 * The one index term of a query that is a whole IBAN or international phone number, written with
 * any spacing ('AT61 1904 3002 3457 3201', '0043 664 1234567'): such a query is one identifier,
 * not several words that each must match (issue 12: a spaced IBAN found nothing).
 */
function identifierTerm(query: string): string | undefined {
  if (!HAS_DIGIT.test(query) || query.length > 64) return undefined;
  const iban = normalizeIban(query);
  if (iban) return iban.toLowerCase();
  if (/^\s*(?:\+|00)/.test(query)) return normalizePhone(query)?.slice(1);
  return undefined;
}

/** A query token plus, for long digit strings, the number without '00' or a trunk '0'. */
function numberForms(token: string): string[] {
  if (token.length < 6 || !/^\d+$/.test(token) || token[0] !== '0') return [token];
  return [token, token.startsWith('00') ? token.slice(2) : token.slice(1)];
}

function topK(docs: number[], score: Float64Array, k: number): number[] {
  if (docs.length <= k) return docs.slice();
  // Min-heap of the k best so far.
  const heap: number[] = [];
  const less = (a: number, b: number) => score[a] < score[b] || (score[a] === score[b] && a > b);
  for (const n of docs) {
    if (heap.length < k) {
      heap.push(n);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!less(heap[i], heap[p])) break;
        [heap[i], heap[p]] = [heap[p], heap[i]];
        i = p;
      }
    } else if (less(heap[0], n)) {
      heap[0] = n;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < k && less(heap[l], heap[m])) m = l;
        if (r < k && less(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
  }
  return heap;
}

const SNIPPET_BEFORE = 60;
const SNIPPET_AFTER = 100;

function snippetFor(doc: SearchDocument, matched: Set<string>): string | undefined {
  for (const [field, value] of fieldsOf(doc)) {
    const spans = tokenSpans(value);
    const first = spans.find((s) => matched.has(s.token));
    if (!first && !(HAS_DIGIT.test(value) && matched.has(spans.map((s) => s.token).join('')))) {
      continue;
    }
    if (doc.kind === 'entity' || doc.kind === undefined) {
      const text = value.length > 160 ? `${value.slice(0, 157)}…` : value;
      return `${field}: ${text}`;
    }
    const at = first ?? spans[0];
    let start = Math.max(0, at.start - SNIPPET_BEFORE);
    let end = Math.min(value.length, at.end + SNIPPET_AFTER);
    // Widen to whole words.
    for (let k = 0; k < WIDEN && start > 0 && /\S/.test(value[start - 1]); k++) start--;
    for (let k = 0; k < WIDEN && end < value.length && /\S/.test(value[end]); k++) end++;
    const body = value.slice(start, end).replace(/\s+/g, ' ').trim();
    return `${start > 0 ? '…' : ''}${body}${end < value.length ? '…' : ''}`;
  }
  return undefined;
}
