import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { fingerprintBytes, formatFingerprintHex } from '../../../shared/exchange/fingerprint.ts';
import { testProtector } from '../bundle/fixtures/testSupport.ts';
import { fingerprintOf, IdentityError, verifyCard, verifyCardChain } from './cards.ts';
import { decodeAgeSecretKey, encodeAgeRecipient, x25519PublicFromSecret } from './keys.ts';
import {
  assertStrongPassphrase,
  DEFAULT_SCRYPT,
  MAX_SCRYPT_LOG_N,
  raisedScrypt,
} from './protector.ts';
import { SafeStorageProtector, type SafeStorageLike } from './safeStorage.ts';
import { exportAgeSecretKey, IdentityStore } from './store.ts';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-identity-test-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function expectIdentityError(
  fn: () => unknown,
  code: IdentityError['code'],
  message?: RegExp,
): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).code).toBe(code);
    if (message) expect((error as IdentityError).message).toMatch(message);
    return;
  }
  throw new Error('expected an IdentityError');
}

describe('IdentityStore', () => {
  it('creates a card and an encrypted secret file, and unlocks with the passphrase', async () => {
    const store = new IdentityStore(path.join(root, 'x'), testProtector());
    const card = await store.create({ agencyName: 'Europol Liaison Desk' });
    expect(card.agencyId).toBe('europol-liaison-desk');
    parseIdentityCard(await fs.readFile(store.cardPath, 'utf8'));
    const secretText = await fs.readFile(store.secretPath, 'utf8');
    const identity = await store.unlock();
    expect(secretText).not.toContain(identity.secrets.ageSecret.toString('base64'));
    expect(
      (JSON.parse(secretText) as { protection: { kdf: unknown } }).protection.kdf,
    ).toMatchObject({
      name: 'scrypt',
      logN: 10,
      r: 8,
      p: 1,
    });
    expect((await fs.stat(store.secretPath)).mode & 0o077).toBe(0);
    await expect(store.create({ agencyName: 'again' })).rejects.toThrow(/already exists/);
  });

  it('refuses a wrong passphrase with a clear error', async () => {
    const dir = path.join(root, 'pw');
    await new IdentityStore(dir, testProtector('right one')).create({ agencyName: 'PW' });
    await expect(new IdentityStore(dir, testProtector('wrong one')).unlock()).rejects.toThrow(
      /wrong passphrase/,
    );
  });

  it('exports the age identity in the form the age tools read', async () => {
    const store = new IdentityStore(path.join(root, 'age'), testProtector());
    const card = await store.create({ agencyName: 'Age Export' });
    const key = exportAgeSecretKey(await store.unlock());
    expect(key).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    const keyFile = path.join(root, 'age.key');
    await fs.writeFile(keyFile, `${key}\n`);
    expect(execFileSync('age-keygen', ['-y', keyFile]).toString().trim()).toBe(card.ageRecipient);
  });

  it('reads keys made by age-keygen', () => {
    const out = execFileSync('age-keygen').toString();
    const secret = /AGE-SECRET-KEY-1\S+/.exec(out)![0];
    const recipient = /public key: (age1\S+)/.exec(out)![1];
    expect(encodeAgeRecipient(x25519PublicFromSecret(decodeAgeSecretKey(secret)))).toBe(recipient);
  });
});

