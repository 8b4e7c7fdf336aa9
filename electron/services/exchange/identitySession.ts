/**
 * The identity session: the agency's keys (IdentityStore under `exchange/identity/`) and whether
 * they are unlocked in this process.
 *
 * The secrets are protected either by a passphrase (scrypt; the web host and the CLI take it from
 * TESSERA_PASSPHRASE) or by the OS keyring (Electron safeStorage, only where its backend is real).
 * The store asks for its protector lazily, so one store serves both: `current` is the protector of
 * the create/unlock call in progress, or of the unlocked session.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { IdentityCard, Revocation } from '../../../shared/exchange/bundleFormat.ts';
import {
  assertStrongPassphrase,
  IdentityError,
  IdentityStore,
  PassphraseProtector,
  SafeStorageProtector,
  type SafeStorageLike,
  type ScryptParams,
  type SecretProtector,
  type UnlockedIdentity,
} from '../identity/index.ts';
import { ed25519Sign } from '../identity/keys.ts';
import { SECRET_FILE } from '../identity/store.ts';

export interface IdentitySessionOptions {
  /** `<dataDir>/exchange/identity`. */
  readonly dir: string;
  /** Web host / CLI: the configured passphrase (TESSERA_PASSPHRASE). */
  readonly passphrase?: string;
  /** Electron: the OS keyring, used when no passphrase is given and its backend is real. */
  readonly safeStorage?: SafeStorageLike;
  /** Lower only in tests. */
  readonly scryptParams?: ScryptParams;
  readonly now: () => Date;
}

type Protection = 'passphrase' | 'safeStorage';

export class IdentitySession {
  private readonly store: IdentityStore;
  private current: SecretProtector | null = null;
  private unlocked: { identity: UnlockedIdentity; protector: SecretProtector } | null = null;

  constructor(private readonly options: IdentitySessionOptions) {
    const requireProtector = (): SecretProtector => {
      if (!this.current) throw new IdentityError('wrong-passphrase', 'the identity is locked');
      return this.current;
    };
    const kindOf = (): string => this.current?.kind ?? 'passphrase';
    const proxy: SecretProtector = {
      get kind() {
        return kindOf();
      },
      protect: (plain, context) => requireProtector().protect(plain, context),
      unprotect: (blob, context) => requireProtector().unprotect(blob, context),
    };
    this.store = new IdentityStore(options.dir, proxy, () => options.now());
  }

  /** The unlocked identity, or null while locked. */
  get identity(): UnlockedIdentity | null {
    return this.unlocked?.identity ?? null;
  }

  /** The protector that unlocked the identity (also protects the transport settings). */
  get protector(): SecretProtector | null {
    return this.unlocked?.protector ?? null;
  }

  /** True when a passphrase is configured: the host unlocks quietly on first use. */
  get autoUnlocks(): boolean {
    return this.options.passphrase !== undefined && this.options.passphrase !== '';
  }

  /** The unlocked identity, or `no-identity`. */
  require(): UnlockedIdentity {
    if (!this.unlocked) {
      throw new IdentityError(
        'no-identity',
        'the agency identity is locked or missing: create or unlock it first',
      );
    }
    return this.unlocked.identity;
  }

  /** Signs with the unlocked identity's Ed25519 key. */
  sign(message: Uint8Array): Buffer {
    return ed25519Sign(this.require().secrets.signingSeed, message);
  }

  exists(): Promise<boolean> {
    return this.store.exists();
  }

  /** Our public card: the unlocked one, or the one on disk (which needs no secret). */
  async card(): Promise<IdentityCard> {
    return this.unlocked?.identity.card ?? this.store.loadCard();
  }

  /** Our card, or null when there is no identity (or its card cannot be read). */
  ownCard(): Promise<IdentityCard | null> {
    return this.card().catch(() => null);
  }

