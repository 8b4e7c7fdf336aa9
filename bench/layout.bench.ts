// Layout benchmark: Tessera's multilevel force layout against Graphviz sfdp on Barabási–Albert
// scale-free graphs of 5k, 20k, 50k and 200k nodes (m = 2, so 200k nodes have about 400k edges;
// seed 42, so both tools see the same graphs). LAYOUT_SIZES=200000 (comma-separated node counts)
// runs only the named sizes; sfdp needs minutes at 200k, so run that under the heavy-run lock.
//
// Timing: sfdp is timed as a whole process (`sfdp -Tdot in.dot -o out.dot`: start, parse, layout,
// write). Tessera is timed in-process around forceLayout(), which includes its overlap-removal pass;
// sfdp runs with its defaults, which do not remove overlaps, so the comparison favours sfdp there.
// Both run on one core: sfdp is single-threaded and so is forceLayout (a synchronous function). On
// a shared machine wall-clock times swing with the load, so CPU seconds are printed too (sfdp's
// only where /usr/bin/time exists, which also gives its peak memory); the ratio line is wall-clock.
// Tessera's peak memory is the bench process's peak resident set so far (graph, DOT text and all).
//
// LAYOUT_SFDP_CACHE=1 reuses sfdp's time and drawing from an earlier run (kept in
// /tmp/tessera-bench/, keyed by size and seed) while iterating on Tessera alone; those lines say
// "(cached)", and a reported ratio must come from a run without it.
//
// Quality: both drawings are scored with the same functions (shared/layout/quality.ts) on node
// discs of the same diameter, 0.3 in = 21.6 pt: the DOT file declares fixed-size circles of width
// 0.3 and sfdp's positions are read from its pos="x,y" attributes (points); Tessera is given
// nodeSizes of 21.6. Reported per tool: overlapping node pairs, the coefficient of variation of edge
// lengths (scale-free; lower is more uniform) and the normalised stress over 20,000 sampled pairs
// from 400 BFS sources (scale-free; lower means drawn distances follow graph distances more
// closely). The sources matter more than the pairs: 20 sources left a sampling noise of about
// ±0.005 at 5k, 400 about ±0.002.
//
// Output: `layout Nk tessera: X s`, `layout Nk sfdp: Y s`, CPU and memory lines, overlaps, edge CV
// and stress lines per size, then `layout ratio vs sfdp Nk: X` (Tessera time / sfdp time; the goal
// is at most 0.2 at 200k, with stress no higher than sfdp's).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forceLayout } from '../shared/layout/forceLayout.ts';
import { generateScaleFreeGraph } from '../shared/layout/generate.ts';
import { countOverlaps, edgeLengthStats, sampledStress } from '../shared/layout/quality.ts';
import type { LayoutGraph } from '../shared/layout/types.ts';

const SIZES = (process.env.LAYOUT_SIZES ?? '5000,20000,50000,200000')
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const CACHE_DIR = join(tmpdir(), 'tessera-bench');
const useCache = process.env.LAYOUT_SFDP_CACHE === '1';
const TIME = '/usr/bin/time';
const SEED = 42;
const NODE_INCHES = 0.3;
const NODE_POINTS = NODE_INCHES * 72;

