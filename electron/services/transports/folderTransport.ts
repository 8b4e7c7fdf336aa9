/**
 * Shared-folder transport (a network drive both agencies' desks can reach).
 *
 * Layout: `<root>/<mailbox>/<name>` per recipient agency, `<root>/<mailbox>/acknowledged/<name>`
 * for received files (acknowledge moves them there: a rename, cheap and atomic, and it keeps the
 * drive's own backups and audit meaningful), and `.NAME.RANDOM.partial` temporary files while a
 * write is in progress. Writes are atomic and create-only (see atomicFiles.ts); names are checked
 * against an allow-list so nothing escapes the mailbox. Agency ids may hold ':', which Windows and
 * SMB refuse in a path, so mailbox folders percent-encode it (and a leading dot).
 * A missing root means the drive is not mounted: the transport reports `offline`.
 */
import { constants, createReadStream } from 'node:fs';
import { access, lstat, mkdir, readdir, rename, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import {
  errnoCode,
  fsError,
  openSource,
  removeStaleTemporaryFiles,
  writeStreamAtomic,
} from './atomicFiles.ts';
import type {
  GetOptions,
  MailboxEntry,
  ProbeResult,
  PutOptions,
  PutResult,
  Transport,
  TransportDescription,
  TransportSource,
} from './transport.ts';
import {
  ACKNOWLEDGED_FOLDER,
  TransportError,
  isValidName,
  validateMailbox,
  validateName,
} from './transport.ts';

export interface FolderTransportConfig {
  /** The shared folder, e.g. a mounted network drive. It must exist: it is never created. */
  readonly root: string;
}

export interface FolderTransportTestHooks {
  /** Runs after a put's data is flushed, before it is published (crash simulation). */
  readonly beforePublish?: (temporaryPath: string) => Promise<void>;
}

export function mailboxFolderName(mailbox: string): string {
  return validateMailbox(mailbox).replace(/:/g, '%3A').replace(/^\./, '%2E');
}

export class FolderTransport implements Transport {
  private readonly root: string;

  constructor(
    config: FolderTransportConfig,
    private readonly hooks: FolderTransportTestHooks = {},
  ) {
    this.root = resolve(config.root);
  }

  describe(): TransportDescription {
    return {
      kind: 'folder',
      label: `Shared folder ${this.root}`,
      automatic: true,
      acknowledgement: 'moved',
    };
  }

  async probe(): Promise<ProbeResult> {
    const started = Date.now();
    try {
      const info = await stat(this.root);
      if (!info.isDirectory()) return { status: 'error', detail: `${this.root} is not a folder` };
      await access(this.root, constants.R_OK | constants.W_OK);
      return { status: 'online', latencyMs: Date.now() - started };
    } catch (error) {
      const mapped = fsError(error, `Shared folder ${this.root} unavailable`);
      return {
        status: mapped.code === 'not-found' || mapped.code === 'offline' ? 'offline' : 'error',
        detail: mapped.message,
      };
    }
  }

  /** The mailbox folder; refuses anything that would resolve outside the root. */
  mailboxPath(mailbox: string): string {
    const path = join(this.root, mailboxFolderName(mailbox));
    if (!path.startsWith(this.root + sep)) {
      throw new TransportError('invalid-name', `Refused mailbox ${JSON.stringify(mailbox)}`);
    }
    return path;
  }

  private filePath(mailbox: string, name: string): string {
    return join(this.mailboxPath(mailbox), validateName(name));
  }

  async put(
    mailbox: string,
    name: string,
    source: TransportSource,
    options: PutOptions = {},
  ): Promise<PutResult> {
    const target = this.filePath(mailbox, name);
    await this.ensureMailbox(mailbox);
    const opened = await openSource(source, options.size);
    const size = await writeStreamAtomic(opened.stream, target, {
      expectedSize: options.size ?? opened.size,
      createOnly: true,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.hooks.beforePublish ? { beforePublish: this.hooks.beforePublish } : {}),
    });
    return { name, size, location: target };
  }

  async list(mailbox: string): Promise<MailboxEntry[]> {
    const dir = this.mailboxPath(mailbox);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') {
        await this.requireRoot();
        return [];
      }
      throw fsError(error, `Cannot list ${dir}`);
    }
    const result: MailboxEntry[] = [];
    for (const entry of entries) {
      // Temporary files start with a dot and symbolic links are not files: both are skipped.
      if (!entry.isFile() || !isValidName(entry.name)) continue;
      try {
        const info = await stat(join(dir, entry.name));
        result.push({ name: entry.name, size: info.size, modified: info.mtime.toISOString() });
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw fsError(error, `Cannot read ${entry.name}`);
      }
    }
    return result.sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(
    mailbox: string,
    name: string,
    destinationPath: string,
    options: GetOptions = {},
  ): Promise<MailboxEntry> {
    const source = this.filePath(mailbox, name);
    let info;
    try {
      info = await lstat(source);
    } catch (error) {
      throw fsError(error, `${name} is not in mailbox ${mailbox}`);
    }
    if (!info.isFile()) throw new TransportError('not-found', `${name} is not a file`);
    await writeStreamAtomic(createReadStream(source), destinationPath, {
      expectedSize: info.size,
      mode: 0o600,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { name, size: info.size, modified: info.mtime.toISOString() };
  }

  /** Moves the file to `<mailbox>/acknowledged/`; acknowledging twice is harmless. */
  async acknowledge(mailbox: string, name: string): Promise<void> {
    const source = this.filePath(mailbox, name);
    const folder = join(this.mailboxPath(mailbox), ACKNOWLEDGED_FOLDER);
    try {
      await mkdir(folder, { recursive: true });
      await rename(source, join(folder, name));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') {
        try {
          await stat(join(folder, name));
          return;
        } catch {
          // Neither in the mailbox nor acknowledged.
        }
      }
      throw fsError(error, `Cannot acknowledge ${name}`);
    }
  }

  /** Removes temporary files a crashed writer left in a mailbox (default: older than a day). */
  async cleanup(mailbox: string, olderThanMs = 24 * 60 * 60 * 1000): Promise<string[]> {
    return removeStaleTemporaryFiles(this.mailboxPath(mailbox), olderThanMs);
  }

  private async ensureMailbox(mailbox: string): Promise<void> {
    await this.requireRoot();
    try {
      await mkdir(this.mailboxPath(mailbox));
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw fsError(error, `Cannot create mailbox ${mailbox}`);
    }
  }

  private async requireRoot(): Promise<void> {
    try {
      const info = await stat(this.root);
      if (!info.isDirectory()) throw new TransportError('io', `${this.root} is not a folder`);
    } catch (error) {
      const mapped = fsError(error, `Shared folder ${this.root} unavailable`);
      throw mapped.code === 'not-found'
        ? new TransportError('offline', mapped.message, { cause: error })
        : mapped;
    }
  }
}
