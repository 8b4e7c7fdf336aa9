/**
 * Test helpers: an encrypting TesseraDatabase under a fresh random test key, without the vault's
 * Argon2id and keyring, so store-level tests stay fast. The app never uses this.
 */
import { deriveDataKeys, generateKey } from '../../../shared/encryption/keys.ts';
import { TesseraDatabase } from '../database.ts';
import type { StoreKeys } from '../encryption.ts';

/** Keys for one data key generation (a fresh random data key unless one is given). */
export async function testStoreKeys(dataKey = generateKey(), generation = 1): Promise<StoreKeys> {
  const current = await deriveDataKeys(dataKey, generation);
  return { current, all: new Map([[generation, current]]) };
}

/** An encrypting database; `keys.set(null)` locks it, `keys.set(k)` unlocks it again. */
export async function encryptedTestDatabase(
  name: string,
  initial?: StoreKeys,
): Promise<{
  db: TesseraDatabase;
  keys: { set(next: StoreKeys | null): void };
  storeKeys: StoreKeys;
}> {
  const storeKeys = initial ?? (await testStoreKeys());
  let current: StoreKeys | null = storeKeys;
  const db = new TesseraDatabase(name, undefined, { encryption: () => current });
  return { db, keys: { set: (next) => (current = next) }, storeKeys };
}

/**
 * Takes the block labels off every stored entity row (through a connection without the
 * middleware), as rows written before schema v7 are: the case store then reads the case row by
 * row, which tests of that path need.
 */
export async function stripBlockLabels(name: string): Promise<void> {
  const raw = new TesseraDatabase(name);
  await raw.open();
  const rows = (await raw.entities.toArray()) as unknown as Record<string, unknown>[];
  await raw.entities.bulkPut(
    rows.map(({ _p: _label, ...row }) => row) as unknown as Parameters<
      typeof raw.entities.bulkPut
    >[0],
  );
  raw.close();
}
