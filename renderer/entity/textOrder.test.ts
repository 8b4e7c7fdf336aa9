import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareText, fold, rankText, sortByKeys, sortKey } from './textOrder.ts';

/** Letters, digits, the keyed punctuation and a few values only the collator can place. */
const CHARS = [..."aAbBzZéÉüñß 0123456789-_.,+/()&'#$~→←↔↚ıłЖж中"];
const text = fc.array(fc.constantFrom(...CHARS), { maxLength: 10 }).map((chars) => chars.join(''));

const sign = (n: number) => Math.sign(n);

describe('sort keys', () => {
  it('order keyed values exactly as the collator does', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const ka = sortKey(a);
        const kb = sortKey(b);
        fc.pre(ka !== undefined && kb !== undefined);
        expect(sign(ka! < kb! ? -1 : ka! > kb! ? 1 : 0)).toBe(sign(compareText(a, b)));
      }),
      { numRuns: 5000 },
    );
  });

  it('compare numbers by value and ignore case and accents', () => {
    const ordered = ['Flat 2', 'flat 10', 'Flat 010x', 'Müller', 'Muller-Lüdenscheidt', 'mullet'];
    const keys = ordered.map((value) => sortKey(value)!);
    expect([...keys].sort()).toEqual(keys);
    expect(sortKey('Müller')).toBe(sortKey('MULLER'));
    expect(sortKey('Yılmaz')).toBeUndefined();
  });

  it('key the names of relationships ("caller → receiver"), so a million calls sort by key', () => {
    const ordered = ['+43 660 → +43 2', '+43 660+1', '+43 660 ← +43 1', '+436', '+43 660 → +43 1'];
    ordered.sort(compareText);
    const keys = ordered.map((value) => sortKey(value)!);
    expect(keys.every((key) => key !== undefined)).toBe(true);
    expect([...keys].sort()).toEqual(keys);
    expect(fold('Ana → BÖB')).toBe('ana → bob');
  });
});

describe('rankText', () => {
  it('ranks as a collator sort does: equal values share a rank, empties last', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 60 }), (values) => {
        const { rank, rankCount } = rankText(values);
        for (let i = 0; i < values.length; i++) {
          if (values[i] === '') {
            expect(rank[i]).toBe(rankCount);
            continue;
          }
          for (let j = 0; j < values.length; j++) {
            if (values[j] === '') continue;
            expect(sign(rank[i]! - rank[j]!)).toBe(sign(compareText(values[i]!, values[j]!)));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('sorts long shared prefixes and many values through the radix passes', () => {
    const values = Array.from({ length: 3000 }, (_, i) => `Ivan Petrov ${(i * 7919) % 3001}`);
    const { rank } = rankText(values);
    const byRank = values.map((_, i) => i).sort((a, b) => rank[a]! - rank[b]!);
    const byCollator = values.map((_, i) => i).sort((a, b) => compareText(values[a]!, values[b]!));
    expect(byRank.map((i) => values[i])).toEqual(byCollator.map((i) => values[i]));
  });
});

/** Ranks as the plain collator ranks them (no keys): the order the table has always had. */
function collatorRanks(values: readonly string[]): Uint32Array {
  return rankText(values, compareText, false).rank;
}

describe('rankText of paired values (relationship names)', () => {
  // Parts like phone numbers and names: shared prefixes, digit runs, case and accents, and a few
  // that contain the separator or have no key, which must fall back to keying every value.
  const part = fc.oneof(
    fc.constantFrom(
      '+43660',
      '+436601',
      '+4366',
      'Ana',
      'ana',
      'Ána',
      'Flat 2',
      'flat 10',
      'Yılmaz',
    ),
    fc.constantFrom('a → b', 'Ana →', 'x', 'x y', 'x 2'),
    text,
  );
  const separator = ' → ';

  it('gives exactly the ranks of the plain collator order', () => {
    fc.assert(
      fc.property(
        fc.array(part, { minLength: 1, maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 120 }),
        (parts, picks) => {
          const values: string[] = [];
          const first: number[] = [];
          const second: number[] = [];
          const seen = new Set<string>();
          for (const [a, b, plain] of picks) {
            const value = plain
              ? parts[a % parts.length]!
              : `${parts[a % parts.length]}${separator}${parts[b % parts.length]}`;
            if (seen.has(value)) continue;
            seen.add(value);
            values.push(value);
            first.push(plain ? -1 : a % parts.length);
            second.push(plain ? 0 : b % parts.length);
          }
          const pairs = {
            parts,
            first: Int32Array.from(first),
            second: Int32Array.from(second),
            separator,
          };
          expect(Array.from(rankText(values, compareText, true, pairs).rank)).toEqual(
            Array.from(collatorRanks(values)),
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keys a pair as its parts joined by the separator', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const whole = sortKey(`${a}${separator}${b}`);
        const ka = sortKey(a);
        const kb = sortKey(b);
        fc.pre(ka !== undefined && kb !== undefined);
        expect(whole).toBe(ka! + sortKey(separator)! + kb!);
      }),
      { numRuns: 2000 },
    );
  });

  it('orders a million-name shape (many pairs of few parts) like the collator', () => {
    const parts = Array.from({ length: 60 }, (_, i) => `+43 660 ${(i * 37) % 101}`);
    const values: string[] = [...parts];
    const first: number[] = parts.map(() => -1);
    const second: number[] = parts.map(() => 0);
    for (let a = 0; a < parts.length; a++) {
      for (let b = 0; b < parts.length; b += 3) {
        values.push(`${parts[a]}${separator}${parts[b]}`);
        first.push(a);
        second.push(b);
      }
    }
    const pairs = {
      parts,
      first: Int32Array.from(first),
      second: Int32Array.from(second),
      separator,
    };
    expect(Array.from(rankText(values, compareText, true, pairs).rank)).toEqual(
      Array.from(collatorRanks(values)),
    );
  });
});

describe('sortByKeys', () => {
  it('orders a run whose first key ends with the chunk while later ones go on', () => {
    // Forty keys in one radix run (same first four characters), the first of which ends there:
    // the run must still go on to the next four characters for the longer keys.
    const keys = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'abcd' : 'abcde'));
    const order = Uint32Array.from(keys.keys());
    sortByKeys(keys, order);
    expect(Array.from(order, (i) => keys[i])).toEqual([...keys].sort());
  });

  it('sorts generated keys with shared prefixes as a string sort does (stable)', () => {
    const key = fc
      .array(fc.constantFrom('a', 'b', '1'), { maxLength: 10 })
      .map((c) => `+43${c.join('')}`);
    fc.assert(
      fc.property(fc.array(key, { maxLength: 300 }), (keys) => {
        const order = Uint32Array.from(keys.keys());
        sortByKeys(keys, order);
        const expected = [...keys.keys()].sort((a, b) =>
          keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b,
        );
        expect(Array.from(order)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
