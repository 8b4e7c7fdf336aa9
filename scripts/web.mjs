// `npm run web`: builds the renderer when dist/renderer is missing or older than its sources, then
// runs the loopback web host (electron/web/cli.ts through tsx), which prints the URL to open.
// Also exports the build check for scripts/start.mjs and the e2e global setup.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const RENDERER_INDEX = join(ROOT, 'dist', 'renderer', 'index.html');
const RENDERER_SOURCES = ['renderer', 'shared', 'vite.config.ts', 'package-lock.json'];

/** @param {string} path @returns {number} */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function rendererIsStale() {
  if (!existsSync(RENDERER_INDEX)) return true;
  const built = statSync(RENDERER_INDEX).mtimeMs;
  return RENDERER_SOURCES.some(
    (/** @type {string} */ source) => newestMtime(join(ROOT, source)) > built,
  );
}

/** Runs `vite build`; returns false (after vite has printed why) when it fails. */
export function buildRenderer() {
  console.log('[tessera] building the renderer (vite build)…');
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  return result.status === 0;
}

export function ensureRenderer() {
  return rendererIsStale() ? buildRenderer() : true;
}

function main() {
  if (!ensureRenderer()) {
    console.error('[tessera] the renderer build failed; see the messages above.');
    process.exit(1);
  }
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'electron', 'web', 'cli.ts'), ...process.argv.slice(2)],
    { cwd: ROOT, stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
