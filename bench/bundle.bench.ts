/**
 * Bundle benchmark (issue 3 §9): seal and open a bundle carrying one 512 MiB attachment with
 * Tessera, and encrypt / decrypt the same attachment with the `age` CLI in the same run.
 * ratio = age time / Tessera time (issue 3's goal ≥ 0.5, issue 13's ≥ 1.0; bench/profiles/bundle.md
 * says what bounds it). Set TESSERA_BENCH_MIB to change the size.
 * The delta-bundle figures (size and import time after changing 1% of a 100,000-entity case)
 * are added by the sync work: see the marked place at the end.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBundle, sealBundle } from '../electron/services/bundle/index.ts';
import { applyOperations, createMergeState } from '../shared/exchange/merge.ts';
import {
  hlcRangeOf,
  operationsSince,
  parseOperations,
  serializeOperations,
} from '../shared/exchange/operations.ts';
import type { Operation } from '../shared/exchange/operations.ts';
import { POLICY_VERSION } from '../shared/exchange/policy.ts';
import { HybridLogicalClock } from '../shared/model/index.ts';
import type { AnyRecord } from '../shared/model/index.ts';
import { generateLargeCase } from './storage/generate.ts';
import {
  exportAgeSecretKey,
  IdentityStore,
  PassphraseProtector,
} from '../electron/services/identity/index.ts';

const MIB = 1024 * 1024;
const sizeMib = Number(process.env['TESSERA_BENCH_MIB'] ?? 512);

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** CPU seconds of this process, all its threads (the crypto threads and the I/O pool included). */
function ownCpu(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * CPU seconds of the children waited for so far (the `age` runs), from /proc (Linux; NaN
 * elsewhere). On a shared machine the CPU time of each side is steadier than its wall time, and
 * it is what the two cores of an idle laptop have to fit.
 */
function childCpu(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds of each thread of this process, by thread id, from the scheduler's own account
 * (/proc/self/task/N/schedstat, nanoseconds run; Linux, empty elsewhere). The per-tick `stat`
 * figures misattribute short bursts between threads (round 7 of bench/profiles/bundle.md).
 */
function threadCpu(): Map<string, number> {
  const threads = new Map<string, number>();
  try {
    for (const task of readdirSync('/proc/self/task')) {
      const schedstat = readFileSync(`/proc/self/task/${task}/schedstat`, 'utf8');
      threads.set(task, Number(schedstat.split(' ')[0]) / 1e9);
    }
  } catch {
    // Not Linux: no per-thread line.
  }
  return threads;
}

/** The threads that ran between two `threadCpu()` readings, busiest first (≥ 10 ms). */
function busiestThreads(before: Map<string, number>, after: Map<string, number>): string {
  return [...after]
    .map(([task, cpu]) => cpu - (before.get(task) ?? 0))
    .filter((cpu) => cpu >= 0.01)
    .sort((x, y) => y - x)
    .map((cpu) => cpu.toFixed(2))
    .join(' ');
}

async function writeRandomFile(file: string, bytes: number): Promise<void> {
  const fh = await fs.open(file, 'w');
  try {
    // Random-looking but cheap: one random MiB, varied per block so nothing repeats exactly.
    const block = crypto.randomBytes(MIB);
    for (let written = 0; written < bytes; written += MIB) {
      block.writeUInt32BE(written / MIB, 0);
      await fs.appendFile(fh, block.subarray(0, Math.min(MIB, bytes - written)));
    }
  } finally {
    await fh.close();
  }
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-bench-bundle-'));
  try {
    const protector = new PassphraseProtector(() => 'bench', { logN: 12, r: 8, p: 1 });
    const a = new IdentityStore(path.join(dir, 'a'), protector);
    const b = new IdentityStore(path.join(dir, 'b'), protector);
    const cardA = await a.create({ agencyName: 'Bench Agency A' });
    const cardB = await b.create({ agencyName: 'Bench Agency B' });
    const idA = await a.unlock();
    const idB = await b.unlock();
    const keyFile = path.join(dir, 'b.key');
    await fs.writeFile(keyFile, `${exportAgeSecretKey(idB)}\n`, { mode: 0o600 });

    const input = path.join(dir, 'attachment.bin');
    await writeRandomFile(input, sizeMib * MIB);

    // Disk timings on a shared machine are noisy: interleave the tools and keep each one's best.
    const reps = Number(process.env['TESSERA_BENCH_REPS'] ?? 3);
    let ageSeal = Infinity;
    let ageOpen = Infinity;
    let tesseraSeal = Infinity;
    let tesseraOpen = Infinity;
    const cpu = { ageSeal: Infinity, ageOpen: Infinity, seal: Infinity, open: Infinity };
    // Per-thread CPU of the repetition with the least CPU (the main thread, the crypto threads and
    // the I/O pool, unnamed): how evenly the work spreads over the two cores.
    const threads = { seal: '', open: '' };
    const ageFile = path.join(dir, 'plain.age');
    const bundle = path.join(dir, 'bundle.tsb');
    const openedDir = path.join(dir, 'opened');
    for (let rep = 0; rep < reps; rep++) {
      let t = process.hrtime.bigint();
      let c = childCpu();
      execFileSync('age', ['-r', cardB.ageRecipient, '-o', ageFile, input]);
      ageSeal = Math.min(ageSeal, seconds(t));
      cpu.ageSeal = Math.min(cpu.ageSeal, childCpu() - c);
      t = process.hrtime.bigint();
      c = childCpu();
      execFileSync('age', ['-d', '-i', keyFile, '-o', path.join(dir, 'plain.out'), ageFile]);
      ageOpen = Math.min(ageOpen, seconds(t));
      cpu.ageOpen = Math.min(cpu.ageOpen, childCpu() - c);
      await fs.rm(ageFile);
      await fs.rm(path.join(dir, 'plain.out'));

      t = process.hrtime.bigint();
      c = ownCpu();
      let tasks = threadCpu();
      await sealBundle({
        identity: idA,
        recipients: [cardB],
        manifestFields: { caseId: 'bench-case', policyVersion: 'bench' },
        operations: Buffer.from('{}'),
        attachments: [{ name: 'attachment.bin', path: input }],
        out: bundle,
      });
      tesseraSeal = Math.min(tesseraSeal, seconds(t));
      if (ownCpu() - c < cpu.seal) threads.seal = busiestThreads(tasks, threadCpu());
      cpu.seal = Math.min(cpu.seal, ownCpu() - c);
      t = process.hrtime.bigint();
      c = ownCpu();
      tasks = threadCpu();
      const opened = await openBundle(bundle, idB, cardA, openedDir);
      tesseraOpen = Math.min(tesseraOpen, seconds(t));
      if (ownCpu() - c < cpu.open) threads.open = busiestThreads(tasks, threadCpu());
      cpu.open = Math.min(cpu.open, ownCpu() - c);
      if (opened.attachments[0]?.size !== sizeMib * MIB)
        throw new Error('bench: attachment size mismatch');
      await fs.rm(bundle);
      await fs.rm(openedDir, { recursive: true });
    }

    console.log(`attachment size: ${sizeMib} MiB`);
    console.log(`repetitions (best of): ${reps}`);
    console.log(`seal throughput tessera: ${(sizeMib / tesseraSeal).toFixed(1)} MiB/s`);
    console.log(`seal throughput age: ${(sizeMib / ageSeal).toFixed(1)} MiB/s`);
    console.log(`open throughput tessera: ${(sizeMib / tesseraOpen).toFixed(1)} MiB/s`);
    console.log(`open throughput age: ${(sizeMib / ageOpen).toFixed(1)} MiB/s`);
    console.log(`seal time tessera: ${tesseraSeal.toFixed(3)} s`);
    console.log(`seal time age: ${ageSeal.toFixed(3)} s`);
    console.log(`open time tessera: ${tesseraOpen.toFixed(3)} s`);
    console.log(`open time age: ${ageOpen.toFixed(3)} s`);
    console.log(`seal ratio vs age: ${(ageSeal / tesseraSeal).toFixed(2)}`);
    console.log(`open ratio vs age: ${(ageOpen / tesseraOpen).toFixed(2)}`);
    console.log(`seal cpu tessera: ${cpu.seal.toFixed(3)} s`);
    console.log(`seal cpu age: ${cpu.ageSeal.toFixed(3)} s`);
    console.log(`open cpu tessera: ${cpu.open.toFixed(3)} s`);
    console.log(`open cpu age: ${cpu.ageOpen.toFixed(3)} s`);
    // Two cores: Tessera's wall time cannot go below half its CPU time, age's is about its own.
    console.log(`seal cpu ratio vs age (x2 cores): ${((2 * cpu.ageSeal) / cpu.seal).toFixed(2)}`);
    console.log(`open cpu ratio vs age (x2 cores): ${((2 * cpu.ageOpen) / cpu.open).toFixed(2)}`);
    console.log(`seal cpu per thread tessera (s, busiest first): ${threads.seal}`);
    console.log(`open cpu per thread tessera (s, busiest first): ${threads.open}`);

    await measureDelta(dir, idA, idB, cardA, cardB);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const DELTA_NODES = 70_000;
const DELTA_RELATIONSHIPS = 30_000;

/**
 * Delta bundle: a 100,000-record case (70,000 entities, 30,000 relationships) goes out whole once;
 * then 1% of its records change and only what changed since that bundle travels, exactly as the
 * exchange service selects it (operationsSince the last acknowledged clock). Import time is the
 * receiver's work: verify + decrypt, parse and validate the operations, merge into its copy.
 */
async function measureDelta(
  dir: string,
  sender: Parameters<typeof sealBundle>[0]['identity'],
  receiver: Parameters<typeof openBundle>[1],
  senderCard: Parameters<typeof openBundle>[2],
  receiverCard: Parameters<typeof sealBundle>[0]['recipients'][number],
): Promise<void> {
  const caseFile = generateLargeCase(DELTA_NODES, DELTA_RELATIONSHIPS, 11);
  const records: AnyRecord[] = [caseFile.case, ...caseFile.entities];
  const seal = async (operations: Operation[], out: string) => {
    const text = serializeOperations(caseFile.case.id, operations);
    await sealBundle({
      identity: sender,
      recipients: [receiverCard],
      manifestFields: { caseId: caseFile.case.id, policyVersion: POLICY_VERSION },
      operations: Buffer.from(text),
      out,
    });
    return (await fs.stat(out)).size;
  };
  const fullOps = operationsSince(records, null, { agency: 'bench' });
  const fullPath = path.join(dir, 'full.tsb');
  const fullSize = await seal(fullOps, fullPath);
  const lastSent = hlcRangeOf(fullOps)!.to;

  const clock = new HybridLogicalClock('bench.sender', () => Date.UTC(2025, 0, 1));
  const changed = records.map((record, index) => {
    if (record.kind !== 'entity' || index % 100 !== 0) return record;
    const notes = [...(record.properties['notes'] ?? []), `reviewed ${index}`];
    return { ...record, updatedAt: clock.now(), properties: { ...record.properties, notes } };
  });
  const deltaOps = operationsSince(changed, lastSent, { agency: 'bench' });
  const deltaPath = path.join(dir, 'delta.tsb');
  const deltaSize = await seal(deltaOps, deltaPath);

  const receiverState = createMergeState(records);
  const start = process.hrtime.bigint();
  const opened = await openBundle(deltaPath, receiver, senderCard, path.join(dir, 'delta-opened'));
  const parsed = parseOperations(opened.operations.toString('utf8'));
  const merged = applyOperations(receiverState, parsed.operations, {
    localAgency: 'receiver',
    sender: 'bench',
  });
  const importSeconds = seconds(start);
  if (merged.changedIds.length === 0) throw new Error('bench: the delta changed nothing');

  console.log(`full bundle records: ${records.length}`);
  console.log(`delta changed records: ${deltaOps.length}`);
  console.log(`full bundle size: ${(fullSize / MIB).toFixed(2)} MiB`);
  console.log(`delta bundle size: ${(deltaSize / 1024).toFixed(1)} KiB`);
  console.log(`delta size ratio: ${((deltaSize / fullSize) * 100).toFixed(2)} % (goal ≤ 2 %)`);
  console.log(`delta import time: ${(importSeconds * 1000).toFixed(0)} ms`);
}

await main();
