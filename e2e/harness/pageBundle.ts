/**
 * Focused page tests: an entry module (renderer code, no app shell) bundled with esbuild into a
 * temporary static folder with an index.html that loads it, to be served by a test web host
 * (`startHost({ staticDir })`) so that it runs in Chromium's real IndexedDB and WebCrypto, which
 * fake-indexeddb under Node does not reproduce (task and transaction timing differ).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface PageBundle {
  readonly dir: string;
  remove(): Promise<void>;
}

export async function bundlePage(entry: string): Promise<PageBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-page-'));
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(dir, 'page.js'),
    logLevel: 'error',
    // FtM's bundle imports Node's crypto for hashing paths the pages never take.
    plugins: [
      {
        name: 'stub-node-crypto',
        setup(bundler) {
          bundler.onResolve({ filter: /^crypto$/ }, () => ({ path: 'crypto', namespace: 'stub' }));
          bundler.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
            contents: 'export default {};',
          }));
        },
      },
    ],
  });
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>page test</title><script type="module" src="/page.js"></script>',
  );
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
