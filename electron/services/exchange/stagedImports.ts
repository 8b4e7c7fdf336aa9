/**
 * Staged imports: bundles verified and decrypted for the renderer's review, held only in this
 * process's scratch space (../files/scratch.ts: files encrypted under a key that lives in memory).
 * A restart loses them; the bundle, still in imports/ or a transport inbox, is opened again
 * (issue 8, finding 9). Nothing of a staged bundle is ever on disk in the clear.
 */
import crypto from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { StagedBundle } from '../../../shared/contract/exchange.ts';
import { bundleRefKey, type BundleRef } from '../../../shared/contract/refs.ts';
import { type ScratchFile, ScratchSpace, sweepScratch } from '../files/scratch.ts';
import type { DownloadSource } from '../transfer/index.ts';
import { ExchangeError } from './errors.ts';

export interface StagedImportsOptions {
  /** `<dataDir>/exchange/scratch`. */
  readonly scratchRoot: string;
  /** The plaintext `staging/` folder of versions before issue 8, removed at start. */
  readonly legacyStagingDir: string;
}

interface Entry {
  /** The StagedBundle as JSON. */
  readonly staged: ScratchFile;
  /** The attachments by part name. */
  readonly attachments: ReadonlyMap<string, ScratchFile>;
}

export class StagedImports {
  private leftovers: Promise<void> | null = null;
  private scratch: Promise<ScratchSpace> | null = null;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: StagedImportsOptions) {}

  /**
   * Removes, once per process, what earlier ones left: scratch folders of processes that are gone
   * (ciphertext under a key that died with them) and the plaintext `staging/` folder of versions
   * before issue 8.
   */
  removeLeftovers(): Promise<void> {
    this.leftovers ??= (async () => {
      await sweepScratch(this.options.scratchRoot);
      await rm(this.options.legacyStagingDir, { recursive: true, force: true });
    })();
    return this.leftovers;
  }

  /** This process's scratch space (0700 folder, files encrypted under a key held in memory). */
  space(): Promise<ScratchSpace> {
    this.scratch ??= this.removeLeftovers().then(() =>
      ScratchSpace.create(this.options.scratchRoot),
    );
    return this.scratch;
  }

  has(ref: BundleRef): boolean {
    return this.entries.has(bundleRefKey(ref));
  }

  /** Keeps a staged bundle and its attachments (already written to the scratch space). */
  async keep(
    ref: BundleRef,
    staged: StagedBundle,
    attachments: ReadonlyMap<string, ScratchFile>,
  ): Promise<void> {
    const scratch = await this.space();
    const file = await scratch.write(
      crypto.randomBytes(8).toString('hex'),
      Buffer.from(JSON.stringify(staged)),
    );
    this.entries.set(bundleRefKey(ref), { staged: file, attachments });
  }

  /** The staged bundle, or null when it is not staged (or its files were altered: then dropped). */
  async load(ref: BundleRef): Promise<StagedBundle | null> {
    const entry = this.entries.get(bundleRefKey(ref));
    if (!entry) return null;
    const scratch = await this.space();
    try {
      return JSON.parse((await scratch.readAll(entry.staged)).toString('utf8')) as StagedBundle;
    } catch {
      // Unreadable (removed or altered on disk): forget it, the bundle is opened again.
      await this.drop(ref);
      return null;
    }
  }

  /** Forgets a staged bundle and removes its scratch files. */
  async drop(ref: BundleRef): Promise<void> {
    const key = bundleRefKey(ref);
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const scratch = await this.space();
    for (const file of [entry.staged, ...entry.attachments.values()]) await scratch.remove(file);
  }

  /** One attachment of a staged bundle, decrypted chunk by chunk as it is read. */
  async attachment(ref: BundleRef, name: string): Promise<DownloadSource> {
    const staged = await this.load(ref);
    if (!staged) {
      throw new ExchangeError(
        'not-staged',
        `bundle ${bundleRefKey(ref)} is not staged: open it first`,
      );
    }
    const part = staged.attachments.find((a) => a.name === name);
    const file = this.entries.get(bundleRefKey(ref))?.attachments.get(name);
    if (!part || !file) {
      throw new ExchangeError('unknown-attachment', `the bundle has no attachment ${name}`);
    }
    const scratch = await this.space();
    return {
      fileName: part.name,
      size: part.size,
      sha256: part.sha256,
      open: () => scratch.read(file),
    };
  }

  /** Forgets every staged bundle and destroys the scratch space (its key goes with it). */
  async close(): Promise<void> {
    this.entries.clear();
    const scratch = this.scratch;
    this.scratch = null;
    await (await scratch?.catch(() => null))?.dispose();
  }
}
