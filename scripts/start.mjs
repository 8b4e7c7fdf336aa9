// `npm start`: builds what is missing, then opens the desktop app with the Electron binary from the
// `electron` package. Where that binary could not be downloaded (offline installs, blocked mirrors)
// it retries the download once and otherwise points to `npm run web`, which needs no binary.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureRenderer, ROOT } from './web.mjs';

const require = createRequire(import.meta.url);

/** @returns {string | null} */
function electronBinary() {
  try {
    // The package's main module throws when its binary was never downloaded.
    const resolved = require.resolve('electron');
    delete require.cache[resolved];
    /** @type {unknown} */
    const path = require('electron');
    return typeof path === 'string' ? path : null;
  } catch {
    return null;
  }
}

/** @param {string} script */
function run(script) {
  return (
    spawnSync(process.execPath, [join(ROOT, 'scripts', script)], { cwd: ROOT, stdio: 'inherit' })
      .status === 0
  );
}

if (!ensureRenderer()) {
  console.error('[tessera] the renderer build failed; see the messages above.');
  process.exit(1);
}
if (!run('build-electron.mjs')) process.exit(1);

let binary = electronBinary();
if (!binary) {
  console.log('[tessera] the Electron binary is missing; trying to download it once more…');
  run('ensure-electron.mjs');
  binary = electronBinary();
}
if (!binary) {
  console.error(
    '[tessera] Electron is not available on this machine, so the desktop window cannot open.\n' +
      '          Run `npm run web` instead: the same workbench in your browser, served on 127.0.0.1 only.',
  );
  process.exit(1);
}

const child = spawn(binary, [ROOT, ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  console.error(`[tessera] could not start Electron: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