describe('cards, rotation and revocation', () => {
  it('accepts the pinned card and a chain of rotations signed by each previous key', async () => {
    const store = new IdentityStore(path.join(root, 'rot'), testProtector());
    const pinned = await store.create({ agencyName: 'Rotating Agency' });
    const second = await store.rotate();
    const third = await store.rotate();
    expect(third.rotations).toHaveLength(2);
    expect(verifyCardChain(pinned, pinned)).toBe(pinned);
    expect(verifyCardChain(pinned, third)).toBe(third);
    expect(verifyCardChain(second, third)).toBe(third);
    // Old keys are kept so older bundles still open.
    const unlocked = await store.unlock();
    expect(unlocked.previous.map((p) => p.keyId)).toEqual([second.keyId, pinned.keyId]);
  });

  it('blocks a changed key that the pinned key did not sign', async () => {
    const pinned = await new IdentityStore(path.join(root, 'p1'), testProtector()).create({
      agencyName: 'Same Name',
      agencyId: 'same',
    });
    const impostor = await new IdentityStore(path.join(root, 'p2'), testProtector()).create({
      agencyName: 'Same Name',
      agencyId: 'same',
    });
    expectIdentityError(
      () => verifyCardChain(pinned, impostor),
      'key-changed',
      /confirmed out of band/,
    );
  });

  it('rejects a tampered card, a forged rotation link and a revoked key', async () => {
    const store = new IdentityStore(path.join(root, 'rev'), testProtector());
    const pinned = await store.create({ agencyName: 'Revoking Agency' });
    const next = await store.rotate();
    expectIdentityError(
      () => verifyCard({ ...next, agencyName: 'Other' }),
      'bad-card',
      /self-signature/,
    );
    const link = next.rotations[0];
    const forged = { ...next, rotations: [{ ...link, signature: next.selfSignature }] };
    expect(() => verifyCardChain(pinned, forged)).toThrow(IdentityError);
    const revocation = await store.revoke('compromised');
    const revoked = await store.loadCard();
    expectIdentityError(
      () => verifyCardChain(pinned, revoked),
      'revoked',
      /revoked \(compromised\)/,
    );
    expect(revocation.keyId).toBe(next.keyId);
    // The pinned key revoked as compromised: the rotation it signed no longer counts.
    const other = new IdentityStore(path.join(root, 'rev2'), testProtector());
    const first = await other.create({ agencyName: 'Compromised' });
    const firstRevocation = await other.revoke('compromised');
    const rotated = await other.rotate();
    expectIdentityError(() => verifyCardChain(first, rotated, [firstRevocation]), 'revoked');
  });

  it('renders the fingerprint as hex groups and words', async () => {
    const card = await new IdentityStore(path.join(root, 'fp'), testProtector()).create({
      agencyName: 'FP',
    });
    const { hex, words } = fingerprintOf(card);
    expect(hex).toMatch(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    expect(words.split(' ')).toHaveLength(16);
    expect(hex).toBe(formatFingerprintHex(fingerprintBytes(card)));
    expect(hex.replace(/ /g, '').slice(0, 16)).toBe(card.keyId);
  });
});

describe('SafeStorageProtector', () => {
  const fake = (backend: string): SafeStorageLike => ({
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString: (text) => Buffer.from(text, 'utf8').reverse(),
    decryptString: (data) => Buffer.from(data).reverse().toString('utf8'),
  });

  it('refuses the basic_text backend', async () => {
    const store = new IdentityStore(
      path.join(root, 'ss1'),
      new SafeStorageProtector(fake('basic_text')),
    );
    await expect(store.create({ agencyName: 'Insecure' })).rejects.toThrow(/basic_text/);
  });

  it('round-trips with a real keyring backend', async () => {
    const store = new IdentityStore(
      path.join(root, 'ss2'),
      new SafeStorageProtector(fake('gnome_libsecret')),
    );
    const card = await store.create({ agencyName: 'Keyring' });
    expect((await store.unlock()).card.keyId).toBe(card.keyId);
  });
});

describe('passphrase floor and scrypt floor (issue 8, finding 10)', () => {
  it('a requested scrypt cost can raise the default, never lower it', () => {
    expect(raisedScrypt(undefined)).toEqual({ params: DEFAULT_SCRYPT, lowered: false });
    expect(raisedScrypt(14)).toEqual({ params: DEFAULT_SCRYPT, lowered: true });
    expect(raisedScrypt(DEFAULT_SCRYPT.logN).params.logN).toBe(17);
    expect(raisedScrypt(19).params).toEqual({ ...DEFAULT_SCRYPT, logN: 19 });
    expect(raisedScrypt(40).params.logN).toBe(MAX_SCRYPT_LOG_N);
  });

  it('refuses a weak new passphrase with the weak-passphrase code', () => {
    expectIdentityError(() => assertStrongPassphrase('x'), 'weak-passphrase', /too weak/);
    expectIdentityError(
      () => assertStrongPassphrase('password1234'),
      'weak-passphrase',
      /commonly used/,
    );
    assertStrongPassphrase('correct horse battery staple', ['Agency A']);
  });
});
