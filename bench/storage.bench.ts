/**
 * Storage benchmark, run in Debian's Chromium (real IndexedDB) through playwright-core: the page
 * half (bench/storage/entry.ts) is bundled with esbuild into a temp folder and served from a tiny
 * 127.0.0.1 server. Prints:
 *   repository insert: N records/s   (importCase of a 20,000-entity, 40,000-relationship case)
 *   raw bulkPut insert: N records/s  (the same records with one Dexie bulkPut, fresh database)
 *   insert ratio: X                  (repository / raw; goal ≥ 0.8)
 * Further measurements go in the STEPS list below (each calls a function of window.tesseraBench).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import type { InsertResult, StorageBenchApi } from './storage/entry.ts';

const ENTITIES = 20_000;
const RELATIONSHIPS = 40_000;
const ROUNDS = 3;

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

type Step = (page: Page) => Promise<void>;

const STEPS: Step[] = [
  async (page) => {
    const result = await page.evaluate(
      ([n, m, rounds]) =>
        (globalThis as unknown as { tesseraBench: StorageBenchApi }).tesseraBench.insert(
          n,
          m,
          rounds,
        ),
      [ENTITIES, RELATIONSHIPS, ROUNDS] as const,
    );
    const { records, repositoryMs, rawMs } = result satisfies InsertResult;
    const repositoryRate = records / (repositoryMs / 1000);
    const rawRate = records / (rawMs / 1000);
    console.log(`repository insert: ${Math.round(repositoryRate)} records/s`);
    console.log(`raw bulkPut insert: ${Math.round(rawRate)} records/s`);
    console.log(`insert ratio: ${(repositoryRate / rawRate).toFixed(2)}`);
  },
];

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-storage-'));
  const server = createServer((request, response) => {
    const file = request.url === '/bench.js' ? 'bench.js' : 'index.html';
    readFile(join(dir, file)).then(
      (body) => {
        response.writeHead(200, {
          'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html',
        });
        response.end(body);
      },
      () => {
        response.writeHead(404);
        response.end();
      },
    );
  });
  try {
    await build({
      entryPoints: [join(import.meta.dirname, 'storage', 'entry.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      outfile: join(dir, 'bench.js'),
      logLevel: 'error',
      // FtM's bundle imports Node's crypto for hashing paths the benchmark never takes.
      plugins: [
        {
          name: 'stub-node-crypto',
          setup(bundler) {
            bundler.onResolve({ filter: /^crypto$/ }, () => ({
              path: 'crypto',
              namespace: 'stub',
            }));
            bundler.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
              contents: 'export default {};',
            }));
          },
        },
      ],
    });
    await writeFile(
      join(dir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><script type="module" src="/bench.js"></script>',
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    try {
      const page = await browser.newPage();
      page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => 'tesseraBench' in globalThis);
      for (const step of STEPS) await step(page);
    } finally {
      await browser.close();
    }
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
