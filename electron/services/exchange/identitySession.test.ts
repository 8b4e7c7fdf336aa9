import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519Verify } from '../identity/keys.ts';
import type { SafeStorageLike } from '../identity/index.ts';
import { IdentitySession, type IdentitySessionOptions } from './identitySession.ts';

let root: string;
let count = 0;
const PASSPHRASE = 'a long passphrase nobody guesses 42';
const scryptParams = { logN: 10, r: 8, p: 1 };
const now = () => new Date('2024-06-01T12:00:00Z');

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-session-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function session(extra: Partial<IdentitySessionOptions> = {}): IdentitySession {
  count += 1;
  return new IdentitySession({ dir: path.join(root, `id-${count}`), scryptParams, now, ...extra });
}

/** A keyring whose backend is real; its "encryption" only has to round-trip here. */
const keyring: SafeStorageLike = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString: (text) => Buffer.from(text, 'utf8').reverse(),
  decryptString: (data) => Buffer.from(data).reverse().toString('utf8'),
};

describe('IdentitySession', () => {
  it('creates, locks and unlocks with a passphrase; signs only while unlocked', async () => {
    const s = session();
    expect(await s.exists()).toBe(false);
    expect(() => s.require()).toThrow(expect.objectContaining({ code: 'no-identity' }));
    await expect(s.unlock(PASSPHRASE)).rejects.toMatchObject({ code: 'no-identity' });
    const created = await s.create({
      agencyName: 'Agency S',
      agencyId: 'agency-s',
      passphrase: PASSPHRASE,
    });
    expect(await s.protection()).toBe('passphrase');
    const signature = s.sign(Buffer.from('hello'));
    expect(
      ed25519Verify(
        Buffer.from(created.card.signingKey, 'base64'),
        Buffer.from('hello'),
        signature,
      ),
    ).toBe(true);
    s.lock();
    expect(s.identity).toBeNull();
    expect(() => s.sign(Buffer.from('x'))).toThrow(
      expect.objectContaining({ code: 'no-identity' }),
    );
    expect((await s.card()).agencyId).toBe('agency-s');
    await expect(s.unlock('wrong passphrase')).rejects.toMatchObject({ code: 'wrong-passphrase' });
    await s.unlock(PASSPHRASE);
    expect(s.protector?.kind).toBe('passphrase');
  });

  it('refuses a weak passphrase and a second identity, by code', async () => {
    const s = session();
    await expect(
      s.create({ agencyName: 'Agency W', agencyId: 'agency-w', passphrase: 'short' }),
    ).rejects.toMatchObject({ code: 'weak-passphrase' });
    expect(await s.exists()).toBe(false);
    await s.create({ agencyName: 'Agency W', agencyId: 'agency-w', passphrase: PASSPHRASE });
    await expect(
      s.create({ agencyName: 'Agency W', agencyId: 'agency-w', passphrase: PASSPHRASE }),
    ).rejects.toMatchObject({ code: 'exists' });
  });

  it('rotates and revokes, staying unlocked with the new card', async () => {
    const s = session();
    const first = await s.create({
      agencyName: 'Agency R',
      agencyId: 'agency-r',
      passphrase: PASSPHRASE,
    });
    const rotated = await s.rotate();
    expect(rotated.card.keyId).not.toBe(first.card.keyId);
    expect(rotated.card.rotations).toHaveLength(1);
    const { revocation, identity } = await s.revoke('retired');
    expect(revocation.keyId).toBe(rotated.card.keyId);
    expect(identity.card.revocation?.reason).toBe('retired');
    expect(s.identity?.card.keyId).toBe(rotated.card.keyId);
  });

  it('uses a real OS keyring when no passphrase is given, and unlocks quietly with it', async () => {
    const dir = path.join(root, 'keyring');
    const s = new IdentitySession({ dir, now, safeStorage: keyring });
    expect(await s.protection()).toBe('safeStorage');
    await s.create({ agencyName: 'Agency K', agencyId: 'agency-k' });
    expect(s.protector?.kind).toBe('safeStorage');
    const restarted = new IdentitySession({ dir, now, safeStorage: keyring });
    await restarted.unlock();
    expect(restarted.identity?.card.agencyId).toBe('agency-k');
    const elsewhere = new IdentitySession({ dir, now, passphrase: PASSPHRASE });
    await expect(elsewhere.unlock()).rejects.toMatchObject({ code: 'insecure-storage' });
  });
});
