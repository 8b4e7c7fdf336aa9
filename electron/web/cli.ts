/**
 * `npm run web` entry: starts the loopback web host and prints the one URL to open. Run with tsx
 * (`node --import tsx electron/web/cli.ts [--port N] [--data DIR] [--static DIR]`).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startWebHost } from './server.ts';
import { errorMessage } from '../../shared/base/errors.ts';

const DEFAULT_PORT = 4780;
const DEFAULT_STATIC = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

function fail(message: string, code = 1): never {
  process.stderr.write(`tessera web: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let values: { port?: string; data?: string; static?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        data: { type: 'string' },
        static: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail(errorMessage(error), 2);
  }
  if (values.help) {
    process.stdout.write(
      'Usage: npm run web -- [--port N] [--data DIR] [--static DIR]\n' +
        '  --port  port on 127.0.0.1 (env TESSERA_PORT; default 4780; 0 = any free port)\n' +
        '  --data  data directory (env TESSERA_DATA_DIR; default ~/.tessera-web)\n' +
        '  --static  built renderer (default dist/renderer)\n',
    );
    return;
  }
  // A fixed default port matters: the browser keeps IndexedDB per origin (scheme, host and port),
  // so the cases of a web-host user survive a restart only if the origin stays the same.
  const portText = values.port ?? process.env.TESSERA_PORT ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) fail(`not a port number: ${portText}`, 2);
  const dataDir = resolve(
    values.data ?? process.env.TESSERA_DATA_DIR ?? join(homedir(), '.tessera-web'),
  );
  const staticDir = resolve(values.static ?? DEFAULT_STATIC);
  if (!existsSync(join(staticDir, 'index.html'))) {
    fail(`no built renderer in ${staticDir}; run \`npm run build:renderer\` first`);
  }
  const host = await startWebHost({
    port,
    dataDir,
    staticDir,
    log: (line) => process.stderr.write(`${line}\n`),
    ...(process.env.TESSERA_PASSPHRASE ? { passphrase: process.env.TESSERA_PASSPHRASE } : {}),
  }).catch((error: unknown) => fail(`could not start: ${errorMessage(error)}`));
  // The socket code answers everything it is sent, but a service may still leave a promise
  // rejected behind it; Node's default would end the process and every open session with it.
  process.on('unhandledRejection', (reason) => {
    const name = reason instanceof Error ? reason.name : typeof reason;
    process.stderr.write(`tessera web: a background task failed (${name}); still serving\n`);
  });
  process.stdout.write(`Tessera web host: ${host.url}\n`);
  process.stdout.write(`Data directory: ${host.dataDir}\n`);
  const stop = () => {
    void host.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
