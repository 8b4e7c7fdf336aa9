import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  collectImports,
  describeCycles,
  importsOfTestSupport,
  findCycles,
  folderEdges,
  folderOf,
} from './folderCycles.ts';
import type { FolderEdge } from './folderCycles.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const edge = (from: string, to: string): FolderEdge => ({
  from,
  to,
  example: { from: `${from}/a.ts`, to: `${to}/b.ts` },
});

describe('the folder graph', () => {
  it('maps files to renderer/<feature>, shared/<folder> and electron/<folder>/<sub>', () => {
    expect(folderOf('renderer/app/App.tsx')).toBe('renderer/app');
    expect(folderOf('renderer/chart/overview/overviewScene.ts')).toBe('renderer/chart');
    expect(folderOf('renderer/main.tsx')).toBe('renderer');
    expect(folderOf('shared/analysis/fixtures/networkx.ts')).toBe('shared/analysis');
    expect(folderOf('electron/services/exchange/x/y.ts')).toBe('electron/services/exchange');
    expect(folderOf('electron/services/handlers.ts')).toBe('electron/services');
    expect(folderOf('bench/chart.bench.ts')).toBeUndefined();
  });

  it('finds a two-folder cycle and names the import behind each edge', () => {
    const cycles = findCycles([
      edge('renderer/db', 'renderer/app'),
      edge('renderer/app', 'renderer/db'),
    ]);
    expect(cycles.map((cycle) => cycle.folders)).toEqual([['renderer/app', 'renderer/db']]);
    expect(describeCycles(cycles)).toContain('renderer/db/a.ts imports renderer/app/b.ts');
  });

  it('reports nothing for a graph whose edges all go one way', () => {
    // Folders numbered, every edge from a lower to a higher number: acyclic by construction.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(12), fc.nat(12)), { maxLength: 60 }), (pairs) => {
        const edges = pairs
          .filter(([a, b]) => a !== b)
          .map(([a, b]) => edge(`f${Math.min(a, b)}`, `f${Math.max(a, b)}`));
        expect(findCycles(edges)).toEqual([]);
      }),
    );
  });

  it('finds every folder of a ring, however the ring is labelled', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(1000), { minLength: 2, maxLength: 15 }), (ids) => {
        const names = ids.map((id) => `f${id}`);
        const edges = names.map((name, i) => edge(name, names[(i + 1) % names.length]!));
        const cycles = findCycles(edges);
        expect(cycles).toHaveLength(1);
        expect(cycles[0]!.folders).toEqual([...names].sort());
        expect(cycles[0]!.edges).toHaveLength(names.length);
      }),
    );
  });

  describe('resolving imports in a tree', () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-cycles-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('renderer/a/one.ts', "import type { T } from '../b/index.ts';\nexport const one = 1;\n");
    write(
      'renderer/b/index.ts',
      "export type T = number;\nexport const lazy = () => import('../c');\n",
    );
    write('renderer/c/index.tsx', "export { one } from '../a/one.ts';\n");
    // Tests may import anything: they are left out.
    write('renderer/c/c.test.ts', "import '../b/index.ts';\n");
    write('renderer/c/fixtures/seed.ts', 'export const seed = 1;\n');
    write('renderer/c/fixtures/more.ts', "export { seed } from './seed.ts';\n");
    write(
      'renderer/d/uses.ts',
      "import { seed } from '../c/fixtures/seed.ts';\nexport const x = seed;\n",
    );

    it('follows type imports, dynamic imports, re-exports and folder indexes, not tests', () => {
      const imports = collectImports(root);
      expect(imports).toEqual([
        { from: 'renderer/a/one.ts', to: 'renderer/b/index.ts' },
        { from: 'renderer/b/index.ts', to: 'renderer/c/index.tsx' },
        { from: 'renderer/c/index.tsx', to: 'renderer/a/one.ts' },
      ]);
      expect(findCycles(folderEdges(imports)).map((cycle) => cycle.folders)).toEqual([
        ['renderer/a', 'renderer/b', 'renderer/c'],
      ]);
    });

    it('finds production code that imports test support, and only that', () => {
      expect(importsOfTestSupport(root)).toEqual([
        { from: 'renderer/d/uses.ts', to: 'renderer/c/fixtures/seed.ts' },
      ]);
    });
  });
});

describe('Tessera', () => {
  it('has no import cycle between folders of renderer/, shared/ or electron/ (tests aside)', () => {
    expect(describeCycles(findCycles(folderEdges(collectImports(ROOT))))).toBe('');
  });

  it('keeps test support (tests, fixtures/) out of production code', () => {
    expect(importsOfTestSupport(ROOT)).toEqual([]);
  });
});
