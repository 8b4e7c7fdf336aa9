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

const KEYABLE = /^[a-z0-9 _\-,;:!?.'"()[\]@*/\\&#%←→↔+<=>|~$]*$/;

/** The sort key of a value (see above), or undefined when only the collator can place it. */
export function sortKey(value: string): string | undefined {
  const folded = fold(value);
  if (!KEYABLE.test(folded)) return undefined;
  let tooLong = false;
  const key = folded.replace(/[0-9]+|[^a-z]/g, (match) => {
    const first = match.charCodeAt(0);
    if (first < 48 || first > 57) return String.fromCharCode(PUNCTUATION_KEY.get(match)!);
    const digits = match.replace(/^0+(?=.)/, '');
    if (digits.length > MAX_DIGITS) tooLong = true;
    return String.fromCharCode(0x30 + digits.length) + digits;
  });
  return tooLong ? undefined : key;
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
  const keyed = Array.from(sortedKeyed, (index) => ({ key: keys[index], index }));
  others.sort((a, b) => compare(values[a]!, values[b]!) || a - b);
  // Merge the two sorted runs; the collator decides between a keyed value and another.
  const order: number[] = [];
  const equalToPrevious: boolean[] = [];
  let k = 0;
  let o = 0;
  let previous: { key?: string | undefined; index: number } | undefined;
  while (k < keyed.length || o < others.length) {
    const fromKeyed =
      o >= others.length ||
      (k < keyed.length && compare(values[keyed[k]!.index]!, values[others[o]!]!) <= 0);
    const next: { key?: string | undefined; index: number } = fromKeyed
      ? keyed[k++]!
      : { index: others[o++]! };
    const same =
      previous !== undefined &&
      (previous.key !== undefined && next.key !== undefined
        ? previous.key === next.key
        : compare(values[previous.index]!, values[next.index]!) === 0);
    order.push(next.index);
    equalToPrevious.push(same);
    previous = next;
  }
  const rank = new Uint32Array(values.length);
  let current = -1;
  for (let j = 0; j < order.length; j++) {
    if (!equalToPrevious[j]) current += 1;
    rank[order[j]!] = current;
  }
  const rankCount = current + 1;
  for (let index = 0; index < values.length; index++) {
    if (values[index] === '') rank[index] = rankCount;
  }
  return { rank, rankCount };
}
