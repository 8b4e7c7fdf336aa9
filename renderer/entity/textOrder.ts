/**
 * Locale-aware ordering of many distinct strings, fast enough for a million of them.
 *
 * The table sorts text as `Intl.Collator(undefined, { sensitivity: 'base', numeric: true })` does:
 * case and accents ignored, digit runs compared as numbers ("Flat 2" before "Flat 10"). Calling the
 * collator for every comparison of a million values takes many seconds, so most values get a sort
 * key instead, a string whose plain code-unit order IS the collator's order:
 *   - the value is folded (lower case, accents removed: the collator's base level ignores both);
 *   - it qualifies only when every folded character is a-z, a digit, a space or one of the
 *     punctuation marks in PUNCTUATION, mapped to low code points in the order the Unicode root
 *     collation gives them (space < _ < - < , … < $ < digits < letters; "a-b" sorts before "ab");
 *     the arrows ← → ↔ are among them because a relationship's name is "caller → receiver";
 *   - a run of digits becomes one character for its length (leading zeros dropped) followed by its
 *     digits, so a longer number sorts after a shorter one and equal lengths compare digit by digit.
 * Values without a key (other scripts, rarer symbols) are sorted with the collator and merged in
 * with it; since key order and collator agree on keyed values, the result is the collator's order.
 * textOrder.test.ts checks that agreement on generated strings against the engine's own collator.
 */

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** The collator every text order in the table follows. */
export function compareText(a: string, b: string): number {
  return collator.compare(a, b);
}

/** Punctuation in Unicode root collation order (CLDR), each mapped to code point 1, 2, 3… */
const PUNCTUATION = ' _-,;:!?.\'"()[]@*/\\&#%←→↔+<=>|~$';
const PUNCTUATION_KEY = new Map([...PUNCTUATION].map((char, i) => [char, i + 1]));

/** Digit runs longer than this have no key (their length character would reach the letters). */
const MAX_DIGITS = 48;

