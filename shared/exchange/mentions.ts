/**
 * Finding mentions of what stays at home in what goes (release policy rule F5).
 *
 * Two kinds of needle:
 * - ids of withheld records, matched exactly and only as a whole token (the characters around
 *   the match are not letters, digits or `_`), so `p1` is found in "see p1." but not in "p12";
 * - distinctive values of withheld records and stripped fields (a name, a phone number, an IBAN,
 *   a note's text), at least MIN_VALUE_LENGTH characters long, matched anywhere, without regard
 *   to case, runs of white space or Unicode compatibility forms.
 * A value shorter than that is too common to prove a copy; paraphrase cannot be found at all,
 * which is why free text needs an explicit release (F2) before this scan even runs. A part of a
 * value is found only when it looks like an identifier (identifierTokens: a passport or account
 * number, a plate, a reference, a record id quoted in a note), because a word of a note proves
 * nothing.
 *
 * Cost: needles are indexed by a rolling hash of their first w characters (w from 1 to 48, the
 * longest that fits the needle), and each text is read once per width in use, updating the hash
 * per character and comparing only where a needle's prefix hash matches: about O(total text
 * length × widths + matches). The policy reads everything that would go once per round of F5
 * (usually two rounds).
 */

export const MIN_VALUE_LENGTH = 6;

const WORD = /[A-Za-z0-9_]/;

const NON_ASCII = /[^\t\n\r\x20-\x7e]/;

/** The comparable form of a value: NFKC, lower case, runs of white space as one space, trimmed. */
export function normaliseValue(text: string): string {
  // NFKC only changes text outside printable ASCII; most case text is ASCII, so skip it there.
  const folded = NON_ASCII.test(text) ? text.normalize('NFKC') : text;
  return folded.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Identifier-like parts of a text: 8 or more characters with both a letter and a digit. */
export function identifierTokens(text: string): string[] {
  return text
    .split(/[\s,;()[\]{}<>"'“”‘’«»]+/)
    .map((token) => token.replace(/^[.:!?-]+|[.:!?-]+$/g, ''))
    .filter((token) => token.length >= 8 && /\p{L}/u.test(token) && /\p{N}/u.test(token));
}

const BASE = 31;

/** Polynomial hash of `text[start, start + width)` (32-bit, wrapping). */
function hashOf(text: string, start: number, width: number): number {
  let hash = 0;
  for (let i = start; i < start + width; i++)
    hash = (Math.imul(hash, BASE) + text.charCodeAt(i)) | 0;
  return hash;
}

/**
 * Needles of one width class, indexed by a rolling hash of their first `width` characters: a text
 * is read once, updating the hash per character (no substring per position), and only positions
 * whose hash matches a needle's are compared.
 */
class PrefixIndex {
  /** BASE^(width - 1), to take the leaving character out of the rolling hash. */
  private readonly top: number;
  private readonly buckets = new Map<number, { needle: string; label: string }[]>();

  constructor(
    private readonly width: number,
    private readonly wholeToken: boolean,
  ) {
    let top = 1;
    for (let i = 1; i < width; i++) top = Math.imul(top, BASE);
    this.top = top;
  }

  add(needle: string, label: string): void {
    const key = hashOf(needle, 0, this.width);
    const bucket = this.buckets.get(key);
    if (bucket) bucket.push({ needle, label });
    else this.buckets.set(key, [{ needle, label }]);
  }

  find(text: string): string | undefined {
    const width = this.width;
    if (text.length < width) return undefined;
    let hash = hashOf(text, 0, width);
    for (let i = 0; ; i++) {
      const bucket = this.buckets.get(hash);
      if (bucket) {
        for (const { needle, label } of bucket) {
          if (!text.startsWith(needle, i)) continue;
          if (this.wholeToken) {
            const before = i > 0 ? text[i - 1]! : '';
            const after = text[i + needle.length] ?? '';
            if (WORD.test(before) || WORD.test(after)) continue;
          }
          return label;
        }
      }
      if (i + width >= text.length) return undefined;
      hash =
        (Math.imul(hash - Math.imul(text.charCodeAt(i), this.top), BASE) +
          text.charCodeAt(i + width)) |
        0;
    }
  }
}

/**
 * Prefix widths: a needle is indexed by the longest that fits it. Needles often share a prefix
 * (names of one family, ids made in the same second), so long needles are told apart by long
 * prefixes; one pass over a text per width in use.
 */
const WIDTHS = [48, 24, 12, 6, 4, 2, 1] as const;

class NeedleIndex {
  private readonly byWidth = new Map<number, PrefixIndex>();

  constructor(needles: ReadonlyMap<string, string>, wholeToken: boolean) {
    for (const [needle, label] of needles) {
      const width = WIDTHS.find((w) => w <= needle.length);
      if (width === undefined) continue;
      let index = this.byWidth.get(width);
      if (!index) this.byWidth.set(width, (index = new PrefixIndex(width, wholeToken)));
      index.add(needle, label);
    }
  }

  find(text: string): string | undefined {
    for (const index of this.byWidth.values()) {
      const found = index.find(text);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/** A set of needles, each with a label saying what it belongs to ("Person “Ivan Petrov”"). */
export class MentionFinder {
  private readonly ids = new Map<string, string>();
  private readonly values = new Map<string, string>();
  private idIndex: NeedleIndex | undefined;
  private valueIndex: NeedleIndex | undefined;

  addId(id: string, label: string): void {
    if (id.length > 0 && !this.ids.has(id)) this.ids.set(id, label);
    this.idIndex = undefined;
  }

  /** Adds a value when it is long enough to be distinctive; shorter ones are ignored. */
  addValue(value: string, label: string): void {
    const needle = normaliseValue(value);
    if (needle.length >= MIN_VALUE_LENGTH && !this.values.has(needle)) {
      this.values.set(needle, label);
    }
    this.valueIndex = undefined;
  }

  get size(): number {
    return this.ids.size + this.values.size;
  }

  /** What `text` mentions (the label of the first needle found), or undefined. */
  find(text: string): string | undefined {
    if (text.length === 0 || this.size === 0) return undefined;
    this.idIndex ??= new NeedleIndex(this.ids, true);
    this.valueIndex ??= new NeedleIndex(this.values, false);
    return this.idIndex.find(text) ?? this.valueIndex.find(normaliseValue(text));
  }
}

/** Every string in a JSON value, object keys included (ids hide in map keys such as chart nodes). */
export function* stringsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsOf(item);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      yield key;
      yield* stringsOf(item);
    }
  }
}
