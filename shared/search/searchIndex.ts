// In-memory full-text index over FtM entities, notes and attachment text.
//
// Structure (lean enough for a million records in a worker; issue 13)
// - Documents get a dense number. Per document a few typed-array columns (kind, schema, weighted
//   length, where its source starts) and its source as interned (property, value) pairs plus date
//   intervals as day numbers in one Int32 pool: a million calls share a few hundred thousand
//   distinct values. The source gives snippets, exact-match boosts, filters, and the terms to
//   take back on removal (the analysis is re-run: `analyze` is the one definition of the terms).
// - Postings: for every term id two parallel lists (document numbers, weighted term frequency),
//   in no particular order. Removal marks the document dead and lowers its terms' live counts;
//   dead postings are skipped and swept out together (`purge`) once there are many, after which
//   the numbers are reused.
// - Persisted form (`serialize` / `loadSearchIndex`, container in binary.ts): the live documents
//   renumbered densely, the columns, the pool, the live vocabulary in sorted order and the
//   postings end to end, each term's as gaps between ascending document numbers; the integer
//   lists as varints (a third of their Int32 size). Loading decodes those lists once; a term's
//   postings become a view on them when first read (copied into a growable array on the term's
//   first change) and the id → number map is built on the first change, so reopening a case
//   analyses nothing and a case that is only searched never builds it.
// - Entities arrive from the UI thread packed (packed.ts, `addPacked`): flat strings and a shape
//   array instead of a million cloned objects; `add` and `addPacked` share one indexing step
//   (`commit`) and give the same index byte for byte.
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
import { foldedWords, tokenize, tokenSpans } from './fold.ts';
import { boundedEditDistance, trigrams, typoBudget } from './fuzzy.ts';
import { isSchemaA } from '../model/schemata.ts';
import { nationalNumber, normalizePhone } from './phone.ts';
import { normalizeIban } from './identifiers.ts';
import type { DocKind, SearchDocument, SearchHit, SearchOptions } from './types.ts';
import { BinaryReader, BinaryWriter, SearchIndexError } from './binary.ts';
import type { PackedEntities } from './packed.ts';

export { SearchIndexError } from './binary.ts';
export type { SearchIndexErrorCode } from './binary.ts';

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

/**
 * Properties holding a phone number: FtM's `phone`, a Phone's `number`, and a Call's two numbers
 * (so a call is found by the national form of either number, as its Phones are).
 */
function isPhoneProp(prop: string, phoneSchema: boolean): boolean {
  return (
    prop === 'phone' ||
    prop === 'callerNumber' ||
    prop === 'receiverNumber' ||
    (prop === 'number' && phoneSchema)
  );
}

function isDateProp(prop: string): boolean {
  return prop === 'date' || prop.endsWith('Date') || prop.endsWith('At');
}

function fieldWeight(prop: string): number {
  if (NAME_PROPS.has(prop)) return 2;
  if (ID_PROPS.has(prop)) return 1.5;
  return 1;
}

/** fieldWeight's values, in the order a document's fields are indexed (names first). */
const WEIGHTS = [2, 1.5, 1] as const;

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
  /**
   * Adds (or replaces) the entities of a packed batch, exactly as `add` of each would; returns
   * how many. Throws when the batch's strings and shape disagree.
   */
  addPacked(batch: PackedEntities): number;
  /** Removes a document; returns false when the id was not indexed. */
  remove(id: string): boolean;
  has(id: string): boolean;
  readonly size: number;
  search(query: string, options?: SearchOptions): SearchHit[];
  clear(): void;
  /** Ids of the indexed documents. */
  ids(): string[];
  /**
   * The index in its persisted form (binary.ts, format SEARCH_INDEX_FORMAT): `loadSearchIndex`
   * reads it back without analysing a document again.
   */
  serialize(): Uint8Array<ArrayBuffer>;
  /**
   * The index as a shard for another index's `mergeShard`: a build split over two workers hands
   * the second half over this way. Raw columns, quick to write and read; not a storage format.
   */
  exportShard(): Uint8Array<ArrayBuffer>;
  /**
   * Adds the documents of another index's `exportShard()` after this index's own, exactly as
   * adding them one by one here would have (same numbers, same term and value ids: the index
   * serialises to the same bytes); a document whose id is indexed here replaces it. Returns how
   * many. `fresh`: the sender knows that none of the shard's ids is indexed here (as a batch's
   * `fresh`, packed.ts), so they are not looked up. Throws SearchIndexError 'unsupported'
   * (another format) or 'corrupt'.
   */
  mergeShard(bytes: Uint8Array, options?: { readonly fresh?: boolean }): number;
}

/** Bumped whenever the persisted layout or the analysis (what a document is indexed as) changes. */
export const SEARCH_INDEX_FORMAT = 3;
/**
 * A shard's layout (exportShard), checked by mergeShard: shards pass between two workers of one
 * build and are never stored. 4: frequencies as Float32 (as the postings hold them).
 */
const SHARD_FORMAT = `${SEARCH_INDEX_FORMAT}.4`;

export function createSearchIndex(): SearchIndex {
  return new InvertedIndex();
}

/**
 * An index from `serialize()`'s bytes. Throws SearchIndexError 'unsupported' for another format
 * (the caller rebuilds) and 'corrupt' for bytes that do not hold together.
 */
export function loadSearchIndex(bytes: Uint8Array): SearchIndex {
  return InvertedIndex.load(bytes);
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

/**
 * What a property value is indexed as: its terms, through `emit` (each weighs the field's weight);
 * `tokens` counts toward the document's length. It depends only on the property's class
 * (`fieldClass`), the value and whether the document is an entity, so a value that repeats is
 * analysed once (`fieldAt`), and indexing, removal and a hit's matched terms agree by
 * construction.
 */
function analyzeField(
  prop: string,
  value: string,
  entity: boolean,
  phoneSchema: boolean,
  emit: (term: string) => void,
): { tokens: number; interval: [string, string] | null } {
  if (entity && isDateProp(prop)) {
    const interval = dateInterval(value);
    if (interval) {
      // A date is searchable by its year only; month/day tokens would be noise.
      emit(value.slice(0, 4));
      return { tokens: 1, interval };
    }
  }
  const tokens = tokenize(value);
  for (const token of tokens) emit(token);
  // '+359 88 123 4567' is also findable as '359881234567', 'BG80 BNBG …' as 'bg80bnbg…'.
  const compact = tokens.join('');
  if (tokens.length > 1 && HAS_DIGIT.test(value) && value.length <= 64) emit(compact);
  // A phone is also findable by its E.164 digits and national number, so '0881234567'
  // (trunk 0 dropped at query time) finds '+359 88 123 4567'.
  if (isPhoneProp(prop, phoneSchema)) {
    const e164 = normalizePhone(value);
    if (e164 && e164.slice(1) !== compact) emit(e164.slice(1));
    const national = e164 && nationalNumber(e164);
    if (national && national !== compact) emit(national);
  }
  // An IBAN is also findable in its electronic form whatever it was written with
  // ('IBAN: AT61-1904-…' → 'at611904…'), the form a whole IBAN query is reduced to.
  if (IBAN_PROP.test(prop)) {
    const iban = normalizeIban(value)?.toLowerCase();
    if (iban && iban !== compact) emit(iban);
  }
  return { tokens: tokens.length, interval: null };
}

/** Property values longer than this are not remembered (free text seldom repeats). */
const FIELD_CACHE_VALUE = 128;
/** An analysis's `lo` when the value is not a date (or not a valid one). */
const NO_DAY = -0x80000000;

/** fieldClass's classes besides plain (0) and IBAN (3). */
const FIELD_DATE = 1;
const FIELD_PHONE = 2;

/** How `analyzeField` treats a property: 0 plain, 1 date, 2 phone, 3 IBAN. */
function fieldClass(prop: string, phoneSchema: boolean): number {
  if (isDateProp(prop)) return FIELD_DATE;
  if (isPhoneProp(prop, phoneSchema)) return FIELD_PHONE;
  return IBAN_PROP.test(prop) ? 3 : 0;
}

/** Days since 1970-01-01 of an ISO date 'YYYY-MM-DD' (any year), NaN when it is not one. */
function dayNumber(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return NaN;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Math.round(d.getTime() / 86_400_000);
}

type Growable = Int32Array | Float64Array | Float32Array | Uint8Array;

/** `a`, or a copy at least `need` long (doubling) when it is shorter. */
function grown<T extends Growable>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2, 64));
  (b as Uint8Array).set(a as Uint8Array);
  return b;
}

