/**
 * The overview painter's worker starts before a huge chart's first paint (issue 13): what it
 * loads is on that path. It imported overviewScene.ts, whose chart icons read the FollowTheMoney
 * schemata (200 KB the worker parsed and built before painting); the painter lives in
 * scenePaint.ts so the worker loads nothing of the entity model. Checked here on the sources:
 * every module the worker reaches at run time (type-only imports are erased).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The relative modules `file` imports at run time (not `import type`). */
function runtimeImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of source.matchAll(
    /^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)';/gms,
  )) {
    const target = match[1]!;
    if (target.startsWith('.')) found.push(resolve(dirname(file), target));
  }
  return found;
}

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of runtimeImports(file)) visit(next);
  };
  visit(entry);
  return seen;
}

describe('the overview worker', () => {
  it('loads the painter and the rasteriser, and nothing of the entity model', () => {
    const modules = [...reachable(resolve(HERE, 'overviewWorker.ts'))].map((file) =>
      file.slice(resolve(HERE, '../../..').length + 1),
    );
    expect(modules).toContain('renderer/chart/overview/scenePaint.ts');
    expect(modules).toContain('renderer/chart/overview/sceneRaster.ts');
    expect(modules.filter((file) => file.startsWith('shared/model/'))).toEqual([]);
    expect(modules).not.toContain('renderer/chart/chartIcons.ts');
    expect(modules).not.toContain('renderer/chart/overview/overviewScene.ts');
  });
});
