// Search and entity-resolution benchmark over 100,000 seeded synthetic entities.
// Prints: index build time, p50/p95 latency over a mix of exact, prefix and typo queries (1–3
// terms, some with filters), whether p95 meets the 30 ms goal, and the duplicate-candidate time
// with the recall of deliberately planted duplicates.
//
// The data: people, companies, addresses, bank accounts and vehicles with realistic-looking
// names (Latin, some Cyrillic), phones in several notations, partial dates and countries; about
// 2 % of people reappear as perturbed duplicates (word order, a typo, upper case) sharing a
// birth date and sometimes a phone.

import { findDuplicateCandidates } from '../shared/resolution/candidates.ts';
import { createSearchIndex } from '../shared/search/searchIndex.ts';
import { generateEntities, mixedQueries } from './search/entities.ts';

const COUNT = Number(process.env.SEARCH_BENCH_COUNT ?? 100_000);
const QUERIES = 400;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const { entities, planted } = generateEntities(COUNT);

  let t = performance.now();
  const index = createSearchIndex();
  for (const e of entities) index.add(e);
  index.search('warm up'); // first query also sorts the vocabulary: count it as build
  const build = (performance.now() - t) / 1000;
  console.log(`search index build: ${build.toFixed(2)} s`);

  const names = entities.filter((e) => e.schema === 'Person').map((e) => e.properties.name[0]);
  const queries = mixedQueries(entities, QUERIES);
  // Warm the JIT on queries outside the measured set, as a long-running worker would be.
  for (const name of names.slice(0, 50)) index.search(name.slice(0, 6), { limit: 20 });
  const times: number[] = [];
  let hits = 0;
  for (const [q, options] of queries) {
    t = performance.now();
    hits += index.search(q, { limit: 20, ...options }).length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const p95 = percentile(times, 95);
  console.log(`search p50: ${percentile(times, 50).toFixed(2)} ms`);
  console.log(`search p95: ${p95.toFixed(2)} ms`);
  console.log(`search max: ${times[times.length - 1].toFixed(2)} ms`);
  console.log(`search mean hits: ${(hits / queries.length).toFixed(1)} results`);
  console.log(`search p95 goal 30 ms: ${p95 <= 30 ? 'met' : 'missed'}`);

  t = performance.now();
  const pairs = findDuplicateCandidates(entities, { defaultCallingCode: '359' });
  console.log(`resolution candidates 100k: ${((performance.now() - t) / 1000).toFixed(2)} s`);
  const found = new Set(pairs.map((p) => `${p.a}|${p.b}`));
  const recalled = planted.filter(([a, b]) => found.has(`${a}|${b}`)).length;
  console.log(`resolution pairs: ${pairs.length} pairs`);
  console.log(`resolution planted recall: ${((100 * recalled) / planted.length).toFixed(1)} %`);
  await Promise.resolve();
}

await main();