/** Strings numbered in the order first seen; the look-up map is built on first use. */
class Interner {
  private map: Map<string, number> | null = null;
  /**
   * Whether a string may be listed twice (see appendAll): then `id` answers the last of them,
   * and whoever needs one number per string (a save) looks strings up itself.
   */
  repeats = false;
  constructor(readonly strings: string[] = []) {}

  /**
   * Lists `list` after the strings here without looking any up (the first gets the returned
   * number, the next the one after): a merged shard's values, most of them new here, whose
   * look-ups were a third of a merge. The look-up map is built again when next needed.
   */
  appendAll(list: readonly string[]): number {
    const first = this.strings.length;
    for (const value of list) this.strings.push(value);
    this.map = null;
    this.repeats = true;
    return first;
  }

  id(value: string): number {
    if (!this.map) this.map = new Map(this.strings.map((s, i) => [s, i]));
    let id = this.map.get(value);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(value);
      this.map.set(value, id);
    }
    return id;
  }
}

const KIND_CODE: Record<DocKind, number> = { entity: 0, note: 1, attachment: 2 };
const KIND_OF_CODE: readonly DocKind[] = ['entity', 'note', 'attachment'];
/** Removed documents whose postings are swept out together once there are this many (and ¼ of live). */
const PURGE_MIN = 1024;

/** A term's postings: a view on a loaded index until it changes, then a growable array. */
type DocList = Int32Array | number[];

/** The live documents of an index, renumbered densely (see liveDocs). */
interface LiveDocs {
  /** Old number → new; -1 for a removed document. */
  readonly renumber: Int32Array;
  readonly docIds: string[];
  readonly kinds: Uint8Array;
  readonly schemas: Int32Array;
  readonly lens: Float64Array;
  /** Each document's source as in the index's pool, one after another. */
  readonly pool: Int32Array;
}
type TfList = Float32Array | number[];

/** A merged shard's postings, term by term (see mergeShard). */
interface ShardPostings {
  /** Shard term → this index's term id. */
  readonly terms: Int32Array;
  /** Shard term t's postings are [start[t], start[t + 1]). */
  readonly start: Int32Array;
  /** Shard document numbers. */
  readonly docs: Int32Array;
  /** Shard document → this index's number. */
  readonly docNo: Int32Array;
  readonly tfs: Float32Array;
}

class InvertedIndex implements SearchIndex {
  // documents: dense numbers, columns in typed arrays; the source is kept as interned
  // (property, value) pairs in `pool` at `starts[n]`: [pairs, dates, (prop, value)…, (from, to)…]
  // with dates as day numbers. Removal marks a document dead; `purge` sweeps the postings later.
  private docIds: string[] = [];
  /** Id → document number; null after loading until first needed (see docNo). */
  private docNoMap: Map<string, number> | null = new Map<string, number>();
  private kinds: Uint8Array = new Uint8Array(0);
  private schemas: Int32Array = new Int32Array(0);
  private starts: Int32Array = new Int32Array(0);
  private lens: Float64Array = new Float64Array(0);
  private dead: Uint8Array = new Uint8Array(0);
  private pool: Int32Array = new Int32Array(0);
  private poolLen = 0;
  private poolGarbage = 0;
  private values = new Interner();
  private props = new Interner();
  private schemaNames = new Interner();
  private free: number[] = [];
  /**
   * Analyses kept for a value's next sighting (see fieldAt), flat so that indexing a field reads
   * two typed arrays rather than an object and its list: per slot (4 × value id + field class)
   * 0 unseen, -1 seen once, else 1 + where the analysis starts in `fieldData`.
   */
  private fieldSlot: Int32Array = new Int32Array(0);
  /**
   * Analyses end to end, each [tokens, lo, hi, term count, term ids…] with the date interval as
   * day numbers (lo NO_DAY: none); an analysis not kept is written after the last kept one.
   */
  private fieldData: Int32Array = new Int32Array(0);
  private fieldDataLen = 0;
  private fieldScratch: number[] = [];
  private deadDocs = 0;
  private totalLen = 0;
  private live = 0;
  // terms
  private termId = new Map<string, number>();
  private terms: string[] = [];
  /**
   * A term's own growable postings once it changed after the last settle; undefined while its
   * postings are the base's (see docsOf).
   */
  private postDocs: (DocList | undefined)[] = [];
  private postTfs: (TfList | undefined)[] = [];
  /**
   * The settled postings, term after term (loaded, or laid out by `rebuild`): term t's are
   * [baseStart[t], baseStart[t + 1]); terms interned since have none here.
   */
  private baseDocs: Int32Array = new Int32Array(0);
  private baseTfs: Float32Array = new Float32Array(0);
  private baseStart: Int32Array = new Int32Array(1);
  /**
   * Postings added since the last settle as (term, document, frequency), in the order added:
   * indexing writes them one after another instead of into a list per term (a cache miss and
   * an array growth each, the build's largest cost at a million calls); `settle` sorts them
   * into place, by term, before anything reads postings.
   */
  private logTerms: Int32Array = new Int32Array(0);
  private logDocs: Int32Array = new Int32Array(0);
  private logTfs: Float32Array = new Float32Array(0);
  private logLen = 0;
  /** Live documents per term (postings of dead documents stay until the next purge). */
  private liveDf: Int32Array = new Int32Array(0);
  private trigramTerms = new Map<string, number[]>();
  private sorted: string[] = [];
  /** The term id at each position of `sorted`. */
  private sortedIds: number[] = [];
  private pending: string[] = [];
  // scratch buffers, grown with the document table
  private best = new Float64Array(0);
  private total = new Float64Array(0);
  private hits = new Uint8Array(0);
  // scratch of `add` / `commit`: the fields of the document being added, its terms, its dates
  private fieldProps: number[] = [];
  private fieldValues: number[] = [];
  private touchedTerms: number[] = [];
  private days: number[] = [];
  /** Term id → frequency in the document being added; zero again after each. */
  private tfScratch = new Float64Array(0);
  /** Per property id: its field weight; per (property id, phone schema): its field class. */
  private propWeights: number[] = [];
  private propClasses: number[] = [];

  get size(): number {
    return this.live;
  }

  /**
   * Id → document number, built from `docIds` when first needed: a loaded index, or one built
   * from fresh batches (see addPacked), has none until an edit, a removal or a look-up. A
   * reopened case that only searches never needs it, and keeping it up to date during a build
   * was a tenth of the build at a million documents (two hash look-ups of a fresh id each).
   */
  private get docNo(): Map<string, number> {
    if (this.docNoMap) return this.docNoMap;
    const map = new Map<string, number>();
    const { docIds } = this;
    for (let n = 0; n < docIds.length; n++) if (docIds[n] !== '') map.set(docIds[n]!, n);
    this.docNoMap = map;
    if (map.size !== this.live) {
      // An id held twice: a sender broke a batch's `fresh` promise (or the bytes loaded were
      // damaged). The later document stays, as adding it would have replaced the earlier one.
      for (let n = 0; n < docIds.length; n++) {
        if (docIds[n] !== '' && map.get(docIds[n]!) !== n) this.retire(n);
      }
    }
    return map;
  }

