// Runs Electron's own binary download as our postinstall, because npm's script policy keeps
// dependency install scripts off by default. A failed download (no network, a mirror that blocks)
// must not fail `npm install`: the web host and every test work without the binary, and
// `npm start` says what is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function electronPackageDir() {
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

const dir = electronPackageDir();
if (!dir) {
  console.log('[tessera] electron is not installed (production install?); skipping its binary.');
  process.exit(0);
}
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('[tessera] ELECTRON_SKIP_BINARY_DOWNLOAD is set; not downloading Electron.');
  process.exit(0);
}
if (existsSync(join(dir, 'path.txt')) && existsSync(join(dir, 'dist'))) {
  process.exit(0);
}
const result = spawnSync(process.execPath, [join(dir, 'install.js')], {
  cwd: dir,
  stdio: 'inherit',
  timeout: 10 * 60 * 1000,
});
if (result.status !== 0) {
  console.warn(
    '[tessera] Electron could not be downloaded here. Everything else is installed: ' +
      '`npm run web` opens the workbench in a browser; `npm start` will retry the download.',
  );
}
process.exit(0);
