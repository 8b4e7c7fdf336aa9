import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoCase } from '../../shared/demo/demoCase.ts';
import { HybridLogicalClock } from '../../shared/model/index.ts';
import { TesseraDatabase } from './database.ts';
import { isSealedRow } from './encryption.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { createRepository } from './repository.ts';
import { createUnitOfWork } from './unitOfWork.ts';
import { createVault, FREE_TRIES, waitAfter } from './vault.ts';
import type { KeystorePort, Vault, VaultOptions, VaultState } from './vault.ts';
import type { VaultError } from './vaultError.ts';

const PASSPHRASE = 'Violet harbour tractor 1987 lanterns';
const NEXT = 'Quiet orchard beneath copper skies 42';
// Cheap Argon2id for tests; the app uses DEFAULT_ARGON2 (64 MiB, t=3).
const CHEAP = { memoryKiB: 64, iterations: 1, parallelism: 1 };

let counter = 0;
const names: string[] = [];

afterEach(async () => {
  for (const name of names.splice(0)) await TesseraDatabase.delete(name);
});

function freshName(): string {
  counter += 1;
  const name = `vault-test-${counter}`;
  names.push(name);
  return name;
}

function open(name: string, extra: Partial<VaultOptions> = {}): Vault {
  return createVault({ name, argon2: CHEAP, ...extra });
}

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
    return undefined;
  } catch (error) {
    return (error as VaultError).code;
  }
}

function repositoryOf(db: TesseraDatabase) {
  return createRepository(
    createUnitOfWork(db, {
      actor: () => ({ userName: 'Insp. Test', agencyId: 'test-agency' }),
      clock: new HybridLogicalClock('test.node'),
    }),
  );
}

/** Every record of every data table, by table, as the app reads it. */
async function snapshot(db: TesseraDatabase): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of db.tables) {
    if (table.name === 'keyring') continue;
    const rows = await table.toArray();
    out[table.name] = await Promise.all(
      rows.map(async (row: Record<string, unknown>) => {
        const content = row.content;
        return content instanceof Blob
          ? { ...row, content: [...new Uint8Array(await content.arrayBuffer())] }
          : row;
      }),
    );
  }
  return out;
}

async function rawRows(name: string): Promise<unknown[]> {
  const raw = new TesseraDatabase(name);
  try {
    const tables = raw.tables.filter((table) => table.name !== 'keyring');
    const rows: unknown[][] = await Promise.all(tables.map((table) => table.toArray()));
    return rows.flat();
  } finally {
    raw.close();
  }
}

const fakeKeystore = (available = true): KeystorePort => ({
  available: () => Promise.resolve(available),
  wrap: (secret) => Promise.resolve(Uint8Array.of(0xee, ...secret.map((b) => b ^ 0x5a))),
  unwrap: (wrapped) => Promise.resolve(wrapped.slice(1).map((b) => b ^ 0x5a)),
});