  has(id: string): boolean {
    return this.docNo.has(id);
  }

  ids(): string[] {
    return [...this.docNo.keys()];
  }

  clear(): void {
    Object.assign(this, new InvertedIndex());
  }

  update(doc: SearchDocument): void {
    this.add(doc);
  }

  add(doc: SearchDocument): void {
    if (typeof doc.id !== 'string' || doc.id === '') throw new Error('document without id');
    this.remove(doc.id);
    const { fieldProps, fieldValues } = this;
    fieldProps.length = 0;
    fieldValues.length = 0;
    const field = (prop: string, value: string) => {
      fieldProps.push(this.props.id(prop));
      fieldValues.push(this.values.id(value));
    };
    if (doc.kind === 'note') {
      field('body', doc.body);
      this.commit(doc.id, KIND_CODE.note, 0, false);
    } else if (doc.kind === 'attachment') {
      if (doc.name) field('name', doc.name);
      field('text', doc.text);
      this.commit(doc.id, KIND_CODE.attachment, 0, false);
    } else {
      // Names first, then identifiers, then the rest; in key order within a weight (fieldsOf).
      const props = Object.keys(doc.properties);
      for (const weight of WEIGHTS) {
        for (const prop of props) {
          if (fieldWeight(prop) !== weight) continue;
          for (const value of doc.properties[prop] ?? []) field(prop, value);
        }
      }
      this.commit(
        doc.id,
        KIND_CODE.entity,
        this.schemaNames.id(doc.schema),
        doc.schema === 'Phone',
      );
    }
  }

  addPacked(batch: PackedEntities): number {
    const { strings, props, shape } = batch;
    const { fieldProps, fieldValues } = this;
    const fresh = batch.fresh === true;
    if (fresh) this.skipIdMap(strings.length);
    // Interned on first use, as `add` interns a property when it has a value.
    const propIds: (number | undefined)[] = [];
    const weights = props.map(fieldWeight);
    let s = 0;
    let k = 0;
    let count = 0;
    while (k < shape.length) {
      const id = strings[s]!;
      const schema = strings[s + 1]!;
      if (typeof id !== 'string' || id === '') throw new Error('document without id');
      if (!fresh) this.remove(id);
      const groups = shape[k]!;
      const first = k + 1;
      const valuesFrom = s + 2;
      k = first + 2 * groups;
      let end = valuesFrom;
      for (let g = first; g < k; g += 2) {
        if (!(shape[g]! >= 0 && shape[g]! < props.length && shape[g + 1]! >= 0)) k = -1;
        end += shape[g + 1]!;
      }
      if (k < 0 || k > shape.length || end > strings.length) {
        throw new Error('packed documents do not match their shape');
      }
      fieldProps.length = 0;
      fieldValues.length = 0;
      // As `add`: names first, then identifiers, then the rest, in the packed (key) order.
      for (const weight of WEIGHTS) {
        for (let g = first, v = valuesFrom; g < k; g += 2) {
          const p = shape[g]!;
          const n = shape[g + 1]!;
          if (weights[p] === weight) {
            for (let i = v; i < v + n; i++) {
              fieldProps.push((propIds[p] ??= this.props.id(props[p]!)));
              fieldValues.push(this.values.id(strings[i]!));
            }
          }
          v += n;
        }
      }
      s = end;
      this.commit(id, KIND_CODE.entity, this.schemaNames.id(schema), schema === 'Phone');
      count++;
    }
    if (s !== strings.length) throw new Error('packed documents do not match their shape');
    return count;
  }

  /**
   * Indexes the document whose fields `add` or `addPacked` left in `fieldProps` / `fieldValues`
   * (interned, in indexing order). Term frequencies are summed in a scratch array indexed by
   * term id rather than a map per document: a million calls made that map the build's main
   * allocation.
   */
  private commit(id: string, kind: number, schema: number, phoneSchema: boolean): void {
    const { fieldProps, fieldValues, touchedTerms, days } = this;
    const entity = kind === KIND_CODE.entity;
    const count = fieldProps.length;
    touchedTerms.length = 0;
    days.length = 0;
    let len = 0;
    for (let i = 0; i < count; i++) {
      const propId = fieldProps[i]!;
      const at = this.fieldAt(propId, fieldValues[i]!, entity, phoneSchema);
      const data = this.fieldData;
      const weight = this.propWeight(propId);
      let tf = this.tfScratch;
      for (let k = at + 4, end = at + 4 + data[at + 3]!; k < end; k++) {
        const term = data[k]!;
        if (term >= tf.length) tf = this.tfScratch = grown(tf, term + 1);
        if (tf[term] === 0) touchedTerms.push(term);
        tf[term] = tf[term]! + weight;
      }
      len += weight * data[at]!;
      if (data[at + 1] !== NO_DAY) days.push(data[at + 1]!, data[at + 2]!);
    }
    const n = this.free.pop() ?? this.docIds.length;
    if (n >= this.kinds.length) this.growDocs(n + 1);
    this.pool = grown(this.pool, this.poolLen + 2 + 2 * count + days.length);
    const pool = this.pool;
    let at = this.poolLen;
    this.starts[n] = at;
    pool[at++] = count;
    pool[at++] = days.length / 2;
    for (let i = 0; i < count; i++) {
      pool[at++] = fieldProps[i]!;
      pool[at++] = fieldValues[i]!;
    }
    for (const day of days) pool[at++] = day;
    this.poolLen = at;
    const tf = this.tfScratch;
    let w = this.logLen;
    this.reserveLog(w + touchedTerms.length);
    const { logTerms, logDocs, logTfs, liveDf } = this;
    for (const term of touchedTerms) {
      logTerms[w] = term;
      logDocs[w] = n;
      logTfs[w++] = tf[term]!;
      tf[term] = 0;
      liveDf[term]!++;
    }
    this.logLen = w;
    this.kinds[n] = kind;
    this.schemas[n] = schema;
    this.lens[n] = len;
    this.dead[n] = 0;
    this.docIds[n] = id;
    // Without a map, `docIds` is the record (a fresh batch, see addPacked).
    this.docNoMap?.set(id, n);
    this.totalLen += len;
    this.live++;
  }

  /**
   * Before adding `count` documents known to be new: the id map is dropped (built again from
   * `docIds` when next needed) unless it is larger than what is added, when keeping it up to
   * date costs less than building it again.
   */
  private skipIdMap(count: number): void {
    if (this.docNoMap !== null && this.docNoMap.size < count) this.docNoMap = null;
  }

  /** Makes the document columns at least `need` long. */
  private growDocs(need: number): void {
    if (need <= this.kinds.length) return;
    this.kinds = grown(this.kinds, need);
    this.schemas = grown(this.schemas, need);
    this.starts = grown(this.starts, need);
    this.lens = grown(this.lens, need);
    this.dead = grown(this.dead, need);
  }