  /** How the secrets are (or, with no identity yet, would be) protected here. */
  async protection(): Promise<Protection> {
    const kind = (await this.exists()) ? await this.secretKind() : null;
    return kind === 'safeStorage' ||
      (kind === null && !this.options.passphrase && this.safeStorageUsable())
      ? 'safeStorage'
      : 'passphrase';
  }

  /** Creates the identity (refused when one exists) and unlocks it. */
  async create(input: {
    agencyName: string;
    agencyId: string;
    passphrase?: string | undefined;
  }): Promise<UnlockedIdentity> {
    const usePassphrase = input.passphrase !== undefined || !this.safeStorageUsable();
    const protector = usePassphrase
      ? this.passphraseProtector(input.passphrase)
      : new SafeStorageProtector(this.options.safeStorage!);
    if (usePassphrase) {
      // The strength floor applies when the passphrase is chosen (also one from
      // TESSERA_PASSPHRASE), never when an existing identity is unlocked with it.
      assertStrongPassphrase(input.passphrase ?? this.options.passphrase ?? '', [
        input.agencyName,
        input.agencyId,
      ]);
    }
    const previous = this.current;
    this.current = protector;
    try {
      await this.store.create({ agencyName: input.agencyName, agencyId: input.agencyId });
    } catch (error) {
      this.current = previous;
      throw error;
    }
    return this.unlockWith(protector);
  }

  /** Unlocks with the passphrase given (or configured), or the OS keyring that protects it. */
  async unlock(passphrase?: string): Promise<UnlockedIdentity> {
    const kind = await this.secretKind();
    if (kind === null) {
      throw new IdentityError('no-identity', 'no agency identity here yet: create one first');
    }
    let protector: SecretProtector;
    if (kind === 'safeStorage') {
      if (!this.options.safeStorage) {
        throw new IdentityError(
          'insecure-storage',
          'the keys are protected by the system keyring, which this host cannot reach',
        );
      }
      protector = new SafeStorageProtector(this.options.safeStorage);
    } else {
      protector = this.passphraseProtector(passphrase);
    }
    return this.unlockWith(protector);
  }

  /** Forgets the unlocked secrets. */
  lock(): void {
    this.unlocked = null;
    this.current = null;
  }

  /** New keys, the new card carrying a rotation signed by the old key. */
  async rotate(): Promise<UnlockedIdentity> {
    this.require();
    await this.store.rotate();
    return this.reload();
  }

  /** Revokes the current key; the card then carries the revocation. */
  async revoke(
    reason: Revocation['reason'],
  ): Promise<{ revocation: Revocation; identity: UnlockedIdentity }> {
    this.require();
    const revocation = await this.store.revoke(reason);
    return { revocation, identity: await this.reload() };
  }

  private async reload(): Promise<UnlockedIdentity> {
    const identity = await this.store.unlock();
    this.unlocked = { identity, protector: this.unlocked!.protector };
    return identity;
  }

  private async unlockWith(protector: SecretProtector): Promise<UnlockedIdentity> {
    const previous = this.current;
    this.current = protector;
    try {
      const identity = await this.store.unlock();
      this.unlocked = { identity, protector };
      return identity;
    } catch (error) {
      this.current = previous;
      throw error;
    }
  }

  private async secretKind(): Promise<string | null> {
    try {
      const json = JSON.parse(await readFile(path.join(this.options.dir, SECRET_FILE), 'utf8')) as {
        protection?: { kind?: unknown };
      };
      return typeof json.protection?.kind === 'string' ? json.protection.kind : null;
    } catch {
      return null;
    }
  }

  private safeStorageUsable(): boolean {
    return !!this.options.safeStorage && SafeStorageProtector.isUsable(this.options.safeStorage);
  }

  private passphraseProtector(passphrase: string | undefined): SecretProtector {
    const value = passphrase ?? this.options.passphrase;
    if (!value) {
      throw new IdentityError(
        'wrong-passphrase',
        'a passphrase is needed to protect the agency keys (or TESSERA_PASSPHRASE)',
      );
    }
    return new PassphraseProtector(() => value, this.options.scryptParams);
  }
}