describe('vault', () => {
  it('sets up, locks and unlocks by passphrase and by recovery key', async () => {
    const name = freshName();
    const vault = open(name);
    expect(await vault.state()).toEqual({ kind: 'new' });
    expect(await codeOf(vault.setUp('short'))).toBe('weak-passphrase');
    const states: VaultState[] = [];
    vault.subscribe((state) => states.push(state));
    const { recoveryKey } = await vault.setUp(PASSPHRASE);
    expect(recoveryKey).toMatch(/^([A-Z2-7]{4}-){13}[A-Z2-7]{4}$/);
    expect(await vault.state()).toEqual({ kind: 'unlocked', method: 'passphrase' });
    expect(await codeOf(vault.setUp(PASSPHRASE))).toBe('already-set-up');

    const repo = repositoryOf(vault.database());
    const c = await repo.createCase({
      reference: 'V/1',
      title: 'Vault case',
      leadInvestigator: 'I',
      jurisdictions: ['RO'],
    });
    vault.lock();
    expect(await codeOf(() => vault.database())).toBe('vault-locked');
    expect(await codeOf(repo.getCase(c.id))).toBe('vault-locked');
    expect(await vault.state()).toEqual({
      kind: 'locked',
      methods: ['passphrase', 'recovery-key'],
      failedAttempts: 0,
      retryAt: null,
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(states.at(-1)?.kind).toBe('locked');

    // A fresh start (another vault object over the same profile) sees it locked too.
    const again = open(name);
    await again.unlockWithPassphrase(PASSPHRASE);
    expect((await repositoryOf(again.database()).getCase(c.id))?.title).toBe('Vault case');
    again.lock();
    expect(await codeOf(again.unlockWithRecoveryKey('AAAA-BBBB'))).toBe('wrong-recovery-key');
    const typo = (recoveryKey[0] === 'A' ? 'B' : 'A') + recoveryKey.slice(1);
    expect(await codeOf(again.unlockWithRecoveryKey(typo))).toBe('wrong-recovery-key');
    await again.unlockWithRecoveryKey(recoveryKey.toLowerCase());
    expect((await repositoryOf(again.database()).getCase(c.id))?.title).toBe('Vault case');
    // The earlier handle works again once the store is unlocked through it.
    await vault.unlockWithPassphrase(PASSPHRASE);
    expect((await repo.getCase(c.id))?.title).toBe('Vault case');
    vault.database().close();
    again.database().close();
  });

  it('refuses wrong passphrases with a growing, persisted wait after five', async () => {
    const name = freshName();
    let clock = 1_000_000;
    const vault = open(name, { now: () => clock });
    await vault.setUp(PASSPHRASE);
    vault.lock();
    for (let i = 1; i < FREE_TRIES; i += 1) {
      expect(await codeOf(vault.unlockWithPassphrase(`wrong ${i}`))).toBe('wrong-passphrase');
    }
    expect(await vault.state()).toMatchObject({ failedAttempts: FREE_TRIES - 1, retryAt: null });
    expect(await codeOf(vault.unlockWithPassphrase('wrong 5'))).toBe('wrong-passphrase');
    const first = waitAfter(FREE_TRIES);
    expect(first).toBeGreaterThan(0);
    expect(await vault.state()).toMatchObject({ failedAttempts: 5, retryAt: clock + first });
    // Even the right passphrase waits; reloading does not reset the wait.
    const reloaded = open(name, { now: () => clock });
    expect(await codeOf(reloaded.unlockWithPassphrase(PASSPHRASE))).toBe('retry-later');
    clock += first;
    expect(await codeOf(reloaded.unlockWithPassphrase('wrong 6'))).toBe('wrong-passphrase');
    expect(waitAfter(6)).toBeGreaterThan(first);
    expect(await reloaded.state()).toMatchObject({
      failedAttempts: 6,
      retryAt: clock + waitAfter(6),
    });
    clock += waitAfter(6);
    await reloaded.unlockWithPassphrase(PASSPHRASE);
    reloaded.lock();
    expect(await reloaded.state()).toMatchObject({ failedAttempts: 0, retryAt: null });
  });

  it('changes the passphrase and the recovery key without re-encrypting data', async () => {
    const name = freshName();
    const vault = open(name);
    const { recoveryKey: oldRecovery } = await vault.setUp(PASSPHRASE);
    const repo = repositoryOf(vault.database());
    const c = await repo.createCase({
      reference: 'V/2',
      title: 'Keeps',
      leadInvestigator: 'I',
      jurisdictions: ['RO'],
    });
    const before = await rawRows(name);
    expect(await codeOf(vault.changePassphrase('not it at all, sorry', NEXT))).toBe(
      'wrong-passphrase',
    );
    expect(await codeOf(vault.changePassphrase(PASSPHRASE, 'weak'))).toBe('weak-passphrase');
    await vault.changePassphrase(PASSPHRASE, NEXT);
    const { recoveryKey } = await vault.newRecoveryKey(NEXT);
    expect(await rawRows(name)).toEqual(before);
    vault.lock();
    expect(await codeOf(vault.unlockWithPassphrase(PASSPHRASE))).toBe('wrong-passphrase');
    expect(await codeOf(vault.unlockWithRecoveryKey(oldRecovery))).toBe('wrong-recovery-key');
    await vault.unlockWithPassphrase(NEXT);
    expect((await repo.getCase(c.id))?.title).toBe('Keeps');
    vault.lock();
    await vault.unlockWithRecoveryKey(recoveryKey);
    expect((await repo.getCase(c.id))?.title).toBe('Keeps');
    vault.database().close();
  });

  it('after a recovery-key unlock, sets a new passphrase without the old one, and a new recovery key', async () => {
    const name = freshName();
    const vault = open(name);
    const { recoveryKey } = await vault.setUp(PASSPHRASE);
    // Not after a passphrase unlock: there the current passphrase is asked for.
    expect(await vault.state()).toEqual({ kind: 'unlocked', method: 'passphrase' });
    expect(await codeOf(vault.replaceAfterRecovery(NEXT, { newRecoveryKey: false }))).toBe(
      'not-recovered',
    );
    vault.lock();
    await vault.unlockWithRecoveryKey(recoveryKey);
    expect(await vault.state()).toEqual({ kind: 'unlocked', method: 'recovery-key' });
    expect(await codeOf(vault.replaceAfterRecovery('weak', { newRecoveryKey: true }))).toBe(
      'weak-passphrase',
    );
    const made = await vault.replaceAfterRecovery(NEXT, { newRecoveryKey: true });
    expect(made.recoveryKey).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4})+$/);
    expect(await vault.state()).toEqual({ kind: 'unlocked', method: 'passphrase' });
    // Once done, not again without the current passphrase.
    expect(await codeOf(vault.replaceAfterRecovery(PASSPHRASE, { newRecoveryKey: false }))).toBe(
      'not-recovered',
    );
    vault.lock();
    expect(await codeOf(vault.unlockWithPassphrase(PASSPHRASE))).toBe('wrong-passphrase');
    expect(await codeOf(vault.unlockWithRecoveryKey(recoveryKey))).toBe('wrong-recovery-key');
    await vault.unlockWithRecoveryKey(made.recoveryKey!);
    vault.lock();
    await vault.unlockWithPassphrase(NEXT);
    vault.database().close();
  });

  it('wraps by the OS keystore only where it has a real backend', async () => {
    const name = freshName();
    const vault = open(name, { keystore: fakeKeystore() });
    await vault.setUp(PASSPHRASE);
    vault.lock();
    expect(await vault.state()).toMatchObject({
      methods: ['passphrase', 'recovery-key', 'keystore'],
    });
    await vault.unlockWithKeystore();
    await vault.setKeystoreWrapping(false);
    vault.lock();
    expect(await codeOf(vault.unlockWithKeystore())).toBe('keystore-unavailable');

    const basicText = open(freshName(), { keystore: fakeKeystore(false) });
    await basicText.setUp(PASSPHRASE);
    expect(await codeOf(basicText.setKeystoreWrapping(true))).toBe('keystore-unavailable');
    basicText.lock();
    expect(await basicText.state()).toMatchObject({ methods: ['passphrase', 'recovery-key'] });
  });

  it('encrypts an older plaintext database in place, resuming after being killed halfway', async () => {
    const name = freshName();
    const legacy = new TesseraDatabase(name, MIGRATIONS.slice(0, 3));
    const demo = createDemoCase({ agencyId: 'demo-agency', now: new Date() });
    await repositoryOf(legacy).importCase(demo);
    legacy.close();
    const plain = new TesseraDatabase(name);
    const expected = await snapshot(plain);
    plain.close();
    const total = Object.values(expected).reduce((sum, rows) => sum + rows.length, 0);
    expect(total).toBeGreaterThan(100);

    const vault = open(name, { batchSize: 25 });
    expect(await vault.state()).toEqual({ kind: 'plaintext' });
    const seen: number[] = [];
    // "Killed" after the second batch: the progress callback throws, as a closing window would stop it.
    const killed = await codeOf(
      // (and the vault stays locked: nothing may run on a half-encrypted store)
      vault.setUp(PASSPHRASE, (done) => {
        seen.push(done);
        if (seen.length === 2) throw Object.assign(new Error('killed'), { code: 'killed' });
      }),
    );
    expect(killed).toBe('killed');
    expect(await codeOf(() => vault.database())).toBe('vault-locked');
    const halfway = await rawRows(name);
    const sealed = halfway.filter(isSealedRow).length;
    expect(sealed).toBeGreaterThan(0);
    expect(sealed).toBeLessThan(halfway.length);
    expect(halfway).toHaveLength(total);

    const restarted = open(name, { batchSize: 25 });
    expect((await restarted.state()).kind).toBe('locked');
    const progress: number[] = [];
    restarted.subscribe((state) => {
      if (state.kind === 'migrating') progress.push(state.done);
    });
    await restarted.unlockWithPassphrase(PASSPHRASE);
    expect(progress.length).toBeGreaterThan(0);
    const after = await rawRows(name);
    expect(after).toHaveLength(total);
    expect(after.every(isSealedRow)).toBe(true);
    expect(await snapshot(restarted.database())).toEqual(expected);
    restarted.database().close();
  });

  it('rotates the data key in the background, interrupted and resumed', async () => {
    const name = freshName();
    const vault = open(name, { batchSize: 20 });
    await vault.setUp(PASSPHRASE);
    const repo = repositoryOf(vault.database());
    await repo.importCase(createDemoCase({ agencyId: 'demo-agency', now: new Date() }));
    const expected = await snapshot(vault.database());
    expect((await rawRows(name)).every((row) => isSealedRow(row) && row._k === 1)).toBe(true);

    const controller = new AbortController();
    const code = await codeOf(
      vault.rotateDataKey((done) => {
        if (done >= 40) controller.abort();
      }, controller.signal),
    );
    expect(code).toBe('aborted');
    const mixed = (await rawRows(name)) as { _k: number }[];
    expect(mixed.some((row) => row._k === 1)).toBe(true);
    expect(mixed.some((row) => row._k === 2)).toBe(true);
    // Readable and writable in the middle of a rotation.
    expect(await snapshot(vault.database())).toEqual(expected);
    const c = await repo.createCase({
      reference: 'V/3',
      title: 'During rotation',
      leadInvestigator: 'I',
      jurisdictions: ['RO'],
    });
    vault.lock();

    const restarted = open(name, { batchSize: 20 });
    await restarted.unlockWithPassphrase(PASSPHRASE);
    await restarted.rotateDataKey(() => undefined);
    const rows = (await rawRows(name)) as { _k: number }[];
    expect(rows.every((row) => row._k === 2)).toBe(true);
    const now = await snapshot(restarted.database());
    expect(now.cases).toHaveLength(2);
    expect({
      ...now,
      cases: now.cases!.filter((row) => (row as { id: string }).id !== c.id),
    }).toEqual({
      ...expected,
      audit: now.audit,
    });
    // The old key is gone from the keyring: a second rotation starts from generation 2.
    restarted.lock();
    await restarted.unlockWithPassphrase(PASSPHRASE);
    expect((await repositoryOf(restarted.database()).getCase(c.id))?.title).toBe('During rotation');
    restarted.database().close();
  });

  it('stops a rotation when the vault locks; the next unlock can resume it', async () => {
    const name = freshName();
    const vault = open(name, { batchSize: 10 });
    await vault.setUp(PASSPHRASE);
    await repositoryOf(vault.database()).importCase(
      createDemoCase({ agencyId: 'demo-agency', now: new Date() }),
    );
    const code = await codeOf(vault.rotateDataKey(() => vault.lock()));
    expect(code).toBe('aborted');
    expect(await vault.state()).toMatchObject({ kind: 'locked' });
    const rows = (await rawRows(name)) as { _k: number }[];
    expect(rows.some((row) => row._k === 1)).toBe(true);
    await vault.unlockWithPassphrase(PASSPHRASE);
    await vault.rotateDataKey(() => undefined);
    expect(((await rawRows(name)) as { _k: number }[]).every((row) => row._k === 2)).toBe(true);
    vault.database().close();
  });
});