  /**
   * The analysis of a property value (where it starts in `fieldData`, valid until the next call),
   * made once per distinct (value, class of property) of entities: a million calls repeat the
   * same numbers, phone ids, years and durations.
   */
  private fieldAt(propId: number, valueId: number, entity: boolean, phoneSchema: boolean): number {
    // The property matters to the analysis only as one of four classes.
    const cls = this.propClass(propId, phoneSchema);
    const slot = valueId * 4 + cls;
    // Only entities' short values are kept (below), so a kept analysis is one to use.
    const state = entity && slot < this.fieldSlot.length ? this.fieldSlot[slot]! : 0;
    if (state > 0) return state - 1;
    const value = this.values.strings[valueId]!;
    const terms = this.fieldScratch;
    terms.length = 0;
    const { tokens, interval } = analyzeField(
      this.props.strings[propId]!,
      value,
      entity,
      phoneSchema,
      (term) => terms.push(this.termFor(term)),
    );
    let lo = NO_DAY;
    let hi = NO_DAY;
    if (interval) {
      const from = dayNumber(interval[0]);
      const to = dayNumber(interval[1]);
      if (!Number.isNaN(from) && !Number.isNaN(to)) [lo, hi] = [from, to];
    }
    const at = this.fieldDataLen;
    const data = (this.fieldData = grown(this.fieldData, at + 4 + terms.length));
    data[at] = tokens;
    data[at + 1] = lo;
    data[at + 2] = hi;
    data[at + 3] = terms.length;
    for (let k = 0; k < terms.length; k++) data[at + 4 + k] = terms[k]!;
    // Kept from a value's second sighting on: most values of a case of people are unique. Dates
    // and phones are kept from the first: their analysis (a date parse; two parses by
    // libphonenumber, a fifth of a call case's build when a number was analysed twice) costs far
    // more than keeping it, and a call case repeats every number and start minute.
    if (entity && value.length <= FIELD_CACHE_VALUE) {
      this.fieldSlot = grown(this.fieldSlot, slot + 1);
      if (state === -1 || cls === FIELD_DATE || cls === FIELD_PHONE) {
        this.fieldSlot[slot] = at + 1;
        this.fieldDataLen = at + 4 + terms.length;
      } else this.fieldSlot[slot] = -1;
    }
    return at;
  }

  /** fieldWeight of a property, by id (a set look-up per field was a build cost at 1M). */
  private propWeight(propId: number): number {
    return (this.propWeights[propId] ??= fieldWeight(this.props.strings[propId]!));
  }

  /** fieldClass of a property, by id: a regular expression per field was a build cost at 1M. */
  private propClass(propId: number, phoneSchema: boolean): number {
    const slot = 2 * propId + (phoneSchema ? 1 : 0);
    return (this.propClasses[slot] ??= fieldClass(this.props.strings[propId]!, phoneSchema));
  }

  /** The distinct term ids document `n` was indexed under. */
  private termsOf(n: number): Set<number> {
    const pool = this.pool;
    const at = this.starts[n]!;
    const pairs = pool[at]!;
    const entity = this.kinds[n] === KIND_CODE.entity;
    const phoneSchema = entity && this.schemaNames.strings[this.schemas[n]!] === 'Phone';
    const out = new Set<number>();
    for (let i = 0; i < pairs; i++) {
      const field = this.fieldAt(pool[at + 2 + 2 * i]!, pool[at + 3 + 2 * i]!, entity, phoneSchema);
      const data = this.fieldData;
      for (let k = field + 4; k < field + 4 + data[field + 3]!; k++) out.add(data[k]!);
    }
    return out;
  }

  remove(id: string): boolean {
    const map = this.docNo;
    const n = map.get(id);
    if (n === undefined) return false;
    map.delete(id);
    this.retire(n);
    return true;
  }

  /** Marks document `n` removed (its id already out of the id map, if there is one). */
  private retire(n: number): void {
    for (const t of this.termsOf(n)) this.liveDf[t]!--;
    this.totalLen -= this.lens[n]!;
    this.live--;
    this.docIds[n] = '';
    this.dead[n] = 1;
    this.deadDocs++;
    const at = this.starts[n]!;
    this.poolGarbage += 2 + 2 * this.pool[at]! + 2 * this.pool[at + 1]!;
    if (this.deadDocs >= PURGE_MIN && this.deadDocs * 4 >= this.live) this.purge();
  }

  /** Sweeps dead documents out of the postings, frees their numbers and compacts the pool. */
  private purge(): void {
    const dead = this.dead;
    this.rebuild(dead);
    for (let n = 0; n < this.docIds.length; n++) {
      if (dead[n] === 1) {
        dead[n] = 0;
        this.starts[n] = -1;
        this.free.push(n);
      }
    }
    this.deadDocs = 0;
    if (this.poolGarbage * 2 > this.poolLen) this.compactPool();
  }

  private compactPool(): void {
    const old = this.pool;
    const pool = new Int32Array(Math.max(64, this.poolLen - this.poolGarbage + 64));
    let at = 0;
    for (let n = 0; n < this.docIds.length; n++) {
      if (this.docIds[n] === '') continue;
      const from = this.starts[n]!;
      const size = 2 + 2 * old[from]! + 2 * old[from + 1]!;
      pool.set(old.subarray(from, from + size), at);
      this.starts[n] = at;
      at += size;
    }
    this.pool = pool;
    this.poolLen = at;
    this.poolGarbage = 0;
  }

  /** The document as it was indexed (a note's case id is not kept). */
  private docAt(n: number): SearchDocument {
    const pool = this.pool;
    const values = this.values.strings;
    const props = this.props.strings;
    const at = this.starts[n]!;
    const pairs = pool[at]!;
    const id = this.docIds[n]!;
    const kind = KIND_OF_CODE[this.kinds[n]!];
    if (kind === 'note') return { kind, id, caseId: '', body: values[pool[at + 3]!]! };
    if (kind === 'attachment') {
      const doc: SearchDocument = { kind, id, text: '' };
      for (let i = 0; i < pairs; i++) {
        const value = values[pool[at + 3 + 2 * i]!]!;
        if (props[pool[at + 2 + 2 * i]!] === 'name') doc.name = value;
        else doc.text = value;
      }
      return doc;
    }
    const properties: Record<string, string[]> = {};
    for (let i = 0; i < pairs; i++) {
      const prop = props[pool[at + 2 + 2 * i]!]!;
      (properties[prop] ??= []).push(values[pool[at + 3 + 2 * i]!]!);
    }
    return { id, schema: this.schemaNames.strings[this.schemas[n]!]!, properties };
  }

