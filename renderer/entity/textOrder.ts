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
    for (let k = 0; k < size; k++) packed[k] = chunkOf(keys[order[lo + k]!]!, at) * scale + k;
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
      if (k - start > 1 && keys[order[lo + start]!]!.length > at + CHUNK_CHARS) {
        stack.push([lo + start, lo + k, at + CHUNK_CHARS]);
      }
      start = k;
    }
  }
}

/**
 * The indices of `values` in collator order (ties in index order), and a rank per index that
 * equal values share. Empty strings are left out (`rank` gives them `rankCount`).
 */
export function rankText(
  values: readonly string[],
  compare: (a: string, b: string) => number = compareText,
  useKeys = true,
): { readonly rank: Uint32Array; readonly rankCount: number } {
  const keys = new Array<string>(values.length);
  const keyedIndices: number[] = [];
  const others: number[] = [];
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (value === '') continue;
    const key = useKeys ? sortKey(value) : undefined;
    if (key === undefined) others.push(index);
    else {
      keys[index] = key;
      keyedIndices.push(index);
    }
  }
  const sortedKeyed = Uint32Array.from(keyedIndices);
  sortByKeys(keys, sortedKeyed);
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
    const same =
      previous >= 0 &&
      (previousKeyed && fromKeyed
        ? keys[previous] === keys[index]
        : compare(values[previous]!, values[index]!) === 0);
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
