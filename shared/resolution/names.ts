// Name comparison for entity resolution.
//
// Names are folded like search text (diacritics, Cyrillic/Greek/Arabic-lite transliteration,
// lower case), honorifics are dropped and, for organisations, legal forms ('Ltd', 'GmbH',
// 'ООД', 'S.r.l.') too. Three word-order-insensitive measures are combined by taking the best:
// - token sort: tokens sorted and joined, then a Levenshtein ratio;
// - token set: the shared tokens against each side's rest (so 'Ivan Ivanovich Petrov' ≈ 'Ivan
//   Petrov'), discounted when a side has a single token, since 'Ivan' alone says little;
// - alignment: each token paired greedily with its most Jaro–Winkler-similar partner on the
//   other side, averaged over the longer side (tolerates a typo in every token).

import { tokenize } from '../search/fold.ts';
import { editDistance } from '../search/fuzzy.ts';

const HONORIFICS = new Set(['mr', 'mrs', 'ms', 'miss', 'dr', 'prof', 'sir', 'jr', 'sr', 'mme']);
const LEGAL_FORMS = new Set(
  (
    'ltd limited llc llp lp plc inc incorporated corp corporation co company gmbh ag kg ohg ug ' +
    'sa sas sarl srl spa sl sau bv nv ab as asa oy oyj aps kft zrt sro doo dd ad ead ood eood ' +
    'et ooo oao zao pao ao ip tov pjsc ojsc cjsc jsc pte pty ltda sc spzoo'
  ).split(' '),
);

/** Folded name tokens; `organization` also strips legal forms. */
export function nameTokens(name: string, organization = false): string[] {
  // 'S.r.l.' and 'sp. z o.o.' are legal forms only when their dots are ignored.
  const source = organization ? name.replace(/\./g, '').replace(/sp z oo/gi, 'spzoo') : name;
  const tokens = tokenize(source).filter((t) => !HONORIFICS.has(t));
  if (!organization) return tokens;
  const kept = tokens.filter((t) => !LEGAL_FORMS.has(t));
  return kept.length > 0 ? kept : tokens;
}

/** Folded, lower-case name with single spaces (for display and exact keys). */
export function normalizeName(name: string): string {
  return tokenize(name).join(' ');
}

/** Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const usedB = new Uint8Array(lb);
  const matchA: number[] = [];
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (!usedB[j] && a.charCodeAt(i) === b.charCodeAt(j)) {
        usedB[j] = 1;
        matchA.push(i);
        break;
      }
    }
  }
  const m = matchA.length;
  if (m === 0) return 0;
  let transpositions = 0;
  let j = 0;
  for (const i of matchA) {
    while (!usedB[j]) j++;
    if (a[i] !== b[j]) transpositions++;
    j++;
  }
  const jaro = (m / la + m / lb + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

function ratio(a: string, b: string): number {
  const max = Math.max(a.length, b.length);
  return max === 0 ? 1 : 1 - editDistance(a, b) / max;
}

export function tokenSortSimilarity(a: string[], b: string[]): number {
  return ratio([...a].sort().join(' '), [...b].sort().join(' '));
}

export function tokenSetSimilarity(a: string[], b: string[]): number {
  const setA = new Set(a);
  const setB = new Set(b);
  const common = [...setA].filter((t) => setB.has(t)).sort();
  const restA = [...setA].filter((t) => !setB.has(t)).sort();
  const restB = [...setB].filter((t) => !setA.has(t)).sort();
  const base = common.join(' ');
  const withA = [...common, ...restA].join(' ');
  const withB = [...common, ...restB].join(' ');
  if (common.length === 0) return ratio(withA, withB);
  return Math.max(ratio(base, withA), ratio(base, withB), ratio(withA, withB));
}

function tokenSimilarity(x: string, y: string): number {
  // An initial matches a name with that first letter ('j' ~ 'john').
  if ((x.length === 1 || y.length === 1) && x[0] === y[0]) return 0.9;
  return jaroWinkler(x, y);
}

export function alignmentSimilarity(a: string[], b: string[]): number {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 0) return 0;
  const used = new Uint8Array(long.length);
  let sum = 0;
  for (const x of short) {
    let best = 0;
    let at = -1;
    for (let j = 0; j < long.length; j++) {
      if (used[j]) continue;
      const s = tokenSimilarity(x, long[j]!);
      if (s > best) {
        best = s;
        at = j;
      }
    }
    if (at >= 0) used[at] = 1;
    sum += best;
  }
  return sum / long.length;
}

/** Similarity of two token lists in [0, 1], independent of word order. */
export function tokenListSimilarity(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const set = tokenSetSimilarity(a, b) * (Math.min(a.length, b.length) >= 2 ? 1 : 0.75);
  return Math.max(tokenSortSimilarity(a, b), set, alignmentSimilarity(a, b));
}

/** Similarity of two names ('Petrov Ivan' and 'Иван Петров' give 1). */
export function nameSimilarity(a: string, b: string, organization = false): number {
  return tokenListSimilarity(nameTokens(a, organization), nameTokens(b, organization));
}
