// `npm run build:electron`: bundles the Electron main process and the preload with esbuild.
// Both are CommonJS (Electron's sandboxed preload cannot load ES modules) and bundle shared/ and
// their npm dependencies, so the packaged app needs no node_modules beyond what Electron provides.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Electron 40 ships Node 24.
  target: 'node22',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: ROOT,
};

try {
  await Promise.all([
    build({ ...common, entryPoints: ['electron/main/main.ts'], outfile: 'dist/electron/main.cjs' }),
    build({
      ...common,
      entryPoints: ['electron/preload/preload.ts'],
      outfile: 'dist/electron/preload.cjs',
    }),
  ]);
  console.log(
    `[tessera] built ${join('dist', 'electron', 'main.cjs')} and ${join('dist', 'electron', 'preload.cjs')}`,
  );
} catch (error) {
  console.error(
    '[tessera] the Electron build failed:',
    error instanceof Error ? error.message : error,
  );
  process.exit(1);
}
