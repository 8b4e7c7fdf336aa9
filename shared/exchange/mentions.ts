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
 * Cost: needles are indexed by their first `w` characters (w = the shortest needle, at most 8),
 * and each text is read once, position by position, looking its next `w` characters up: about
 * O(total text length × needles sharing a prefix). For a case of 100,000 records that is a few
 * hundred milliseconds; an Aho–Corasick automaton would remove the per-position substring if it
 * ever matters.
 */

export const MIN_VALUE_LENGTH = 6;

const WORD = /[A-Za-z0-9_]/;

/** The comparable form of a value: NFKC, lower case, runs of white space as one space, trimmed. */
export function normaliseValue(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Identifier-like parts of a text: 8 or more characters with both a letter and a digit. */
export function identifierTokens(text: string): string[] {
  return text
    .split(/[\s,;()[\]{}<>"'“”‘’«»]+/)
    .map((token) => token.replace(/^[.:!?-]+|[.:!?-]+$/g, ''))
    .filter((token) => token.length >= 8 && /\p{L}/u.test(token) && /\p{N}/u.test(token));
}

class PrefixIndex {
  private readonly width: number;
  private readonly buckets = new Map<string, { needle: string; label: string }[]>();

  constructor(
    needles: ReadonlyMap<string, string>,
    private readonly wholeToken: boolean,
  ) {
    let width = 8;
    for (const needle of needles.keys()) width = Math.min(width, needle.length);
    this.width = Math.max(width, 1);
    for (const [needle, label] of needles) {
      const key = needle.slice(0, this.width);
      const bucket = this.buckets.get(key);
      if (bucket) bucket.push({ needle, label });
      else this.buckets.set(key, [{ needle, label }]);
    }
  }

  find(text: string): string | undefined {
    if (this.buckets.size === 0) return undefined;
    const last = text.length - this.width;
    for (let i = 0; i <= last; i++) {
      const bucket = this.buckets.get(text.slice(i, i + this.width));
      if (!bucket) continue;
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
    return undefined;
  }
}

/** A set of needles, each with a label saying what it belongs to ("Person “Ivan Petrov”"). */
export class MentionFinder {
  private readonly ids = new Map<string, string>();
  private readonly values = new Map<string, string>();
  private idIndex: PrefixIndex | undefined;
  private valueIndex: PrefixIndex | undefined;

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
    this.idIndex ??= new PrefixIndex(this.ids, true);
    this.valueIndex ??= new PrefixIndex(this.values, false);
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