/** Lower case without diacritics, so "Müller" matches "muller". */
export function fold(text: string): string {
  // Most values are ASCII (or ASCII with the arrow of a relationship's name, which NFKD leaves
  // alone); skipping normalisation for them makes folding a million values cheap.
  // eslint-disable-next-line no-control-regex
  if (!/[^\u0000-\u007f\u2190-\u2199]/.test(text)) return text.toLowerCase();
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Key code point per punctuation code point (0: not keyable). */
const PUNCTUATION_CODE = new Uint8Array(0x2200);
for (const [char, code] of PUNCTUATION_KEY) PUNCTUATION_CODE[char.charCodeAt(0)] = code;

const isLetter = (code: number) => code >= 97 && code <= 122;
const isDigit = (code: number) => code >= 48 && code <= 57;

/** The key being written, reused: a key is made as one flat string, not joined from pieces. */
let keyBuffer = new Uint16Array(256);

/** The sort key of a value (see above), or undefined when only the collator can place it. */
export function sortKey(value: string): string | undefined {
  const folded = fold(value);
  const n = folded.length;
  // A digit run's length character makes a key at most one character longer per run.
  if (keyBuffer.length < 2 * n) keyBuffer = new Uint16Array(2 * n);
  const key = keyBuffer;
  // One pass over the characters: letters are copied, a digit run gets its length character
  // (leading zeros dropped), punctuation its code; anything else has no key.
  let length = 0;
  let i = 0;
  while (i < n) {
    const code = folded.charCodeAt(i);
    if (isLetter(code)) {
      key[length++] = code;
      i += 1;
    } else if (isDigit(code)) {
      let j = i + 1;
      while (j < n && isDigit(folded.charCodeAt(j))) j++;
      while (i < j - 1 && folded.charCodeAt(i) === 48) i++;
      if (j - i > MAX_DIGITS) return undefined;
      key[length++] = 0x30 + j - i;
      for (; i < j; i++) key[length++] = folded.charCodeAt(i);
    } else {
      const mapped = code < PUNCTUATION_CODE.length ? PUNCTUATION_CODE[code]! : 0;
      if (mapped === 0) return undefined;
      key[length++] = mapped;
      i += 1;
    }
  }
  return String.fromCharCode.apply(null, key.subarray(0, length) as unknown as number[]);
}

/** Bits per character of a packed chunk: every key character is below 128. */
const CHAR_BITS = 7;
const CHUNK_CHARS = 4;
/** Groups this small are finished with a comparator sort. */
const SMALL_GROUP = 24;

/** Whether a key of order[lo..hi) goes on past the chunk that starts at `at`. */
function anyLonger(
  keys: readonly string[],
  order: Uint32Array,
  lo: number,
  hi: number,
  at: number,
): boolean {
  for (let k = lo; k < hi; k++) if (keys[order[k]!]!.length > at + CHUNK_CHARS) return true;
  return false;
}

/**
 * Sorts `order` (indices into `keys`) by key, ties by their order in `order` (which must be
 * ascending on entry), as an MSD radix sort: each pass packs the next four characters of a group's
 * keys (7 bits each, 0 past the end, so a prefix sorts first) with the position in the group into
 * one float, sorts those with the engine's native numeric sort, and hands runs that agree on the
 * four characters (and go on) to the next pass. Plain string comparison sorts are several times
 * slower at a million keys.
 */
export function sortByKeys(keys: readonly string[], order: Uint32Array): void {
  const stack: [number, number, number][] = [[0, order.length, 0]];
  let packed = new Float64Array(0);
  let scratch = new Uint32Array(0);
  const chunkOf = (key: string, at: number): number => {
    let chunk = 0;
    for (let c = 0; c < CHUNK_CHARS; c++) {
      const code = at + c < key.length ? key.charCodeAt(at + c) : 0;
      chunk = chunk * (1 << CHAR_BITS) + code;
    }
    return chunk;
  };
  while (stack.length > 0) {
    const [lo, hi, at] = stack.pop()!;
    const size = hi - lo;
    if (size < 2) continue;
    if (size <= SMALL_GROUP) {
      const group = Array.from(order.subarray(lo, hi));
      group.sort((a, b) => {
        const x = keys[a]!.slice(at);
        const y = keys[b]!.slice(at);
        return x < y ? -1 : x > y ? 1 : a - b;
      });
      order.set(group, lo);
      continue;
    }
    if (packed.length < size) {
      packed = new Float64Array(size);
      scratch = new Uint32Array(size);
    }
    const scale = 2 ** Math.max(1, Math.ceil(Math.log2(size + 1)));
    // Keys that share a long prefix (a million phone numbers all begin "+43 6…") would make a
    // full sort of the group that changes nothing; when every key has the same four characters
    // here, the group goes straight on to the next four.
    const first = chunkOf(keys[order[lo]!]!, at);
    let same = true;
    for (let k = 0; k < size; k++) {
      const chunk = chunkOf(keys[order[lo + k]!]!, at);
      if (chunk !== first) same = false;
      packed[k] = chunk * scale + k;
    }
    if (same) {
      if (anyLonger(keys, order, lo, hi, at)) stack.push([lo, hi, at + CHUNK_CHARS]);
      continue;
    }
    const view = packed.subarray(0, size).sort();
    for (let k = 0; k < size; k++) {
      const value = view[k]!;
      scratch[k] = order[lo + (value - Math.floor(value / scale) * scale)]!;
    }
    order.set(scratch.subarray(0, size), lo);
    // Runs with the same chunk go on to the next four characters, unless their keys ended.
    let start = 0;
    for (let k = 1; k <= size; k++) {
      const chunk = Math.floor(view[start]! / scale);
      if (k < size && Math.floor(view[k]! / scale) === chunk) continue;
      // Any key of the run may go on (one of exactly at + 4 characters can come first).
      if (k - start > 1 && anyLonger(keys, order, lo + start, lo + k, at)) {
        stack.push([lo + start, lo + k, at + CHUNK_CHARS]);
      }
      start = k;
    }
  }
}

/**
 * Values made of two parts and a separator, as the names of relationships are ("caller →
 * receiver": a million names from twenty thousand phones). Value i is
 * `parts[first[i]] + separator + parts[second[i]]` where first[i] ≥ 0, and a plain value where it
 * is -1. rankText then keys the parts, not the million values (see pairedOrder).
 */
export interface PairedValues {
  readonly parts: readonly string[];
  readonly first: Int32Array;
  readonly second: Int32Array;
  readonly separator: string;
}

/** Keyed values in key order: value indices, and whether each has the key of the one before. */
interface KeyedRun {
  readonly indices: Uint32Array;
  readonly sameAsBefore: Uint8Array;
}

/**
 * Stable counting sort of `items` by `by` (0 ≤ by[k] < buckets), carrying `other` along: both
 * keys travel with the items, so the next pass and the comparison of neighbours read them in
 * order instead of looking each item up again all over a million-entry array.
 */
function countingSort(
  items: Uint32Array,
  by: Uint32Array,
  other: Uint32Array,
  buckets: number,
): [Uint32Array, Uint32Array, Uint32Array] {
  const starts = new Uint32Array(buckets + 1);
  for (let k = 0; k < items.length; k++) starts[by[k]! + 1]! += 1;
  for (let b = 1; b <= buckets; b++) starts[b]! += starts[b - 1]!;
  const outItems = new Uint32Array(items.length);
  const outBy = new Uint32Array(items.length);
  const outOther = new Uint32Array(items.length);
  for (let k = 0; k < items.length; k++) {
    const at = starts[by[k]!]!++;
    outItems[at] = items[k]!;
    outBy[at] = by[k]!;
    outOther[at] = other[k]!;
  }
  return [outItems, outBy, outOther];
}

/** Dense ranks of `keys` (equal keys share one) and the positions of the keys in order. */
function denseRanks(keys: readonly string[]): { rank: Uint32Array; order: Uint32Array } {
  const order = new Uint32Array(keys.length);
  for (let k = 0; k < order.length; k++) order[k] = k;
  sortByKeys(keys, order);
  const rank = new Uint32Array(keys.length);
  let current = -1;
  for (let k = 0; k < order.length; k++) {
    if (k === 0 || keys[order[k]!] !== keys[order[k - 1]!]) current += 1;
    rank[order[k]!] = current;
  }
  return { rank, order };
}

/**
 * The keyed values in key order when some are pairs (PairedValues), from integer ranks alone:
 * no key is made, compared or sorted per pair.
 *
 * A pair's key is F(first) + key(second), where F(p) = key(p) + key(separator) (folding and digit
 * runs stop at the separator's spaces; textOrder.test.ts checks it), and a plain value's key is K.
 * The F of the first parts and the plain values' K are sorted together (some forty thousand keys
 * for a million pairs). When no F is a proper prefix of another of those keys, comparing a pair
 * with anything is decided within its F: by F's place among them, and between pairs of the same
 * F by the second part's key; a plain value equal to an F is a proper prefix of those pairs, so it
 * comes first. The order is then two counting sorts over integers: by (second part's rank + 1, or
 * 0 for a plain value), then by the rank of F or K. Undefined when the prefix condition fails or a
 * part has no key: the caller keys every value then.
 */
function pairedOrder(
  values: readonly string[],
  pairs: PairedValues,
  plainIndices: readonly number[],
  plainKeys: readonly string[],
): KeyedRun | undefined {
  const { parts, first, second } = pairs;
  const separatorKey = sortKey(pairs.separator);
  if (separatorKey === undefined) return undefined;
  const partKeys = parts.map((part) => sortKey(part));
  // Where each part's F and key go among the sorted keys (-1: not used that way).
  const firstAt = new Int32Array(parts.length).fill(-1);
  const secondAt = new Int32Array(parts.length).fill(-1);
  const heads: string[] = [...plainKeys];
  const tails: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const a = first[i]!;
    if (a < 0) continue;
    const b = second[i]!;
    if (firstAt[a]! < 0) {
      if (partKeys[a] === undefined) return undefined;
      firstAt[a] = heads.length;
      heads.push(partKeys[a] + separatorKey);
    }
    if (secondAt[b]! < 0) {
      if (partKeys[b] === undefined) return undefined;
      secondAt[b] = tails.length;
      tails.push(partKeys[b]!);
    }
  }
  const head = denseRanks(heads);
  // No F (a part's key and the separator's) may be a proper prefix of a later key: all keys
  // starting with it follow it directly in order.
  for (let k = 0; k + 1 < head.order.length; k++) {
    const at = head.order[k]!;
    if (at < plainKeys.length) continue;
    const key = heads[at]!;
    let next = k + 1;
    while (next < head.order.length && heads[head.order[next]!] === key) next++;
    if (next < head.order.length && heads[head.order[next]!]!.startsWith(key)) return undefined;
  }
  const tail = denseRanks(tails);
  const count = plainIndices.length + first.length;
  const items = new Uint32Array(count);
  const primary = new Uint32Array(count);
  const secondary = new Uint32Array(count);
  let n = 0;
  for (let k = 0; k < plainIndices.length; k++, n++) {
    items[n] = plainIndices[k]!;
    primary[n] = head.rank[k]!;
  }
  for (let i = 0; i < values.length; i++) {
    const a = first[i]!;
    if (a < 0) continue;
    items[n] = i;
    primary[n] = head.rank[firstAt[a]!]!;
    secondary[n++] = tail.rank[secondAt[second[i]!]!]! + 1;
  }
  // Least significant first; both counting sorts are stable, so ties keep the lower index first.
  const [bySecondary, secondarySorted, primaryBySecondary] = countingSort(
    items.subarray(0, n),
    secondary.subarray(0, n),
    primary.subarray(0, n),
    tails.length + 1,
  );
  const [indices, primarySorted, secondaryOf] = countingSort(
    bySecondary,
    primaryBySecondary,
    secondarySorted,
    heads.length,
  );
  const sameAsBefore = new Uint8Array(n);
  for (let k = 1; k < n; k++) {
    sameAsBefore[k] =
      primarySorted[k] === primarySorted[k - 1] && secondaryOf[k] === secondaryOf[k - 1] ? 1 : 0;
  }
  return { indices, sameAsBefore };
}

