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
  /** Per part, its key; a pair's key is its first's, the separator's and its second's. */
  readonly separatorKey: string;
  readonly partKeys: readonly (string | undefined)[];
  /** Per entry of `sorted`: 1 when its key is the one before's (parts with equal keys). */
  readonly sameAsBefore: Uint8Array;
}

/** Dense ranks of `count` items by key (equal keys share a rank); -1 where the key is undefined. */
function rankKeys(keyOf: (item: number) => string | undefined, count: number): Int32Array {
  const rank = new Int32Array(count).fill(-1);
  const keys = new Array<string>(count);
  const items: number[] = [];
  for (let item = 0; item < count; item++) {
    const key = keyOf(item);
    if (key === undefined) continue;
    keys[item] = key;
    items.push(item);
  }
  const sorted = Uint32Array.from(items);
  sortByKeys(keys, sorted);
  let current = -1;
  let previous: string | undefined;
  for (const item of sorted) {
    const key = keys[item]!;
    if (key !== previous) current += 1;
    rank[item] = current;
    previous = key;
  }
  return rank;
}

/**
 * Stable counting sort of `items` by `by` (0 ≤ by[k] < buckets), carrying `other` along: both
 * keys travel with the items, so the next pass and the comparison of neighbours read them in
 * order instead of looking each item's parts up again all over a million-entry array.
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

/**
 * The paired values in key order without keying each of them. A pair's key is
 * key(first) + key(separator) + key(second) (folding and digit runs stop at the separator's
 * spaces; textOrder.test.ts checks it). When no "first + separator" key is a proper prefix of
 * another, two pairs with different firsts are told apart within that prefix, so the order is by
 * the first's prefix key, then by the second's key: two counting sorts over integer ranks.
 * Undefined when that does not hold or a part has no key (the caller keys every value then).
 * Nothing here is made per pair but integers: a million pairs cost typed arrays, not strings.
 */
function pairOrder(pairs: PairedValues): PairRun | undefined {
  const { parts, first, second } = pairs;
  const separatorKey = sortKey(pairs.separator);
  if (separatorKey === undefined) return undefined;
  const partKeys = parts.map((part) => sortKey(part));
  const usedFirst = new Uint8Array(parts.length);
  const usedSecond = new Uint8Array(parts.length);
  const all = new Uint32Array(first.length);
  let count = 0;
  for (let i = 0; i < first.length; i++) {
    const a = first[i]!;
    if (a < 0) continue;
    const b = second[i]!;
    if (partKeys[a] === undefined || partKeys[b] === undefined) return undefined;
    usedFirst[a] = 1;
    usedSecond[b] = 1;
    all[count++] = i;
  }
  const prefixes = partKeys.map((key, p) => (usedFirst[p] ? key! + separatorKey : undefined));
  const firstRank = rankKeys((p) => prefixes[p], parts.length);
  const secondRank = rankKeys((p) => (usedSecond[p] ? partKeys[p] : undefined), parts.length);
  // Prefix-free: in sorted order, a prefix of a later key is also a prefix of the next one.
  const distinctPrefixes = [...new Set(prefixes.filter((key) => key !== undefined))].sort();
  for (let k = 1; k < distinctPrefixes.length; k++) {
    if (distinctPrefixes[k]!.startsWith(distinctPrefixes[k - 1]!)) return undefined;
  }
  const paired = all.subarray(0, count);
  const firstKey = new Uint32Array(count);
  const secondKey = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    firstKey[k] = firstRank[first[paired[k]!]!]!;
    secondKey[k] = secondRank[second[paired[k]!]!]!;
  }
  // Least significant first: by the second part, then (stable) by the first.
  const [bySecond, secondSorted, firstBySecond] = countingSort(
    paired,
    secondKey,
    firstKey,
    parts.length,
  );
  const [sorted, firstSorted, secondOf] = countingSort(
    bySecond,
    firstBySecond,
    secondSorted,
    parts.length,
  );
  const sameAsBefore = new Uint8Array(count);
  for (let k = 1; k < count; k++) {
    sameAsBefore[k] =
      firstSorted[k] === firstSorted[k - 1] && secondOf[k] === secondOf[k - 1] ? 1 : 0;
  }
  return { sorted, separatorKey, partKeys, sameAsBefore };
}

/**
 * Compares `piece` with `key` from position `at`: the first difference, 1 when the key ends
 * inside the piece, 0 when the key goes on with the whole piece.
 */
function comparePiece(piece: string, key: string, at: number): number {
  const length = Math.min(piece.length, key.length - at);
  for (let i = 0; i < length; i++) {
    const diff = piece.charCodeAt(i) - key.charCodeAt(at + i);
    if (diff !== 0) return diff;
  }
  return length < piece.length ? 1 : 0;
}

/**
 * Sign of pair `index`'s key (its first part's key, the separator's, its second part's) against
 * `key` in code-unit order, read in place from the three flat strings: no key is made per pair.
 */
