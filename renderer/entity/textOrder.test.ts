import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareText, fold, rankText, sortKey } from './textOrder.ts';

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