function toDot(graph: LayoutGraph): string {
  const lines = [
    'graph G {',
    `  node [shape=circle, width=${NODE_INCHES}, height=${NODE_INCHES}, fixedsize=true, label=""];`,
  ];
  for (let i = 0; i < graph.nodeCount; i++) lines.push(`  ${i};`);
  for (let k = 0; k < graph.edgeSources.length; k++) {
    lines.push(`  ${graph.edgeSources[k]} -- ${graph.edgeTargets[k]};`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** Node positions from sfdp's DOT output: node statements `ID [ … pos="x,y" … ]`. */
function parseDotPositions(text: string, nodeCount: number): Float64Array {
  const positions = new Float64Array(2 * nodeCount);
  const seen = new Uint8Array(nodeCount);
  const statement = /^\s*(\d+)\s*\[([^\]]*)\]/gm;
  for (let match = statement.exec(text); match; match = statement.exec(text)) {
    const pos = /pos="([-+\d.eE]+),([-+\d.eE]+)"/.exec(match[2]);
    const id = Number(match[1]);
    if (!pos || id >= nodeCount) continue;
    positions[2 * id] = Number(pos[1]);
    positions[2 * id + 1] = Number(pos[2]);
    seen[id] = 1;
  }
  const missing = seen.reduce((count, flag) => count + (flag ? 0 : 1), 0);
  if (missing > 0) throw new Error(`sfdp output lacks positions for ${missing} nodes`);
  return positions;
}

interface SfdpRun {
  wallSeconds: number;
  /** User + system CPU seconds and peak resident set, when /usr/bin/time measured them. */
  cpuSeconds?: number;
  peakMb?: number;
  positions: Float64Array;
}

function runSfdp(dir: string, graph: LayoutGraph): SfdpRun {
  const n = graph.nodeCount;
  const inPath = join(dir, `g${n}.dot`);
  const outPath = join(dir, `g${n}.out.dot`);
  const timePath = join(dir, `g${n}.time`);
  writeFileSync(inPath, toDot(graph));
  const sfdpArgs = ['-Tdot', inPath, '-o', outPath];
  const timed = existsSync(TIME);
  const start = performance.now();
  const result = timed
    ? spawnSync(TIME, ['-f', '%U %S %M', '-o', timePath, 'sfdp', ...sfdpArgs], { encoding: 'utf8' })
    : spawnSync('sfdp', sfdpArgs, { encoding: 'utf8' });
  const wallSeconds = (performance.now() - start) / 1000;
  if (result.error || result.status !== 0) {
    throw new Error(`sfdp failed: ${result.error?.message ?? result.stderr}`);
  }
  const run: SfdpRun = {
    wallSeconds,
    positions: parseDotPositions(readFileSync(outPath, 'utf8'), n),
  };
  if (timed) {
    const [user, system, peakKb] = readFileSync(timePath, 'utf8').trim().split(/\s+/).map(Number);
    run.cpuSeconds = user + system;
    run.peakMb = peakKb / 1024;
  }
  return run;
}

/** sfdp's run for this size and seed, from the cache when LAYOUT_SFDP_CACHE=1 and it is there. */
function sfdpFor(dir: string, graph: LayoutGraph): { run: SfdpRun; cached: boolean } {
  const stem = join(CACHE_DIR, `layout-sfdp-${graph.nodeCount}-seed${SEED}`);
  if (useCache && existsSync(`${stem}.json`) && existsSync(`${stem}.bin`)) {
    const meta = JSON.parse(readFileSync(`${stem}.json`, 'utf8')) as Omit<SfdpRun, 'positions'>;
    const bytes = readFileSync(`${stem}.bin`);
    const positions = new Float64Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    return { run: { ...meta, positions }, cached: true };
  }
  const run = runSfdp(dir, graph);
  mkdirSync(CACHE_DIR, { recursive: true });
  const { positions, ...meta } = run;
  writeFileSync(`${stem}.json`, JSON.stringify(meta));
  writeFileSync(`${stem}.bin`, new Uint8Array(positions.buffer));
  return { run, cached: false };
}

function report(label: string, positions: Float64Array, graph: LayoutGraph, sizes: Float32Array) {
  return {
    label,
    overlaps: countOverlaps(positions, sizes),
    cv: edgeLengthStats(positions, graph).cv,
    stress: sampledStress(positions, graph, { sources: 400, targetsPerSource: 50, seed: 5 }),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-layout-bench-'));
const ratios: string[] = [];
try {
  for (const n of SIZES) {
    const name = `${n / 1000}k`;
    const graph = generateScaleFreeGraph(n, { seed: SEED });
    const sizes = new Float32Array(n).fill(NODE_POINTS);

    const { run: sfdp, cached } = sfdpFor(dir, graph);

    const cpuStart = process.cpuUsage();
    const tesseraStart = performance.now();
    const tesseraPositions = forceLayout({ ...graph, nodeSizes: sizes }, { seed: 1 });
    const tesseraSeconds = (performance.now() - tesseraStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const tesseraCpu = (cpu.user + cpu.system) / 1e6;
    const tesseraPeakMb = process.resourceUsage().maxRSS / 1024;

    const note = cached ? ' (cached)' : '';
    console.log(`layout ${name} tessera: ${tesseraSeconds.toFixed(2)} s`);
    console.log(`layout ${name} sfdp: ${sfdp.wallSeconds.toFixed(2)} s${note}`);
    console.log(`layout ${name} cpu tessera: ${tesseraCpu.toFixed(2)} s`);
    if (sfdp.cpuSeconds !== undefined) {
      console.log(`layout ${name} cpu sfdp: ${sfdp.cpuSeconds.toFixed(2)} s${note}`);
    }
    console.log(`layout ${name} peak rss tessera: ${tesseraPeakMb.toFixed(0)} MB`);
    if (sfdp.peakMb !== undefined) {
      console.log(`layout ${name} peak rss sfdp: ${sfdp.peakMb.toFixed(0)} MB${note}`);
    }
    const scores = [
      report('tessera', tesseraPositions, graph, sizes),
      report('sfdp', sfdp.positions, graph, sizes),
    ];
    for (const s of scores) console.log(`layout ${name} overlaps ${s.label}: ${s.overlaps}`);
    for (const s of scores) console.log(`layout ${name} edge cv ${s.label}: ${s.cv.toFixed(3)}`);
    for (const s of scores) console.log(`layout ${name} stress ${s.label}: ${s.stress.toFixed(3)}`);
    const ratio = (tesseraSeconds / sfdp.wallSeconds).toFixed(3);
    ratios.push(`layout ratio vs sfdp ${name}: ${ratio}${note}`);
    if (sfdp.cpuSeconds !== undefined) {
      const cpuRatio = (tesseraCpu / sfdp.cpuSeconds).toFixed(3);
      ratios.push(`layout cpu ratio vs sfdp ${name}: ${cpuRatio}${note}`);
    }
  }
  for (const line of ratios) console.log(line);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
