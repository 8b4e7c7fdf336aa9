// Search and entity-resolution benchmark over 100,000 seeded synthetic entities.
// Prints: index build time, p50/p95 latency over a mix of exact, prefix and typo queries (1–3
// terms, some with filters), whether p95 meets the 30 ms goal, and the duplicate-candidate time.

import { createSearchIndex } from '../shared/search/searchIndex.ts';
import type { SearchOptions } from '../shared/search/types.ts';
import { generateEntities, rng } from './searchData.ts';

const COUNT = Number(process.env.SEARCH_BENCH_COUNT ?? 100_000);
const QUERIES = 400;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function typo(word: string, r: () => number): string {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(r() * (word.length - 3));
  return r() < 0.5 ? word.slice(0, i) + word.slice(i + 1) : word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

async function main(): Promise<void> {
  const { entities } = generateEntities(COUNT);

  let t = performance.now();
  const index = createSearchIndex();
  for (const e of entities) index.add(e);
  index.search('warm up'); // first query also sorts the vocabulary: count it as build
  const build = (performance.now() - t) / 1000;
  console.log(`search index build: ${build.toFixed(2)} s`);

  const r = rng(7);
  const names = entities.filter((e) => e.schema === 'Person').map((e) => e.properties.name![0]!);
  const phones = entities.flatMap((e) => e.properties.phone ?? []);
  const addresses = entities.flatMap((e) => e.properties.full ?? []);
  const queries: [string, SearchOptions][] = [];
  for (let i = 0; i < QUERIES; i++) {
    const name = names[Math.floor(r() * names.length)]!;
    const words = name.split(' ');
    const kind = i % 8;
    if (kind === 0) queries.push([name, {}]); // exact two-term name
    else if (kind === 1) queries.push([words[1]!, {}]); // one term
    else if (kind === 2) queries.push([`${words[0]} ${words[1]!.slice(0, 3)}`, {}]); // typing
    else if (kind === 3) queries.push([`${words[0]} ${typo(words[1]!, r)}`, {}]); // typo
    else if (kind === 4) queries.push([typo(words[1]!, r), { schemata: ['Person'], dateFrom: '1970', dateTo: '1985' }]);
    else if (kind === 5) queries.push([phones[Math.floor(r() * phones.length)]!.replace(/\D/g, ''), {}]);
    else if (kind === 6) queries.push([addresses[Math.floor(r() * addresses.length)]!.split(',')[1]!.trim() + ' ' + 'main st', {}]);
    else queries.push([`${words[1]} ${words[0]} ${['sofia', 'bg', 'ltd'][i % 3]}`, { countries: ['bg', 'ru', 'de'] }]);
  }
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
  console.log(`search max: ${times[times.length - 1]!.toFixed(2)} ms`);
  console.log(`search mean hits: ${(hits / queries.length).toFixed(1)} results`);
  console.log(`search p95 goal 30 ms: ${p95 <= 30 ? 'met' : 'missed'}`);
  await Promise.resolve();
}

await main();
