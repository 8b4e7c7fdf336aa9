// `npm run test:e2e`: a fresh renderer build, then the browser tests against the loopback web host.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildRenderer, ROOT } from './web.mjs';

if (!buildRenderer()) {
  console.error('[tessera] the renderer build failed; see the messages above.');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--config',
    'vitest.e2e.config.ts',
    ...process.argv.slice(2),
  ],
  { cwd: ROOT, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