function comparePair(run: PairRun, pairs: PairedValues, index: number, key: string): number {
  const a = run.partKeys[pairs.first[index]!]!;
  const b = run.partKeys[pairs.second[index]!]!;
  const separator = run.separatorKey;
  const order =
    comparePiece(a, key, 0) ||
    comparePiece(separator, key, a.length) ||
    comparePiece(b, key, a.length + separator.length);
  return order || a.length + separator.length + b.length - key.length;
}

/** The keyed values in key order, with the plain key of each (undefined for a pair). */
interface KeyedRun {
  /** Value indices, ascending by key (ties: the lower index first). */
  readonly indices: Uint32Array;
  /** Per entry of `indices`: its position in `keys`, or −1 − its position among the pairs. */
  readonly plain: Int32Array;
  /** The plain values' keys, in key order. */
  readonly keys: readonly string[];
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
  // Keys of the plain values only, by position: a million pairs need no slot here.
  const keys: string[] = [];
  const keyedIndices: number[] = [];
  const others: number[] = [];
  const empty: number[] = [];
  for (let index = 0; index < values.length; index++) {
    // A pair is never empty, and its string need not be read at all.
    if (pairRun && pairs!.first[index]! >= 0) continue;
    const value = values[index]!;
    if (value === '') {
      empty.push(index);
      continue;
    }
    const key = useKeys ? sortKey(value) : undefined;
    if (key === undefined) others.push(index);
    else {
      keys.push(key);
      keyedIndices.push(index);
    }
  }
  const positions = new Uint32Array(keys.length);
  for (let k = 0; k < positions.length; k++) positions[k] = k;
  sortByKeys(keys, positions);
  const sortedKeys = Array.from(positions, (k) => keys[k]!);
  const sortedIndices = Uint32Array.from(positions, (k) => keyedIndices[k]!);
  const keyed = pairRun
    ? mergePairs(sortedIndices, sortedKeys, pairRun, pairs!)
    : { indices: sortedIndices, plain: Int32Array.from(positions.keys()), keys: sortedKeys };
  others.sort((a, b) => compare(values[a]!, values[b]!) || a - b);
  // Whether entry y of the keyed run has the key of entry x just before it: pairs by their
  // parts' ranks (next to each other among the pairs too), plain values by their keys, a pair
  // and a plain value by reading the pair's key in place.
  const sameKeyed = (x: number, y: number): boolean => {
    const px = keyed.plain[x]!;
    const py = keyed.plain[y]!;
    if (px >= 0 && py >= 0) return keyed.keys[px] === keyed.keys[py];
    const run = pairRun!;
    if (px < 0 && py < 0) return run.sameAsBefore[-1 - py] === 1;
    const pair = keyed.indices[px < 0 ? x : y]!;
    return comparePair(run, pairs!, pair, keyed.keys[px < 0 ? py : px]!) === 0;
  };
  // Merge the keyed run with the others (the collator decides between a keyed value and
  // another), giving each value its rank as it comes: a million values make no objects.
  const rank = new Uint32Array(values.length);
  const sortedKeyed = keyed.indices;
  let current = -1;
  let previous = -1;
  let previousKeyed = -1;
  let k = 0;
  let o = 0;
  while (k < sortedKeyed.length || o < others.length) {
    const fromKeyed =
      o >= others.length ||
      (k < sortedKeyed.length && compare(values[sortedKeyed[k]!]!, values[others[o]!]!) <= 0);
    const at = fromKeyed ? k++ : -1;
    const index = fromKeyed ? sortedKeyed[at]! : others[o++]!;
    let same = false;
    if (previous >= 0) {
      if (previousKeyed < 0 || !fromKeyed) same = compare(values[previous]!, values[index]!) === 0;
      else same = sameKeyed(previousKeyed, at);
    }
    if (!same) current += 1;
    rank[index] = current;
    previous = index;
    previousKeyed = at;
  }
  const rankCount = current + 1;
  for (const index of empty) rank[index] = rankCount;
  return { rank, rankCount };
}

/**
 * The plain keyed values (a node's name each, in key order) merged into the pairs (a million
 * names of relationships), ties by the lower index first. Each plain value finds its place among
 * the pairs by binary search, comparing its key with a pair's key joined in place
 * (comparePair): some twenty comparisons per plain value and no string made per pair.
 */
function mergePairs(
  indices: Uint32Array,
  keys: readonly string[],
  run: PairRun,
  pairs: PairedValues,
): KeyedRun {
  const b = run.sorted;
  const out = new Uint32Array(indices.length + b.length);
  const plain = new Int32Array(out.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    const key = keys[i]!;
    // The first position in b[j..] whose value comes after `index`.
    let lo = j;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = b[mid]!;
      const order = comparePair(run, pairs, other, key);
      if (order < 0 || (order === 0 && other < index)) lo = mid + 1;
      else hi = mid;
    }
    for (; j < lo; j++, n++) {
      out[n] = b[j]!;
      plain[n] = -1 - j;
    }
    plain[n] = i;
    out[n++] = index;
  }
  for (; j < b.length; j++, n++) {
    out[n] = b[j]!;
    plain[n] = -1 - j;
  }
  return { indices: out, plain, keys };
}
