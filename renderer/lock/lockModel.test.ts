import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServiceCallError } from '../platform/serviceClient.ts';
import { VaultError } from '../db/vault.ts';
import { createKeystorePort } from './keystorePort.ts';
import {
  attemptsNotice,
  FREE_ATTEMPTS,
  formatWait,
  secondsToWait,
  unlockFailureMessage,
} from './unlockMessages.ts';

describe('unlock messages', () => {
  it('says clearly that the passphrase was wrong, by code, whatever the wording', () => {
    const wrong = new VaultError('wrong-passphrase', 'GCM tag mismatch at wrap 0');
    expect(unlockFailureMessage(wrong, 'passphrase')).toBe(
      'That passphrase is not right. Nothing was unlocked.',
    );
    expect(unlockFailureMessage(wrong, 'recovery-key')).toMatch(/recovery key does not open/);
    expect(unlockFailureMessage(new VaultError('wrong-recovery-key', 'x'), 'recovery-key')).toMatch(
      /recovery key does not open/,
    );
    expect(unlockFailureMessage(new VaultError('retry-later', 'x'), 'passphrase')).toMatch(
      /wait until the countdown ends/,
    );
    expect(unlockFailureMessage(new VaultError('keystore-unavailable', 'x'), 'keystore')).toMatch(
      /keyring could not unlock/,
    );
    expect(unlockFailureMessage(new Error('disk full'), 'passphrase')).toBe(
      'Unlocking failed: disk full',
    );
  });

  it('counts the wait down in whole seconds and never below zero', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: -1e6, max: 1e7 }),
        (now, ahead) => {
          const seconds = secondsToWait(now + ahead, now);
          expect(seconds).toBe(Math.max(0, Math.ceil(ahead / 1000)));
        },
      ),
    );
    expect(secondsToWait(null, 5)).toBe(0);
    expect(formatWait(45)).toBe('45 s');
    expect(formatWait(185)).toBe('3 min 05 s');
    expect(formatWait(7200)).toBe('2 h 00 min');
  });

  it('warns before the waits start and says that they grow after', () => {
    expect(attemptsNotice(0)).toBeNull();
    expect(attemptsNotice(1)).toMatch(/1 wrong try; after 4 more/);
    expect(attemptsNotice(FREE_ATTEMPTS)).toMatch(/longer every time/);
  });
});

type KeystoreApi = Parameters<typeof createKeystorePort>[0];

/** XOR with 0x5a stands in for the keyring's encryption. */
const flip = (base64: string) =>
  btoa([...atob(base64)].map((c) => String.fromCharCode(c.charCodeAt(0) ^ 0x5a)).join(''));

/** The contract's keystore methods as a real keyring answers them. */
function keyringApi(available: boolean): KeystoreApi {
  const refuse = () =>
    Promise.reject(new ServiceCallError('keystore unavailable', 'failed', 'keystore-unavailable'));
  return {
    'keystore.status': () => Promise.resolve({ available }),
    'keystore.wrap': ({ secretBase64 }) =>
      available ? Promise.resolve({ wrappedBase64: flip(secretBase64) }) : refuse(),
    'keystore.unwrap': ({ wrappedBase64 }) =>
      available ? Promise.resolve({ secretBase64: flip(wrappedBase64) }) : refuse(),
  };
}

describe('the vault keystore port over the contract', () => {
  it('round-trips a 32-byte key through the keyring', async () => {
    const port = createKeystorePort(keyringApi(true));
    await expect(port.available()).resolves.toBe(true);
    const key = crypto.getRandomValues(new Uint8Array(32));
    const wrapped = await port.wrap(key);
    expect([...(await port.unwrap(wrapped))]).toEqual([...key]);
  });

  it('is unavailable where the host has no keyring, and a wrap fails with its reason', async () => {
    const port = createKeystorePort(keyringApi(false));
    await expect(port.available()).resolves.toBe(false);
    await expect(port.wrap(new Uint8Array(32))).rejects.toMatchObject({
      reason: 'keystore-unavailable',
    });
  });

  it('reads a failing status call as unavailable (the passphrase still works)', async () => {
    const port = createKeystorePort({
      ...keyringApi(true),
      'keystore.status': () => Promise.reject(new ServiceCallError('gone', 'disconnected')),
    });
    await expect(port.available()).resolves.toBe(false);
  });
});
