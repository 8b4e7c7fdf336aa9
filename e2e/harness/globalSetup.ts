import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Builds the renderer once, when dist/renderer is missing or older than its sources. */
export default function setup(): void {
  const result = spawnSync(
    process.execPath,
    ['-e', "import('./scripts/web.mjs').then((m) => process.exit(m.ensureRenderer() ? 0 : 1))"],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error('the renderer build failed; see the messages above');
}