  private termFor(term: string): number {
    let id = this.termId.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.termId.set(term, id);
      this.terms.push(term);
      // No list yet (two empty arrays per term were a good part of a build's garbage): the
      // postings go to the log, and docsOf makes a list when one is needed.
      this.postDocs.push(undefined);
      this.postTfs.push(undefined);
      this.liveDf = grown(this.liveDf, id + 1);
      this.pending.push(term);
      this.addTrigrams(term, id);
    }
    return id;
  }

  private addTrigrams(term: string, id: number): void {
    if (term.length >= 3 && HAS_LETTER.test(term) && !HAS_DIGIT.test(term)) {
      for (const gram of new Set(trigrams(term))) {
        let list = this.trigramTerms.get(gram);
        if (!list) this.trigramTerms.set(gram, (list = []));
        list.push(id);
      }
    }
  }

  private df(termId: number): number {
    return this.liveDf[termId]!;
  }

  /**
   * A term's document numbers: its own list once it changed, else a view on the loaded postings
   * (made on first use: a view per term of a large vocabulary would slow loading down).
   */
  private docsOf(t: number): DocList {
    return (this.postDocs[t] ??=
      t + 1 < this.baseStart.length
        ? this.baseDocs.subarray(this.baseStart[t], this.baseStart[t + 1])
        : []);
  }

  private tfsOf(t: number): TfList {
    return (this.postTfs[t] ??=
      t + 1 < this.baseStart.length
        ? this.baseTfs.subarray(this.baseStart[t], this.baseStart[t + 1])
        : []);
  }

  /** Room in the log for `need` postings. */
  private reserveLog(need: number): void {
    if (need <= this.logTerms.length) return;
    this.logTerms = grown(this.logTerms, need);
    this.logDocs = grown(this.logDocs, need);
    this.logTfs = grown(this.logTfs, need);
  }

  /**
   * Puts the log's postings in place, by term, before postings are read. A log that is small
   * beside the base (an edit, a search between two slices) goes onto the terms' own lists; a
   * larger one (a build) makes a new base: one counting sort by term, sequential writes.
   */
  private settle(): void {
    const len = this.logLen;
    if (len === 0) return;
    if (len * 8 >= this.baseDocs.length) {
      this.rebuild(null);
      return;
    }
    const { logTerms, logDocs, logTfs } = this;
    for (let i = 0; i < len; i++) {
      const term = logTerms[i]!;
      let docs = this.postDocs[term];
      let tfs = this.postTfs[term];
      if (!Array.isArray(docs) || !Array.isArray(tfs)) {
        docs = this.postDocs[term] = Array.from(this.docsOf(term));
        tfs = this.postTfs[term] = Array.from(this.tfsOf(term));
      }
      docs.push(logDocs[i]!);
      tfs.push(logTfs[i]!);
    }
    this.clearLog();
  }

  private clearLog(): void {
    this.logLen = 0;
    // A build's log is tens of megabytes: not kept for the next edit's few postings.
    if (this.logTerms.length > 1 << 16) {
      this.logTerms = new Int32Array(0);
      this.logDocs = new Int32Array(0);
      this.logTfs = new Float32Array(0);
    }
  }

  /**
   * A new base from every term's postings (its own list or its base range) followed by the
   * log's, in the order added, then a merged shard's (`shard`); without the postings of `dead`
   * documents when given.
   */
  private rebuild(dead: Uint8Array | null, shard?: ShardPostings): void {
    const termCount = this.terms.length;
    const { baseDocs, baseTfs, baseStart, postDocs, postTfs, logTerms, logDocs, logTfs } = this;
    const len = this.logLen;
    const baseTerms = baseStart.length - 1;
    const isLive = (n: number) => dead === null || dead[n] === 0;
    // Sizes first (in start[t + 1]), then where each term starts.
    const start = new Int32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) {
      const own = postDocs[t];
      let size = 0;
      if (own === undefined) {
        // A term interned since the base was laid out has nothing there.
        const from = t < baseTerms ? baseStart[t]! : 0;
        const to = t < baseTerms ? baseStart[t + 1]! : 0;
        if (dead === null) size = to - from;
        else for (let q = from; q < to; q++) size += dead[baseDocs[q]!] === 0 ? 1 : 0;
      } else if (dead === null) size = own.length;
      else for (let q = 0; q < own.length; q++) size += dead[own[q]!] === 0 ? 1 : 0;
      start[t + 1] = size;
    }
    for (let i = 0; i < len; i++) if (isLive(logDocs[i]!)) start[logTerms[i]! + 1]!++;
    if (shard) {
      for (let t = 0; t < shard.terms.length; t++) {
        start[shard.terms[t]! + 1]! += shard.start[t + 1]! - shard.start[t]!;
      }
    }
    for (let t = 0; t < termCount; t++) start[t + 1]! += start[t]!;
    const docs = new Int32Array(start[termCount]!);
    const tfs = new Float32Array(start[termCount]!);
    const at = start.slice(0, termCount);
    for (let t = 0; t < termCount; t++) {
      let w = at[t]!;
      const own = postDocs[t];
      if (own === undefined) {
        const to = t < baseTerms ? baseStart[t + 1]! : 0;
        for (let q = t < baseTerms ? baseStart[t]! : 0; q < to; q++) {
          const n = baseDocs[q]!;
          if (!isLive(n)) continue;
          docs[w] = n;
          tfs[w++] = baseTfs[q]!;
        }
      } else {
        const ownTfs = postTfs[t]!;
        for (let q = 0; q < own.length; q++) {
          const n = own[q]!;
          if (!isLive(n)) continue;
          docs[w] = n;
          tfs[w++] = ownTfs[q]!;
        }
      }
      at[t] = w;
    }
    for (let i = 0; i < len; i++) {
      const n = logDocs[i]!;
      if (!isLive(n)) continue;
      const w = at[logTerms[i]!]!++;
      docs[w] = n;
      tfs[w] = logTfs[i]!;
    }
    if (shard) {
      // Each shard term's postings are one block: copied in sequence, not scattered.
      const { docNo } = shard;
      for (let t = 0; t < shard.terms.length; t++) {
        const term = shard.terms[t]!;
        let w = at[term]!;
        for (let q = shard.start[t]!, to = shard.start[t + 1]!; q < to; q++) {
          docs[w] = docNo[shard.docs[q]!]!;
          tfs[w++] = shard.tfs[q]!;
        }
        at[term] = w;
      }
    }
    this.baseDocs = docs;
    this.baseTfs = tfs;
    this.baseStart = start;
    this.postDocs = new Array<DocList | undefined>(termCount);
    this.postTfs = new Array<TfList | undefined>(termCount);
    this.clearLog();
  }

  /**
   * The live documents renumbered densely, in order (so ties rank as before), with their columns
   * and their sources end to end: what a save and a shard both write. Given `values` (a save),
   * value ids are renumbered by first use and the values listed there; else they stay as here.
   */
  private liveDocs(values: string[] | null): LiveDocs {
    const renumber = new Int32Array(this.docIds.length).fill(-1);
    const docIds: string[] = [];
    const source = this.pool;
    let poolSize = 0;
    for (let n = 0; n < this.docIds.length; n++) {
      if (this.docIds[n] === '' || this.dead[n] === 1) continue;
      renumber[n] = docIds.length;
      docIds.push(this.docIds[n]!);
      const at = this.starts[n]!;
      poolSize += 2 + 2 * source[at]! + 2 * source[at + 1]!;
    }
    const count = docIds.length;
    const kinds = new Uint8Array(count);
    const schemas = new Int32Array(count);
    const lens = new Float64Array(count);
    const pool = new Int32Array(poolSize);
    const valueNo = values && new Int32Array(this.values.strings.length).fill(-1);
    // A value listed twice (a merged shard's, see Interner.appendAll) is saved once.
    const byString = this.values.repeats ? new Map<string, number>() : null;
    let w = 0;
    for (let n = 0; n < this.docIds.length; n++) {
      const m = renumber[n]!;
      if (m < 0) continue;
      kinds[m] = this.kinds[n]!;
      schemas[m] = this.schemas[n]!;
      lens[m] = this.lens[n]!;
      // Copied in loops: a subarray per document was most of a shard's export.
      const at = this.starts[n]!;
      const end = at + 2 + 2 * source[at]! + 2 * source[at + 1]!;
      if (valueNo === null || values === null) {
        for (let i = at; i < end; i++) pool[w++] = source[i]!;
        continue;
      }
      const pairsEnd = at + 2 + 2 * source[at]!;
      pool[w++] = source[at]!;
      pool[w++] = source[at + 1]!;
      for (let i = at + 2; i < pairsEnd; i += 2) {
        const v = source[i + 1]!;
        if (valueNo[v] === -1) {
          const value = this.values.strings[v]!;
          const known = byString?.get(value);
          if (known !== undefined) valueNo[v] = known;
          else {
            valueNo[v] = values.length;
            byString?.set(value, values.length);
            values.push(value);
          }
        }
        pool[w++] = source[i]!;
        pool[w++] = valueNo[v]!;
      }
      for (let i = pairsEnd; i < end; i++) pool[w++] = source[i]!;
    }
    return { renumber, docIds, kinds, schemas, lens, pool };
  }

  // --- shards: a build split over two workers ----------------------------------------------

  exportShard(): Uint8Array<ArrayBuffer> {
    this.settle();
    const writer = new BinaryWriter();
    if (!this.exportInPlace(writer)) this.exportCompacted(writer);
    // Value, property, schema and term ids stay this index's own (its tables go whole), so the
    // receiver maps each table once.
    return writer
      .addStrings('values', this.values.strings)
      .addStrings('props', this.props.strings)
      .addStrings('schemaNames', this.schemaNames.strings)
      .addStrings('terms', this.terms)
      .finish({ shard: SHARD_FORMAT });
  }

  /**
   * The shard's documents and postings straight from this index's arrays, when they are already
   * what a shard holds: no document removed (so none renumbered or replaced), sources end to end
   * in document order, every term's postings in the base (a helper's index after its settle).
   * The copies and renumbering of `exportCompacted` were a fifth of the helper's export.
   */
  private exportInPlace(writer: BinaryWriter): boolean {
    const count = this.docIds.length;
    if (this.live !== count || this.baseStart.length !== this.terms.length + 1) return false;
    const { pool, starts } = this;
    let at = 0;
    for (let n = 0; n < count; n++) {
      if (starts[n] !== at) return false;
      at += 2 + 2 * pool[at]! + 2 * pool[at + 1]!;
    }
    if (at !== this.poolLen) return false;
    for (const docs of this.postDocs) if (Array.isArray(docs)) return false;
    const postings = this.baseStart[this.terms.length]!;
    writer
      .addStrings('docs', this.docIds)
      .add('kinds', this.kinds.subarray(0, count))
      .add('schemas', this.schemas.subarray(0, count))
      .add('lens', this.lens.subarray(0, count))
      .add('pool', pool.subarray(0, at))
      .add('termStart', this.baseStart)
      .add('postDocs', this.baseDocs.subarray(0, postings))
      .add('postTfs', this.baseTfs.subarray(0, postings));
    return true;
  }

  /** The shard's documents and postings without removed documents, renumbered densely. */
  private exportCompacted(writer: BinaryWriter): void {
    const { renumber, docIds, kinds, schemas, lens, pool } = this.liveDocs(null);
    // Every term in id order (the receiver interns them in that order), its live postings in
    // list order (the order documents were added).
    const termStart = new Int32Array(this.terms.length + 1);
    let postings = 0;
    for (let t = 0; t < this.terms.length; t++) {
      termStart[t] = postings;
      postings += this.df(t);
    }
    termStart[this.terms.length] = postings;
    const postDocs = new Int32Array(postings);
    const postTfs = new Float32Array(postings);
    let p = 0;
    for (let t = 0; t < this.terms.length; t++) {
      const docs = this.docsOf(t);
      const tfs = this.tfsOf(t);
      for (let k = 0; k < docs.length; k++) {
        const m = renumber[docs[k]!]!;
        if (m < 0) continue;
        postDocs[p] = m;
        postTfs[p++] = tfs[k]!;
      }
    }
    writer
      .addStrings('docs', docIds)
      .add('kinds', kinds)
      .add('schemas', schemas)
      .add('lens', lens)
      .add('pool', pool)
      .add('termStart', termStart)
      .add('postDocs', postDocs)
      .add('postTfs', postTfs);
  }

  mergeShard(bytes: Uint8Array, options: { readonly fresh?: boolean } = {}): number {
    const reader = new BinaryReader(bytes);
    if ((reader.info as { shard?: unknown } | null)?.shard !== SHARD_FORMAT) {
      throw new SearchIndexError('unsupported', 'not a search index shard of this format');
    }
    const corrupt = (what: string) => new SearchIndexError('corrupt', `search shard: ${what}`);
    const docIds = reader.strings('docs');
    const kinds = reader.u8('kinds');
    const schemas = reader.i32('schemas');
    const lens = reader.f64('lens');
    const pool = reader.i32('pool');
    const values = reader.strings('values');
    const props = reader.strings('props');
    const schemaNames = reader.strings('schemaNames');
    const terms = reader.strings('terms');
    const termStart = reader.i32('termStart');
    const postDocs = reader.i32('postDocs');
    const postTfs = reader.f32('postTfs');
    const count = docIds.length;
    if (
      kinds.length !== count ||
      schemas.length !== count ||
      lens.length !== count ||
      termStart.length !== terms.length + 1 ||
      termStart[0] !== 0 ||
      termStart[terms.length] !== postDocs.length ||
      postTfs.length !== postDocs.length
    ) {
      throw corrupt('column lengths differ');
    }
    // Check everything before changing anything: a bad shard leaves this index as it was.
    let at = 0;
    for (let m = 0; m < count; m++) {
      if (docIds[m] === '' || kinds[m]! > 2) throw corrupt('bad document');
      if (
        kinds[m] === KIND_CODE.entity &&
        !(schemas[m]! >= 0 && schemas[m]! < schemaNames.length)
      ) {
        throw corrupt('bad schema');
      }
      const pairs = pool[at]!;
      const dates = pool[at + 1]!;
      if (!(pairs >= 0 && dates >= 0) || at + 2 + 2 * pairs + 2 * dates > pool.length) {
        throw corrupt('bad document');
      }
      for (let i = 0; i < pairs; i++) {
        const prop = pool[at + 2 + 2 * i]!;
        const value = pool[at + 3 + 2 * i]!;
        if (!(prop >= 0 && prop < props.length && value >= 0 && value < values.length)) {
          throw corrupt('bad field');
        }
      }
      at += 2 + 2 * pairs + 2 * dates;
    }
    if (at !== pool.length) throw corrupt('bad document');
    for (let t = 0; t < terms.length; t++) {
      if (termStart[t + 1]! < termStart[t]!) throw corrupt('bad postings');
    }
    for (let q = 0; q < postDocs.length; q++) {
      if (!(postDocs[q]! >= 0 && postDocs[q]! < count)) throw corrupt('posting out of range');
    }

    // The shard's tables, interned here in their order: new entries get the ids that adding
    // the shard's documents here would have given them (first seen first).
    const interned = (list: readonly string[], id: (value: string) => number) => {
      // A loop: Int32Array.from with a mapping function takes the slow iterator path.
      const out = new Int32Array(list.length);
      for (let i = 0; i < list.length; i++) out[i] = id(list[i]!);
      return out;
    };
    // The shard's values are listed as they are when they are many (a split build: most are new
    // here, and looking each up was a third of the merge); a save lists each once.
    let valueNo: Int32Array;
    if (values.length * 4 >= this.values.strings.length) {
      const first = this.values.appendAll(values);
      valueNo = new Int32Array(values.length);
      for (let i = 0; i < values.length; i++) valueNo[i] = first + i;
    } else valueNo = interned(values, (value) => this.values.id(value));
    const propNo = interned(props, (prop) => this.props.id(prop));
    const schemaNo = interned(schemaNames, (schema) => this.schemaNames.id(schema));
    const termNo = interned(terms, (term) => this.termFor(term));
    const docNo = new Int32Array(count);
    // Room for every document and its source at once, not document by document.
    this.growDocs(this.docIds.length + count);
    this.pool = grown(this.pool, this.poolLen + pool.length);
    const fresh = options.fresh === true;
    if (fresh) this.skipIdMap(count);
    const map = fresh ? this.docNoMap : this.docNo;
    at = 0;
    for (let m = 0; m < count; m++) {
      const id = docIds[m]!;
      // Replaces the document with the same id, as adding it would.
      if (!fresh && map!.has(id)) {
        this.remove(id);
        this.pool = grown(this.pool, this.poolLen + pool.length - at);
      }
      const n = this.free.pop() ?? this.docIds.length;
      // A removal above may have compacted the pool: it is read afresh.
      const target = this.pool;
      const pairs = pool[at]!;
      const dates = pool[at + 1]!;
      let w = this.poolLen;
      this.starts[n] = w;
      target[w++] = pairs;
      target[w++] = dates;
      for (let i = 0; i < pairs; i++) {
        target[w++] = propNo[pool[at + 2 + 2 * i]!]!;
        target[w++] = valueNo[pool[at + 3 + 2 * i]!]!;
      }
      const from = at + 2 + 2 * pairs;
      for (let i = from; i < from + 2 * dates; i++) target[w++] = pool[i]!;
      this.poolLen = w;
      at = from + 2 * dates;
      const kind = kinds[m]!;
      this.kinds[n] = kind;
      this.schemas[n] = kind === KIND_CODE.entity ? schemaNo[schemas[m]!]! : 0;
      this.lens[n] = lens[m]!;
      this.dead[n] = 0;
      this.docIds[n] = id;
      map?.set(id, n);
      this.totalLen += lens[m]!;
      this.live++;
      docNo[m] = n;
    }
    const shardPostings = { terms: termNo, start: termStart, docs: postDocs, docNo, tfs: postTfs };
    for (let t = 0; t < terms.length; t++) {
      this.liveDf[termNo[t]!]! += termStart[t + 1]! - termStart[t]!;
    }
    // A shard as large as a good part of the index (a split build): its postings are put in
    // place with this index's own at once, each term's a block after the log's (writing them to
    // the log first cost a copy of the log and a scatter of every posting, on the build's
    // critical path).
    if (postDocs.length * 8 >= this.baseDocs.length + this.logLen) {
      this.rebuild(null, shardPostings);
      return count;
    }
    // A small one goes to the log, term by term: settled with this index's own.
    let w = this.logLen;
    this.reserveLog(w + postDocs.length);
    const { logTerms, logDocs, logTfs } = this;
    for (let t = 0; t < terms.length; t++) {
      const term = termNo[t]!;
      for (let q = termStart[t]!, to = termStart[t + 1]!; q < to; q++) {
        logTerms[w] = term;
        logDocs[w] = docNo[postDocs[q]!]!;
        logTfs[w++] = postTfs[q]!;
      }
    }
    this.logLen = w;
    return count;
  }

  // --- persisted form -------------------------------------------------------------------

  serialize(): Uint8Array<ArrayBuffer> {
    this.settle();
    this.mergePending();
    // Values renumbered by first use: those of removed documents are left out.
    const values: string[] = [];
    const { renumber, docIds, kinds, schemas, lens, pool } = this.liveDocs(values);
    // Live terms in sorted order, so the loaded vocabulary needs no sort.
    const terms: string[] = [];
    const ids: number[] = [];
    for (let i = 0; i < this.sorted.length; i++) {
      if (this.df(this.sortedIds[i]!) === 0) continue;
      terms.push(this.sorted[i]!);
      ids.push(this.sortedIds[i]!);
    }
    const termStart = new Int32Array(terms.length + 1);
    let postings = 0;
    for (let i = 0; i < terms.length; i++) {
      termStart[i] = postings;
      postings += this.df(ids[i]!);
    }
    termStart[terms.length] = postings;
    const postDocs = new Int32Array(postings);
    const postTfs = new Float32Array(postings);
    let p = 0;
    for (const t of ids) {
      const docs = this.docsOf(t);
      const tfs = this.tfsOf(t);
      const from = p;
      for (let k = 0; k < docs.length; k++) {
        const m = renumber[docs[k]!]!;
        if (m < 0) continue;
        postDocs[p] = m;
        postTfs[p++] = tfs[k]!;
      }
      sortPostings(postDocs, postTfs, from, p);
    }
    // Each term's postings as gaps between ascending document numbers: mostly one or two bytes
    // as varints. Frequencies and lengths are sums of field weights (1, 1.5, 2), so twice them
    // is a whole number; stored as such, or as floats should that ever not hold.
    const gaps = new Int32Array(postings);
    for (let i = 0; i < terms.length; i++) {
      let prev = 0;
      for (let q = termStart[i]!; q < termStart[i + 1]!; q++) {
        gaps[q] = postDocs[q]! - prev;
        prev = postDocs[q]!;
      }
    }
    const writer = new BinaryWriter()
      .addStrings('docs', docIds)
      .add('kinds', kinds)
      .addVarints('schemas', schemas)
      .addVarints('pool', pool)
      .addStrings('values', values)
      .addStrings('props', this.props.strings)
      .addStrings('schemaNames', this.schemaNames.strings)
      .addStrings('terms', terms)
      .add('termStart', termStart)
      .addVarints('postDocs', gaps);
    const halves = doubled(lens);
    if (halves) writer.addVarints('lens2', halves);
    else writer.add('lens', lens);
    const tfHalves = doubled(postTfs);
    if (tfHalves) writer.addVarints('postTfs2', tfHalves);
    else writer.add('postTfs', postTfs);
    return writer.finish({ format: SEARCH_INDEX_FORMAT });
  }

  static load(bytes: Uint8Array): InvertedIndex {
    const reader = new BinaryReader(bytes);
    const info = reader.info as { format?: unknown } | null;
    if (info?.format !== SEARCH_INDEX_FORMAT) {
      throw new SearchIndexError('unsupported', `search index format ${String(info?.format)}`);
    }
    const index = new InvertedIndex();
    // Every array kept is decoded or copied, none a view on `bytes`: the buffer (the persisted
    // container, versions and all) is garbage once loaded.
    const docIds = reader.strings('docs');
    const count = docIds.length;
    const kinds = reader.u8('kinds').slice();
    const schemas = reader.varints('schemas');
    const lens = reader.has('lens2')
      ? halved(reader.varints('lens2'), Float64Array)
      : reader.f64('lens').slice();
    const pool = reader.varints('pool');
    const terms = reader.strings('terms');
    const termStart = reader.i32('termStart').slice();
    const postDocs = reader.varints('postDocs');
    const postTfs = reader.has('postTfs2')
      ? halved(reader.varints('postTfs2'), Float32Array)
      : reader.f32('postTfs').slice();
    const corrupt = (what: string) => new SearchIndexError('corrupt', `search index: ${what}`);
    // Where each document's source starts follows from the pool's own counts.
    const starts = new Int32Array(count);
    let at = 0;
    for (let n = 0; n < count; n++) {
      if (at + 2 > pool.length || pool[at]! < 0 || pool[at + 1]! < 0) throw corrupt('bad document');
      starts[n] = at;
      at += 2 + 2 * pool[at]! + 2 * pool[at + 1]!;
    }
    if (at !== pool.length) throw corrupt('bad document');
    if (
      kinds.length !== count ||
      schemas.length !== count ||
      lens.length !== count ||
      termStart.length !== terms.length + 1 ||
      termStart[terms.length] !== postDocs.length ||
      postTfs.length !== postDocs.length
    ) {
      throw corrupt('column lengths differ');
    }
    for (let t = 0; t < terms.length; t++) {
      // Gaps back to document numbers.
      let n = 0;
      for (let q = termStart[t]!; q < termStart[t + 1]!; q++) {
        n += postDocs[q]!;
        if (n < 0 || n >= count) throw corrupt('posting out of range');
        postDocs[q] = n;
      }
    }
    index.docIds = docIds;
    index.docNoMap = null;
    index.kinds = kinds;
    index.schemas = schemas;
    index.lens = lens;
    index.starts = starts;
    index.dead = new Uint8Array(count);
    index.pool = pool;
    index.poolLen = pool.length;
    index.values = new Interner(reader.strings('values'));
    index.props = new Interner(reader.strings('props'));
    index.schemaNames = new Interner(reader.strings('schemaNames'));
    let totalLen = 0;
    for (const len of lens) totalLen += len;
    index.totalLen = totalLen;
    index.live = count;
    index.terms = terms;
    index.sorted = terms.slice();
    index.sortedIds = Array.from(terms, (_, t) => t);
    // Each term's postings stay in the loaded arrays until used (docsOf).
    index.baseDocs = postDocs;
    index.baseTfs = postTfs;
    index.baseStart = termStart;
    index.postDocs = new Array<DocList | undefined>(terms.length);
    index.postTfs = new Array<TfList | undefined>(terms.length);
    const liveDf = new Int32Array(terms.length);
    for (let t = 0; t < terms.length; t++) {
      const from = termStart[t]!;
      const to = termStart[t + 1]!;
      if (to < from) throw corrupt('bad postings');
      index.termId.set(terms[t]!, t);
      liveDf[t] = to - from;
      index.addTrigrams(terms[t]!, t);
    }
    index.liveDf = liveDf;
    return index;
  }

  // --- vocabulary lookups ---------------------------------------------------------------

  private mergePending(): void {
    if (this.pending.length === 0) return;
    const add = this.pending.sort();
    this.pending = [];
    const old = this.sorted;
    const oldIds = this.sortedIds;
    const out: string[] = [];
    const ids: number[] = [];
    let i = 0;
    let j = 0;
    // Dead terms stay: their ids live on and may be reused, and lookups skip df 0 anyway.
    const keepOld = () => {
      out.push(old[i]!);
      ids.push(oldIds[i++]!);
    };
    const keepNew = () => {
      out.push(add[j]!);
      ids.push(this.termId.get(add[j++]!)!);
    };
    while (i < old.length && j < add.length) {
      if (old[i]! < add[j]!) keepOld();
      else keepNew();
    }
    while (i < old.length) keepOld();
    while (j < add.length) keepNew();
    this.sorted = out;
    this.sortedIds = ids;
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
      found.push(this.sortedIds[i]!);
    }
    for (const t of this.pending) if (t.startsWith(prefix)) found.push(this.termId.get(t)!);
    // The most frequent completions first: they are what the user most likely means. A short
    // prefix of a number has thousands, so the first few are picked out rather than all sorted
    // (equal counts keep their order, as a stable sort would).
    const best: number[] = [];
    for (const id of found) {
      const df = this.df(id);
      if (df === 0 || this.terms[id] === prefix) continue;
      if (best.length === MAX_COMPLETIONS && df <= this.df(best[best.length - 1]!)) continue;
      let at = best.length;
      while (at > 0 && this.df(best[at - 1]!) < df) at--;
      best.splice(at, 0, id);
      if (best.length > MAX_COMPLETIONS) best.pop();
    }
    return best.map((id) => ({
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
    const lo = from === undefined ? -Infinity : dayNumber(from);
    const hi = to === undefined ? Infinity : dayNumber(to);
    const { pool, starts, kinds, schemas } = this;
    const props = this.props.strings;
    const values = this.values.strings;
    return (n) => {
      const kind = kinds[n]!;
      if (wanted.size > 0) {
        if (kind !== KIND_CODE.entity) {
          if (!wanted.has(KIND_OF_CODE[kind]!)) return false;
        } else {
          const schema = this.schemaNames.strings[schemas[n]!]!;
          let ok = schemaOk.get(schema);
          if (ok === undefined) {
            ok = wanted.has('entity') || schemata.some((s) => isSchemaA(schema, s));
            schemaOk.set(schema, ok);
          }
          if (!ok) return false;
        }
      }
      const at = starts[n]!;
      const pairs = pool[at]!;
      if (countries.size > 0) {
        if (kind !== KIND_CODE.entity) return false;
        let any = false;
        for (let i = 0; i < pairs && !any; i++) {
          if (!COUNTRY_PROPS.has(props[pool[at + 2 + 2 * i]!]!)) continue;
          const value = values[pool[at + 3 + 2 * i]!]!;
          any = COUNTRY_CODE.test(value) && countries.has(value.toLowerCase());
        }
        if (!any) return false;
      }
      if (from || to) {
        const dates = pool[at + 1]!;
        let any = false;
        for (let i = 0, d = at + 2 + 2 * pairs; i < dates && !any; i++, d += 2) {
          any = pool[d]! <= hi && pool[d + 1]! >= lo;
        }
        if (!any) return false;
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
    this.settle();
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

    const { best, total, hits, dead, lens } = this;
    const N = Math.max(1, this.live);
    const avgLen = this.totalLen / N || 1;
    const touched: number[] = [];
    for (const variants of groups) {
      const groupDocs: number[] = [];
      for (const { termId, weight } of variants) {
        const docs = this.docsOf(termId);
        const tfs = this.tfsOf(termId);
        const df = this.df(termId);
        const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5)) * weight;
        for (let k = 0; k < docs.length; k++) {
          const n = docs[k]!;
          if (dead[n] === 1) continue;
          const tf = tfs[k]!;
          const s = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * lens[n]!) / avgLen));
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
      if (this.docIds[n] !== '' && this.dead[n] === 0 && filter(n)) out.push(this.hit(n, 0, []));
    }
    return out;
  }

  /** A field equal to the query, in any word order, or starting with it boosts its document. */
  private exactBoost(n: number, q: string, qSorted: string): number {
    if (this.kinds[n] !== KIND_CODE.entity) return 1;
    const pool = this.pool;
    const at = this.starts[n]!;
    const pairs = pool[at]!;
    let boost = 1;
    for (let i = 0; i < pairs; i++) {
      // Only names and identifiers count, each as its folded words ('ivan petrov').
      const prop = this.props.strings[pool[at + 2 + 2 * i]!]!;
      if (fieldWeight(prop) < 1.5) continue;
      const value = this.values.strings[pool[at + 3 + 2 * i]!]!;
      if (isDateProp(prop) && dateInterval(value)) continue;
      const v = foldedWords(value);
      if (v === '') continue;
      if (v === q) return 2;
      if (v.length === q.length && v.split(' ').sort().join(' ') === qSorted) boost = 1.8;
      else if (boost < 1.3 && v.startsWith(q)) boost = 1.3;
    }
    return boost;
  }

  private hit(n: number, score: number, groups: Variant[][]): SearchHit {
    const doc = this.docAt(n);
    const own = groups.length > 0 ? this.termsOf(n) : new Set<number>();
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

/** Sorts postings `from`–`to` by document number (they are already, unless numbers were reused). */
function sortPostings(docs: Int32Array, tfs: Float32Array, from: number, to: number): void {
  let sorted = true;
  for (let q = from + 1; q < to && sorted; q++) sorted = docs[q - 1]! < docs[q]!;
  if (sorted) return;
  const order = Array.from({ length: to - from }, (_, i) => from + i).sort(
    (a, b) => docs[a]! - docs[b]!,
  );
  const d = order.map((q) => docs[q]!);
  const f = order.map((q) => tfs[q]!);
  docs.set(d, from);
  tfs.set(f, from);
}

/** Twice each value, when every one of them is then a whole number (else null). */
function doubled(values: Float64Array | Float32Array): Int32Array | null {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = 2 * values[i]!;
    if (!Number.isInteger(v) || v > 0x7fffffff || v < 0) return null;
    out[i] = v;
  }
  return out;
}

function halved<T extends Float32Array | Float64Array>(
  values: Int32Array,
  type: new (length: number) => T,
): T {
  const out = new type(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! / 2;
  return out;
}

/**
 * The k best of `docs` by score, equal scores ranked by the lower document number (in no order):
 * the k-th best score is found by selection, then everything above it is taken and the ties
 * below fill up the rest.
 */
export function topK(docs: number[], score: Float64Array, k: number): number[] {
  if (docs.length <= k) return docs.slice();
  const values = new Float64Array(docs.length);
  for (let i = 0; i < docs.length; i++) values[i] = score[docs[i]!]!;
  const threshold = kthLargest(values, k);
  const out: number[] = [];
  const ties: number[] = [];
  for (const n of docs) {
    const s = score[n]!;
    if (s > threshold) out.push(n);
    else if (s === threshold) ties.push(n);
  }
  ties.sort((a, b) => a - b);
  for (let i = 0; out.length < k; i++) out.push(ties[i]!);
  return out;
}

/** The k-th largest value (1-based) of `values`, which it reorders (Hoare's selection). */
function kthLargest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target]!;
  }
  return values[target]!;
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
