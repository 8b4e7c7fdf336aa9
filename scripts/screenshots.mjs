// `node scripts/screenshots.mjs`: the screenshots of docs/screenshots/ (issue 12). Builds the
// renderer when it is missing or older than its sources, then runs e2e/screenshots.shots.ts with
// the e2e settings (vitest.e2e.config.ts: the harness's web hosts and Chromium) — a file the e2e
// run itself leaves out. docs/side-by-side.md shows the result beside the anchors' pages.
import { join } from 'node:path';
import { startVitest } from 'vitest/node';
import { ensureRenderer, ROOT } from './web.mjs';

if (!ensureRenderer()) {
  console.error('[tessera] the renderer build failed; see the messages above.');
  process.exit(1);
}
const vitest = await startVitest('test', [], {
  root: ROOT,
  config: join(ROOT, 'vitest.e2e.config.ts'),
  include: ['e2e/screenshots.shots.ts'],
  watch: false,
});
const failed = !vitest || vitest.state.getCountOfFailedTests() > 0;
await vitest?.close();
process.exit(failed ? 1 : 0);
