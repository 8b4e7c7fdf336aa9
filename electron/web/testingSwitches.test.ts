import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../shared/contract/index.ts';
import { startWebHost } from './server.ts';

let root: string;
let site: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-testing-'));
  site = join(root, 'site');
  await mkdir(site);
  await writeFile(join(site, 'index.html'), '<!doctype html><title>Tessera</title>');
});
afterEach(() => rm(root, { recursive: true, force: true }));

const SWITCHES = { fastKdf: true, unencryptedStore: true } as const;

describe('test-only case store switches (issue 10)', () => {
  it('are refused outside the test runner, so no user start can weaken the store', async () => {
    const before = process.env.VITEST;
    delete process.env.VITEST;
    try {
      await expect(
        startWebHost({ port: 0, dataDir: join(root, 'data'), staticDir: site, testing: SWITCHES }),
      ).rejects.toThrow(/refused outside the test runner/);
    } finally {
      process.env.VITEST = before;
    }
  });

  it('reach the page through app.info only when given, and are absent otherwise', async () => {
    const plain = await startWebHost({ port: 0, dataDir: join(root, 'a'), staticDir: site });
    const tested = await startWebHost({
      port: 0,
      dataDir: join(root, 'b'),
      staticDir: site,
      testing: SWITCHES,
    });
    try {
      const info = (await dispatch(plain.handlers, 'app.info', {})) as Record<string, unknown>;
      expect(info).not.toHaveProperty('testing');
      await expect(dispatch(tested.handlers, 'app.info', {})).resolves.toMatchObject({
        testing: SWITCHES,
      });
      // The web host has no OS keystore: the passphrase is the only way in there.
      await expect(dispatch(plain.handlers, 'keystore.status', {})).resolves.toEqual({
        available: false,
      });
    } finally {
      await plain.close();
      await tested.close();
    }
  });
});
