/**
 * Parser fuzz targets at a small count (300 mutated inputs each; `npm run fuzz` runs 10,000), and
 * tests of the fuzzer itself: reproducible mutations, and crashes, hangs and partial writes are
 * really reported.
 */
import { describe, expect, it } from 'vitest';
import { mutate } from './parsers/mutate.ts';
import { runParsers, runTarget } from './parsers/runParsers.ts';
import type { Finding } from './parsers/runParsers.ts';

describe('the mutator', () => {
  const seeds = [Buffer.from('{"a":[1,2,{"b":"text"}],"c":null}')];

  it('is reproducible and varies with the index', () => {
    const a = mutate(seeds, 42, 'target', 7, { json: true });
    const b = mutate(seeds, 42, 'target', 7, { json: true });
    expect(a.equals(b)).toBe(true);
    const distinct = new Set(
      Array.from({ length: 200 }, (_, i) =>
        mutate(seeds, 42, 'target', i, { json: true }).toString('base64'),
      ),
    );
    expect(distinct.size).toBeGreaterThan(150);
  });
});

describe('the fuzz runner reports what it must', () => {
  const seeds = [Buffer.from('seed input')];

  it('records a crash with its input, a hang, and a partial write', async () => {
    const findings: Finding[] = [];
    let leftover = false;
    const summary = await runTarget(
      {
        name: 'fake',
        json: false,
        seeds,
        run(input, index) {
          if (index === 1) throw new TypeError('cannot read properties of undefined');
          if (index === 2) throw new RangeError('documented?');
          if (index === 3) leftover = true;
          if (index === 4) return new Promise((resolve) => setTimeout(resolve, 300));
          if (index === 5) for (;;) void input.length; // an endless loop is interrupted
          if (index === 0) throw new SyntaxError(input.toString('latin1'));
          return undefined;
        },
        accepts: (error) => error instanceof SyntaxError,
        leftovers() {
          const left = leftover ? ['TMPDIR/.tessera-open-x'] : [];
          leftover = false;
          return Promise.resolve(left);
        },
      },
      { inputs: 7, seed: 1, hangMs: 100 },
      findings,
    );
    expect(summary.findings).toBe(5);
    expect(findings.map((f) => [f.index, f.kind])).toEqual([
      [1, 'crash'],
      [2, 'crash'],
      [3, 'partial write'],
      [4, 'hang'],
      [5, 'hang'],
    ]);
    expect(findings[0]!.detail).toMatch(/^TypeError/);
    expect(Buffer.from(findings[0]!.inputBase64, 'base64').length).toBeGreaterThanOrEqual(0);
  });
});

describe('parser fuzz targets (300 inputs each)', () => {
  it('no parser that reads outside input crashes, hangs or leaves files behind', async () => {
    const result = await runParsers({ inputs: 300, seed: 20260105 });
    const report = result.findings
      .slice(0, 20)
      .map(
        (f) =>
          `${f.target} #${f.index} ${f.kind}: ${f.detail}\n  input: ${f.inputBase64.slice(0, 300)}`,
      )
      .join('\n');
    expect(result.crashes, report).toBe(0);
    const names = result.targets.map((t) => t.name);
    for (const name of [
      'bundle container',
      'bundle manifest',
      'operations',
      'case file',
      'FtM lines',
      'partner card',
      'sharing agreement',
      'bundle file (openBundle)',
      'signed bundle container (openBundle)',
      'WebSocket envelope',
      'import engine (CSV)',
    ]) {
      expect(names).toContain(name);
    }
    expect(result.inputs).toBeGreaterThanOrEqual(300 * 9);
  }, 300_000);
});
