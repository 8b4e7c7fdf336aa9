/**
 * Phases of the search index's build, save and reopen, in one process (CPU time per phase), on the
 * million case at MILLION_ROWS rows: `node --import tsx bench/million/searchProfile.ts` (add
 * `--cpu-prof` for a profile). Not a bench group: a tool for bench/profiles/search.md.
 */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { EntityRecord } from '../../shared/model/index.ts';
import { packEntities } from '../../shared/search/packed.ts';
import type { PackedEntities } from '../../shared/search/packed.ts';
import { createSearchIndex, loadSearchIndex } from '../../shared/search/searchIndex.ts';
import { diffVersions } from '../../shared/search/indexSync.ts';
import { decodePersistedIndex, encodePersistedIndex } from '../../shared/search/persisted.ts';
import { loadMillionCase } from './case.ts';

const rows = Number(process.env['MILLION_ROWS'] ?? 200_000);
const only = process.env['PHASES']?.split(',');
const { entities } = await loadMillionCase(rows);
const records = entities as EntityRecord[];
console.log(`records ${records.length}`);

const profiled = process.env['PROFILE']?.split(',') ?? [];
const session = new Session();
session.connect();
await session.post('Profiler.enable');

async function phase<T>(name: string, work: () => T): Promise<T> {
  const profile = profiled.some((p) => name.startsWith(p));
  if (profile) await session.post('Profiler.start');
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const out = work();
  const used = process.cpuUsage(cpu);
  if (profile) {
    const { profile: data } = await session.post('Profiler.stop');
    writeFileSync(`/tmp/sp/${name.split(' ')[0]}.cpuprofile`, JSON.stringify(data));
  }
  console.log(
    `${name}: cpu ${Math.round((used.user + used.system) / 1000)} ms, wall ${Math.round(performance.now() - wall)} ms`,
  );
  return out;
}

const BATCH = 5000;
const doc = (r: EntityRecord) => ({
  id: r.id,
  schema: r.schema,
  properties: r.properties as Record<string, string[]>,
});
const seen = new Map<string, string>();
await phase('diff (first sync)', () => diffVersions(seen, records));
const batches: PackedEntities[] = await phase('pack', () => {
  const out: PackedEntities[] = [];
  for (let i = 0; i < records.length; i += BATCH)
    out.push(packEntities(records.slice(i, i + BATCH), doc, { fresh: true }));
  return out;
});
const cloned = await phase('clone', () => batches.map((b) => structuredClone(b)));
const index = createSearchIndex();
if (!only || only.includes('build')) {
  await phase('build (addPacked)', () => {
    for (const b of cloned) index.addPacked(b);
  });
}
if (!only || only.includes('shards')) {
  const half = Math.ceil(cloned.length / 2);
  const a = createSearchIndex();
  const b = createSearchIndex();
  const again = batches.map((x) => structuredClone(x));
  await phase('shard A: first half', () => {
    for (const x of again.slice(0, half)) a.addPacked(x);
  });
  await phase('shard B: second half', () => {
    for (const x of again.slice(half)) b.addPacked(x);
  });
  const shard = await phase('shard B: export', () => b.exportShard());
  console.log(`shard MB ${(shard.byteLength / 1e6).toFixed(1)}`);
  const moved = await phase('shard: clone', () =>
    structuredClone(shard, { transfer: [shard.buffer] }),
  );
  await phase('shard A: merge', () => a.mergeShard(moved, { fresh: true }));
  if (!only || only.includes('build')) {
    const x = a.serialize();
    const y = index.serialize();
    console.log(
      `merged equals one build: ${x.length === y.length && x.every((v, i) => v === y[i])}`,
    );
  }
}
const bytes = await phase('serialize', () => index.serialize());
const packed = await phase('encode with versions', () =>
  encodePersistedIndex({
    index: bytes,
    versions: { entities: seen, notes: new Map(), attachments: new Map() },
  }),
);
console.log(
  `persisted MB ${(packed.byteLength / 1e6).toFixed(1)}, index MB ${(bytes.byteLength / 1e6).toFixed(1)}`,
);
const decoded = await phase('decode with versions', () => decodePersistedIndex(packed));
const loaded = await phase('loadSearchIndex', () => loadSearchIndex(decoded.index));
await phase('diff (reopen)', () => diffVersions(decoded.versions.entities, records));
await phase('first search', () => loaded.search('+43 664 1234567'));
