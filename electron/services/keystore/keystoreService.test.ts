import { describe, expect, it } from 'vitest';
import { dispatch } from '../../../shared/contract/index.ts';
import { stubHandlers } from '../../../shared/contract/fixtures/stubHandlers.ts';
import type { SafeStorageLike } from '../identity/safeStorage.ts';
import { KeystoreService } from './keystoreService.ts';

/** A stand-in for Electron's safeStorage: XOR with a per-"user" byte, backend chosen by the test. */
function fakeSafeStorage(backend: string, userByte = 0x5a, available = true): SafeStorageLike {
  const flip = (bytes: Buffer) => Buffer.from(bytes.map((b) => b ^ userByte));
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (text) => Buffer.concat([Buffer.from('v11'), flip(Buffer.from(text, 'utf8'))]),
    decryptString: (blob) => {
      if (blob.subarray(0, 3).toString() !== 'v11') throw new Error('not ours');
      return flip(blob.subarray(3)).toString('utf8');
    },
  };
}

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('KeystoreService', () => {
  it('wraps and unwraps a key with a real keyring', async () => {
    const keystore = new KeystoreService(fakeSafeStorage('gnome_libsecret'));
    expect(keystore.available()).toBe(true);
    const { wrappedBase64 } = await keystore.wrap(KEY);
    expect(Buffer.from(wrappedBase64, 'base64').includes(Buffer.alloc(32, 7))).toBe(false);
    await expect(keystore.unwrap(wrappedBase64)).resolves.toEqual({ secretBase64: KEY });
  });

  it.each([
    ['basic_text', true],
    ['unknown', true],
    ['gnome_libsecret', false],
  ])('is unavailable with backend %s / encryption available %s', async (backend, encryption) => {
    const keystore = new KeystoreService(
      fakeSafeStorage(backend, 0x5a, backend === 'gnome_libsecret' ? encryption : true),
    );
    expect(keystore.available()).toBe(false);
    await expect(keystore.status()).resolves.toEqual({ available: false });
    await expect(async () => keystore.wrap(KEY)).rejects.toMatchObject({
      code: 'keystore-unavailable',
    });
  });

  it('is unavailable without safeStorage (the web host)', async () => {
    const keystore = new KeystoreService();
    await expect(keystore.status()).resolves.toEqual({ available: false });
    await expect(async () => keystore.unwrap('AAAA')).rejects.toMatchObject({
      code: 'keystore-unavailable',
    });
  });

  it('refuses a blob from another keyring and one that is not a Tessera key', async () => {
    const mine = new KeystoreService(fakeSafeStorage('kwallet5', 0x5a));
    const theirs = new KeystoreService(fakeSafeStorage('kwallet5', 0x33));
    const { wrappedBase64 } = await mine.wrap(KEY);
    await expect(async () => theirs.unwrap(wrappedBase64)).rejects.toMatchObject({
      code: 'keystore-refused',
    });
    const foreign = fakeSafeStorage('kwallet5', 0x5a).encryptString('some other secret');
    await expect(async () => mine.unwrap(foreign.toString('base64'))).rejects.toMatchObject({
      code: 'keystore-refused',
    });
  });

  it('refuses an empty or oversized secret', async () => {
    const keystore = new KeystoreService(fakeSafeStorage('keychain'));
    await expect(async () => keystore.wrap('')).rejects.toMatchObject({ code: 'bad-secret' });
    const big = Buffer.alloc(65).toString('base64');
    await expect(async () => keystore.wrap(big)).rejects.toMatchObject({ code: 'bad-secret' });
  });
});

describe('keystore contract', () => {
  it('carries the service code as the reason and bounds the input', async () => {
    const service = new KeystoreService();
    const handlers = {
      ...stubHandlers(() => Promise.reject(new Error('not used'))),
      'keystore.status': () => service.status(),
      'keystore.wrap': (input: { secretBase64: string }) => service.wrap(input.secretBase64),
    };
    await expect(dispatch(handlers, 'keystore.status', {})).resolves.toEqual({ available: false });
    await expect(dispatch(handlers, 'keystore.wrap', { secretBase64: KEY })).rejects.toMatchObject({
      code: 'failed',
      reason: 'keystore-unavailable',
    });
    await expect(
      dispatch(handlers, 'keystore.wrap', { secretBase64: 'A'.repeat(200) }),
    ).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
