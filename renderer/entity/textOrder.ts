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
 * is -1. rankText then keys the parts, not the million values (see pairOrder).
 */
export interface PairedValues {
  readonly parts: readonly string[];
  readonly first: Int32Array;
  readonly second: Int32Array;
  readonly separator: string;
}

/** The pairs of `values` in key order, with what compares them, or undefined (see below). */
interface PairRun {
  /** Paired value indices, ascending by key. */
  readonly sorted: Uint32Array;
  /** The key of a paired value (made on demand: a million keys are never all held). */
  readonly keyOf: (index: number) => string;
  /** Whether two paired values have the same key. */
  readonly same: (a: number, b: number) => boolean;
}

/** Dense ranks of `count` items by key (equal keys share a rank); -1 where the key is undefined. */
function rankKeys(keyOf: (item: number) => string | undefined, count: number): Int32Array {
  const rank = new Int32Array(count).fill(-1);
  const items: number[] = [];
  for (let item = 0; item < count; item++) if (keyOf(item) !== undefined) items.push(item);
  items.sort((a, b) => {
    const x = keyOf(a)!;
    const y = keyOf(b)!;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  let current = -1;
  let previous: string | undefined;
  for (const item of items) {
    const key = keyOf(item)!;
    if (key !== previous) current += 1;
    rank[item] = current;
    previous = key;
  }
  return rank;
}

/** Stable counting sort of `items` by `bucket` (0 ≤ bucket < buckets). */
function countingSort(items: Uint32Array, bucket: (item: number) => number, buckets: number) {
  const starts = new Uint32Array(buckets + 1);
  for (let k = 0; k < items.length; k++) starts[bucket(items[k]!) + 1]! += 1;
  for (let b = 1; b <= buckets; b++) starts[b]! += starts[b - 1]!;
  const out = new Uint32Array(items.length);
  for (let k = 0; k < items.length; k++) out[starts[bucket(items[k]!)]!++] = items[k]!;
  return out;
}

/**
 * The paired values in key order without keying each of them. A pair's key is
 * key(first) + key(separator) + key(second) (folding and digit runs stop at the separator's
 * spaces; textOrder.test.ts checks it). When no "first + separator" key is a proper prefix of
 * another, two pairs with different firsts are told apart within that prefix, so the order is by
 * the first's prefix key, then by the second's key: two counting sorts over integer ranks.
 * Undefined when that does not hold or a part has no key (the caller keys every value then).
 */
function pairOrder(pairs: PairedValues): PairRun | undefined {
  const { parts, first, second } = pairs;
  const separatorKey = sortKey(pairs.separator);
  if (separatorKey === undefined) return undefined;
  const partKeys = parts.map((part) => sortKey(part));
  const usedFirst = new Uint8Array(parts.length);
  const usedSecond = new Uint8Array(parts.length);
  const paired: number[] = [];
  for (let i = 0; i < first.length; i++) {
    if (first[i]! < 0) continue;
    if (partKeys[first[i]!] === undefined || partKeys[second[i]!] === undefined) return undefined;
    usedFirst[first[i]!] = 1;
    usedSecond[second[i]!] = 1;
    paired.push(i);
  }
  const prefixes = partKeys.map((key, p) => (usedFirst[p] ? key! + separatorKey : undefined));
  const firstRank = rankKeys((p) => prefixes[p], parts.length);
  const secondRank = rankKeys((p) => (usedSecond[p] ? partKeys[p] : undefined), parts.length);
  // Prefix-free: in sorted order, a prefix of a later key is also a prefix of the next one.
  const distinctPrefixes = [...new Set(prefixes.filter((key) => key !== undefined))].sort();
  for (let k = 1; k < distinctPrefixes.length; k++) {
    if (distinctPrefixes[k]!.startsWith(distinctPrefixes[k - 1]!)) return undefined;
  }
  // Least significant first: by the second part, then (stable) by the first.
  const bySecond = countingSort(
    Uint32Array.from(paired),
    (i) => secondRank[second[i]!]!,
    parts.length,
  );
  const sorted = countingSort(bySecond, (i) => firstRank[first[i]!]!, parts.length);
  return {
    sorted,
    keyOf: (i) => prefixes[first[i]!]! + partKeys[second[i]!]!,
    same: (a, b) =>
      firstRank[first[a]!] === firstRank[first[b]!] &&
      secondRank[second[a]!] === secondRank[second[b]!],
  };
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
  const pairRun = useKeys && pairs ? pairOrder(pairs) : undefined;
  const keys = new Array<string>(values.length);
  const keyedIndices: number[] = [];
  const others: number[] = [];
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (value === '' || (pairRun && pairs!.first[index]! >= 0)) continue;
    const key = useKeys ? sortKey(value) : undefined;
    if (key === undefined) others.push(index);
    else {
      keys[index] = key;
      keyedIndices.push(index);
    }
  }
  let sortedKeyed: Uint32Array = Uint32Array.from(keyedIndices);
  sortByKeys(keys, sortedKeyed);
  const isPair = (index: number) => pairRun !== undefined && pairs!.first[index]! >= 0;
  const keyOf = (index: number) => (isPair(index) ? pairRun!.keyOf(index) : keys[index]!);
  if (pairRun) sortedKeyed = mergeByKey(sortedKeyed, pairRun.sorted, keyOf);
  others.sort((a, b) => compare(values[a]!, values[b]!) || a - b);
  // Merge the two sorted runs (the collator decides between a keyed value and another), giving
  // each value its rank as it comes: a million values make no objects on the way.
  const rank = new Uint32Array(values.length);
  let current = -1;
  let previous = -1;
  let previousKeyed = false;
  let k = 0;
  let o = 0;
  while (k < sortedKeyed.length || o < others.length) {
    const fromKeyed =
      o >= others.length ||
      (k < sortedKeyed.length && compare(values[sortedKeyed[k]!]!, values[others[o]!]!) <= 0);
    const index = fromKeyed ? sortedKeyed[k++]! : others[o++]!;
    let same = false;
    if (previous >= 0) {
      if (!previousKeyed || !fromKeyed) same = compare(values[previous]!, values[index]!) === 0;
      else if (isPair(previous) && isPair(index)) same = pairRun!.same(previous, index);
      else same = keyOf(previous) === keyOf(index);
    }
    if (!same) current += 1;
    rank[index] = current;
    previous = index;
    previousKeyed = fromKeyed;
  }
  const rankCount = current + 1;
  for (let index = 0; index < values.length; index++) {
    if (values[index] === '') rank[index] = rankCount;
  }
  return { rank, rankCount };
}

/**
 * Two runs sorted by key merged into one (ties: the lower index first). `a` is the short run (the
 * plain values, a node's name each); each of its values finds its place in `b` (a million pairs)
 * by binary search, so the pairs' keys are made some twenty times per plain value, not once per
 * pair.
 */
function mergeByKey(a: Uint32Array, b: Uint32Array, keyOf: (index: number) => string): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const index = a[i]!;
    const key = keyOf(index);
    // The first position in b[j..] whose value comes after `index`.
    let lo = j;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = keyOf(b[mid]!);
      if (other < key || (other === key && b[mid]! < index)) lo = mid + 1;
      else hi = mid;
    }
    out.set(b.subarray(j, lo), n);
    n += lo - j;
    j = lo;
    out[n++] = index;
  }
  out.set(b.subarray(j), n);
  return out;
}