/** Plain keyed values in key order (a radix sort of their keys). */
function plainOrder(indices: readonly number[], keys: readonly string[]): KeyedRun {
  const { order } = denseRanks(keys);
  const sameAsBefore = new Uint8Array(order.length);
  for (let k = 1; k < order.length; k++) {
    sameAsBefore[k] = keys[order[k]!] === keys[order[k - 1]!] ? 1 : 0;
  }
  return { indices: Uint32Array.from(order, (k) => indices[k]!), sameAsBefore };
}

/**
 * The indices of `values` in collator order (ties in index order), and a rank per index that
 * equal values share. Empty strings are left out (`rank` gives them `rankCount`). `pairs`, when
 * given, describes values made of two parts (see PairedValues); the ranks are the same with or
 * without it.
 */
export function rankText(
  values: readonly string[],
  compare: (a: string, b: string) => number = compareText,
  useKeys = true,
  pairs?: PairedValues,
): { readonly rank: Uint32Array; readonly rankCount: number } {
  const collect = (withPairs: boolean) => {
    const keys: string[] = [];
    const indices: number[] = [];
    const others: number[] = [];
    const empty: number[] = [];
    for (let index = 0; index < values.length; index++) {
      // A pair is never empty, and its string need not be read at all.
      if (withPairs && pairs!.first[index]! >= 0) continue;
      const value = values[index]!;
      if (value === '') {
        empty.push(index);
        continue;
      }
      const key = useKeys ? sortKey(value) : undefined;
      if (key === undefined) others.push(index);
      else {
        keys.push(key);
        indices.push(index);
      }
    }
    return { keys, indices, others, empty };
  };
  let plain = collect(useKeys && pairs !== undefined);
  // Values left out by collect: the pairs, ordered from their parts' ranks when they allow it.
  const paired = values.length - plain.keys.length - plain.empty.length - plain.others.length;
  let keyed = paired > 0 ? pairedOrder(values, pairs!, plain.indices, plain.keys) : undefined;
  if (!keyed) {
    // Their parts do not allow it: every value keyed on its own.
    if (paired > 0) plain = collect(false);
    keyed = plainOrder(plain.indices, plain.keys);
  }
  const { others, empty } = plain;
  others.sort((a, b) => compare(values[a]!, values[b]!) || a - b);
  // Merge the keyed run with the others (the collator decides between a keyed value and
  // another), giving each value its rank as it comes: a million values make no objects.
  const rank = new Uint32Array(values.length);
  const sortedKeyed = keyed.indices;
  let current = -1;
  let previous = -1;
  let previousKeyed = false;
  let k = 0;
  let o = 0;
  while (k < sortedKeyed.length || o < others.length) {
    const fromKeyed =
      o >= others.length ||
      (k < sortedKeyed.length && compare(values[sortedKeyed[k]!]!, values[others[o]!]!) <= 0);
    let same = false;
    let index: number;
    if (fromKeyed) {
      index = sortedKeyed[k]!;
      // Two keyed values in a row are neighbours in the keyed run too.
      if (previousKeyed) same = keyed.sameAsBefore[k] === 1;
      k += 1;
    } else index = others[o++]!;
    if (previous >= 0 && !(previousKeyed && fromKeyed)) {
      same = compare(values[previous]!, values[index]!) === 0;
    }
    if (!same) current += 1;
    rank[index] = current;
    previous = index;
    previousKeyed = fromKeyed;
  }
  const rankCount = current + 1;
  for (const index of empty) rank[index] = rankCount;
  return { rank, rankCount };
}
