// Layout benchmark: Tessera's multilevel force layout against Graphviz sfdp on Barabási–Albert
// scale-free graphs of 5k, 20k and 50k nodes (m = 2, seed 42, so both tools see the same graphs).
//
// Timing: sfdp is timed as a whole process (`sfdp -Tdot in.dot -o out.dot`: start, parse, layout,
// write). Tessera is timed in-process around forceLayout(), which includes its overlap-removal pass;
// sfdp runs with its defaults, which do not remove overlaps, so the comparison favours sfdp there.
//
// Quality: both drawings are scored with the same functions (shared/layout/quality.ts) on node
// discs of the same diameter, 0.3 in = 21.6 pt: the DOT file declares fixed-size circles of width
// 0.3 and sfdp's positions are read from its pos="x,y" attributes (points); Tessera is given
// nodeSizes of 21.6. Reported per tool: overlapping node pairs, the coefficient of variation of edge
// lengths (scale-free; lower is more uniform) and the normalised stress over 4,000 sampled pairs
// (scale-free; lower means drawn distances follow graph distances more closely).
//
// Output: `layout Nk tessera: X s`, `layout Nk sfdp: Y s`, overlaps, edge CV and stress lines per
// size, then `layout ratio vs sfdp Nk: X` (Tessera time / sfdp time; the goal is at most 1.0).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forceLayout } from '../shared/layout/forceLayout.ts';
import { generateScaleFreeGraph } from '../shared/layout/generate.ts';
import { countOverlaps, edgeLengthStats, sampledStress } from '../shared/layout/quality.ts';
import type { LayoutGraph } from '../shared/layout/types.ts';

const SIZES = [5_000, 20_000, 50_000];
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

function report(label: string, positions: Float64Array, graph: LayoutGraph, sizes: Float32Array) {
  return {
    label,
    overlaps: countOverlaps(positions, sizes),
    cv: edgeLengthStats(positions, graph).cv,
    stress: sampledStress(positions, graph, { sources: 20, targetsPerSource: 200, seed: 5 }),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-layout-bench-'));
const ratios: string[] = [];
try {
  for (const n of SIZES) {
    const name = `${n / 1000}k`;
    const graph = generateScaleFreeGraph(n, { seed: SEED });
    const sizes = new Float32Array(n).fill(NODE_POINTS);

    const inPath = join(dir, `g${n}.dot`);
    const outPath = join(dir, `g${n}.out.dot`);
    writeFileSync(inPath, toDot(graph));
    const sfdpStart = performance.now();
    const sfdp = spawnSync('sfdp', ['-Tdot', inPath, '-o', outPath], { encoding: 'utf8' });
    const sfdpSeconds = (performance.now() - sfdpStart) / 1000;
    if (sfdp.error || sfdp.status !== 0) {
      throw new Error(`sfdp failed: ${sfdp.error?.message ?? sfdp.stderr}`);
    }
    const sfdpPositions = parseDotPositions(readFileSync(outPath, 'utf8'), n);

    const tesseraStart = performance.now();
    const tesseraPositions = forceLayout({ ...graph, nodeSizes: sizes }, { seed: 1 });
    const tesseraSeconds = (performance.now() - tesseraStart) / 1000;

    console.log(`layout ${name} tessera: ${tesseraSeconds.toFixed(2)} s`);
    console.log(`layout ${name} sfdp: ${sfdpSeconds.toFixed(2)} s`);
    const scores = [
      report('tessera', tesseraPositions, graph, sizes),
      report('sfdp', sfdpPositions, graph, sizes),
    ];
    for (const s of scores) console.log(`layout ${name} overlaps ${s.label}: ${s.overlaps}`);
    for (const s of scores) console.log(`layout ${name} edge cv ${s.label}: ${s.cv.toFixed(3)}`);
    for (const s of scores) console.log(`layout ${name} stress ${s.label}: ${s.stress.toFixed(3)}`);
    ratios.push(`layout ratio vs sfdp ${name}: ${(tesseraSeconds / sfdpSeconds).toFixed(2)}`);
  }
  for (const line of ratios) console.log(line);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
