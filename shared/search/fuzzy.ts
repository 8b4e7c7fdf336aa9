// Edit distances used by search (typo tolerance) and resolution (name similarity).

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transposition) if it is at most
 * `max`, otherwise `max + 1`. Only a diagonal band of width 2·max+1 is computed, and the loop
 * stops as soon as a whole row exceeds `max`.
 */
export function boundedEditDistance(a: string, b: string, max: number): number {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (la === 0 || lb === 0) return Math.max(la, lb);
  const big = max + 1;
  if (rows[0].length < lb + 2) rows = [0, 1, 2].map(() => new Int32Array(2 * (lb + 1)));
  let prev2 = rows[0];
  let prev = rows[1];
  let cur = rows[2];
  for (let j = 0; j <= lb; j++) prev[j] = j <= max ? j : big;
  for (let i = 1; i <= la; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(lb, i + max);
    // Only the band is computed; the cells just outside it must read as 'too far'.
    cur[0] = i <= max ? i : big;
    if (lo > 1) cur[lo - 1] = big;
    if (hi < lb) cur[hi + 1] = big;
    let rowMin = cur[0];
    const ca = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = prev[j - 1] + (ca === cb ? 0 : 1);
      const del = prev[j] + 1;
      const ins = cur[j - 1] + 1;
      if (del < v) v = del;
      if (ins < v) v = ins;
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) {
        const tr = prev2[j - 2] + 1;
        if (tr < v) v = tr;
      }
      if (v > big) v = big;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return big;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(prev[lb], big);
}

// Reused rows (two before the current one, for transpositions); grown on demand.
let rows = [0, 1, 2].map(() => new Int32Array(64));

/** The edit budget for a query term of this length: 0 below 4 chars, 1 for 4–7, 2 from 8. */
export function typoBudget(length: number): number {
  if (length < 4) return 0;
  return length < 8 ? 1 : 2;
}

/** Padded trigrams ('$$iv', …) of a term; a term of length L yields L + 2 of them. */
export function trigrams(term: string): string[] {
  const padded = `$$${term}$$`;
  const out: string[] = [];
  for (let i = 0; i + 3 <= padded.length; i++) out.push(padded.slice(i, i + 3));
  return out;
}
