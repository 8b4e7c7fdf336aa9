// Name comparison for entity resolution.
//
// Names are folded like search text (diacritics, Cyrillic/Greek/Arabic-lite transliteration,
// lower case), honorifics are dropped and, for organisations, legal forms ('Ltd', 'GmbH',
// 'ООД', 'S.r.l.') too. Three word-order-insensitive measures are combined by taking the best:
// - token sort: tokens sorted and joined, then a Levenshtein ratio;
// - token set: the shared tokens against each side's rest (so 'Ivan Ivanovich Petrov' ≈ 'Ivan
//   Petrov'), discounted when a side has a single token, since 'Ivan' alone says little;
// - alignment: each token paired greedily with its most Jaro–Winkler-similar partner on the
//   other side, averaged over the longer side (tolerates a typo in every token), scaled down
//   when the worst-matched word is below 0.85.

import { tokenize } from '../search/fold.ts';
import { boundedEditDistance } from '../search/fuzzy.ts';

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

// Scratch for jaroWinkler, grown on demand (it runs millions of times in candidate search).
let usedB = new Uint8Array(64);
let matchA = new Int32Array(64);

/** Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (usedB.length < lb) usedB = new Uint8Array(lb * 2);
  if (matchA.length < la) matchA = new Int32Array(la * 2);
  usedB.fill(0, 0, lb);
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  let m = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (usedB[j] === 0 && c === b.charCodeAt(j)) {
        usedB[j] = 1;
        matchA[m++] = i;
        break;
      }
    }
  }
  if (m === 0) return 0;
  let transpositions = 0;
  let j = 0;
  for (let k = 0; k < m; k++) {
    while (usedB[j] === 0) j++;
    if (a.charCodeAt(matchA[k]) !== b.charCodeAt(j)) transpositions++;
    j++;
  }
  const jaro = (m / la + m / lb + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** 1 − distance / longer length; 0 when that is below `floor` (which bounds the work). */
function ratio(a: string, b: string, floor = 0): number {
  const max = Math.max(a.length, b.length);
  if (max === 0) return 1;
  const budget = Math.floor(max * (1 - floor) + 1e-9);
  const d = boundedEditDistance(a, b, budget);
  return d > budget ? 0 : 1 - d / max;
}

/** A name prepared once for many comparisons. */
export interface NameForm {
  tokens: string[];
  /** Distinct tokens, sorted. */
  unique: string[];
  /** All tokens sorted and joined by spaces. */
  sorted: string;
}

export function nameForm(tokens: string[]): NameForm {
  return { tokens, unique: [...new Set(tokens)].sort(), sorted: [...tokens].sort().join(' ') };
}

export function tokenSortSimilarity(a: string[], b: string[], floor = 0): number {
  return ratio([...a].sort().join(' '), [...b].sort().join(' '), floor);
}

export function tokenSetSimilarity(a: string[], b: string[], floor = 0): number {
  return setSimilarity(nameForm(a).unique, nameForm(b).unique, floor);
}

function setSimilarity(a: string[], b: string[], floor: number): number {
  // Both sorted and distinct: one merge pass splits them into common and rest.
  const common: string[] = [];
  const restA: string[] = [];
  const restB: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) restA.push(a[i++]);
    else if (i >= a.length || b[j] < a[i]) restB.push(b[j++]);
    else {
      common.push(a[i++]);
      j++;
    }
  }
  const base = common.join(' ');
  const withA = restA.length === 0 ? base : `${base} ${restA.join(' ')}`.trim();
  const withB = restB.length === 0 ? base : `${base} ${restB.join(' ')}`.trim();
  // Without a common token this is the token-sort ratio, which the caller computes anyway.
  if (common.length === 0) return floor > 0 ? 0 : ratio(withA, withB, floor);
  if (restA.length === 0 || restB.length === 0) return 1;
  return Math.max(ratio(base, withA, floor), ratio(base, withB, floor), ratio(withA, withB, floor));
}

const ALIGN_FLOOR = 0.85;

function tokenSimilarity(x: string, y: string): number {
  // An initial matches a name with that first letter ('j' ~ 'john').
  if ((x.length === 1 || y.length === 1) && x[0] === y[0]) return 0.9;
  return jaroWinkler(x, y);
}

let usedTokens = new Uint8Array(16);

function alignmentSimilarity(a: string[], b: string[]): number {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 0) return 0;
  if (usedTokens.length < long.length) usedTokens = new Uint8Array(long.length * 2);
  const used = usedTokens;
  used.fill(0, 0, long.length);
  let sum = 0;
  let worst = 1;
  for (const x of short) {
    let best = 0;
    let at = -1;
    for (let j = 0; j < long.length; j++) {
      if (used[j]) continue;
      const s = tokenSimilarity(x, long[j]);
      if (s > best) {
        best = s;
        at = j;
      }
    }
    if (at >= 0) used[at] = 1;
    sum += best;
    worst = Math.min(worst, best);
  }
  // One clearly different word ('Perez' / 'Petrov') should not be carried by a common first name.
  return (sum / long.length) * (worst >= ALIGN_FLOOR ? 1 : worst);
}

/**
 * Similarity of two prepared names in [0, 1], independent of word order. With `floor`,
 * measures that cannot reach it may report 0 instead of their exact value (faster).
 */
export function formSimilarity(a: NameForm, b: NameForm, organization = false, floor = 0): number {
  if (a.tokens.length === 0 || b.tokens.length === 0) return 0;
  if (a.sorted === b.sorted) return 1;
  const shorter = Math.min(a.unique.length, b.unique.length);
  const longer = Math.max(a.unique.length, b.unique.length);
  // A subset match says less for organisations ('Import Security' ⊂ 'Ricci Security Import')
  // than for people (a missing middle name), and little when one side is a single word.
  const coverage = shorter / longer;
  const discount =
    (shorter >= 2 ? 1 : 0.75) * (organization ? 0.5 + 0.5 * coverage : 0.9 + 0.1 * coverage);
  const align = alignmentSimilarity(a.tokens, b.tokens);
  const set = setSimilarity(a.unique, b.unique, Math.min(1, floor / discount)) * discount;
  let best = Math.max(align, set);
  if (best < 1) best = Math.max(best, ratio(a.sorted, b.sorted, Math.max(floor, best)));
  return best;
}

/** Similarity of two token lists (see `formSimilarity`). */
function tokenListSimilarity(a: string[], b: string[], organization = false): number {
  return formSimilarity(nameForm(a), nameForm(b), organization);
}

/** Similarity of two names ('Petrov Ivan' and 'Иван Петров' give 1). */
export function nameSimilarity(a: string, b: string, organization = false): number {
  return tokenListSimilarity(
    nameTokens(a, organization),
    nameTokens(b, organization),
    organization,
  );
}
