/**
 * `tessera identity`: the passphrase floor when an identity is created, and a scrypt cost that the
 * environment can raise but never lower (issue 8, finding 10).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testProtector } from '../../services/bundle/fixtures/testSupport.ts';
import { IdentityStore } from '../../services/identity/store.ts';

const repo = path.resolve(import.meta.dirname, '../../..');
let root: string;

function tessera(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(repo, 'bin/tessera.mjs'), ...args], {
    env: { ...process.env, TESSERA_PASSPHRASE: '', TESSERA_SCRYPT_LOGN: '', ...env },
    encoding: 'utf8',
    cwd: root,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `tessera identity create --name NAME --dir DIR` under the given passphrase and cost settings. */
function createIdentity(env: Record<string, string>, name: string, dir: string) {
  return tessera(env, 'identity', 'create', '--name', name, '--dir', dir);
}

async function kdfOf(dir: string): Promise<{ logN: number }> {
  const text = await fs.readFile(path.join(dir, 'identity.secret.json'), 'utf8');
  return (JSON.parse(text) as { protection: { kdf: { logN: number } } }).protection.kdf;
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-cli-identity-'));
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('tessera identity create', () => {
  it('refuses a one-character passphrase with a clear message and exit code 2', () => {
    const dir = path.join(root, 'weak-x');
    const result = createIdentity({ TESSERA_PASSPHRASE: 'x' }, 'A', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/passphrase is too weak \(1 characters/);
    expect(result.stderr).toMatch(/at least 12 characters/);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a 12-character common password', () => {
    const dir = path.join(root, 'weak-common');
    const result = createIdentity({ TESSERA_PASSPHRASE: 'password1234' }, 'Agency A', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/too weak/);
    expect(result.stderr).toMatch(/commonly used password/);
    expect(existsSync(dir)).toBe(false);
  });

  it('accepts a good passphrase, and TESSERA_SCRYPT_LOGN cannot lower the cost', async () => {
    const dir = path.join(root, 'good');
    const result = createIdentity(
      { TESSERA_PASSPHRASE: 'correct horse battery staple', TESSERA_SCRYPT_LOGN: '14' },
      'Agency A',
      dir,
    );
    expect(result.stderr).toMatch(/TESSERA_SCRYPT_LOGN below 17 is ignored/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/identity created for Agency A/);
    expect((await kdfOf(dir)).logN).toBe(17);
  });

  it('refuses a TESSERA_SCRYPT_LOGN that is not a cost', () => {
    const result = createIdentity(
      { TESSERA_PASSPHRASE: 'correct horse battery staple', TESSERA_SCRYPT_LOGN: 'cheap' },
      'Agency A',
      path.join(root, 'bad-cost'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/TESSERA_SCRYPT_LOGN must be an integer from 17 to 22/);
  });

  it('still unlocks an existing identity whose passphrase is below the floor', async () => {
    const dir = path.join(root, 'legacy');
    await new IdentityStore(dir, testProtector('x')).create({ agencyName: 'Legacy' });
    const result = tessera({ TESSERA_PASSPHRASE: 'x' }, 'identity', 'export-age-key', '--dir', dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^AGE-SECRET-KEY-1/);
  });
});
