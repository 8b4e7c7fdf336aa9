/**
 * File transport: a person carries the bundle (USB stick, e-mail attachment). Paths come from the
 * UI's save and open dialogs (injected); this class only copies, atomically (temporary file in the
 * destination folder, fsync, rename). It is never used unattended, and acknowledging does nothing:
 * the person's own file stays where they put it.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { fsError, openSource, writeStreamAtomic } from './atomicFiles.ts';
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
import { TransportError, isValidName, validateMailbox, validateName } from './transport.ts';

export interface FileTransportDeps {
  /** Save dialog: where the bundle for `mailbox` goes; null when cancelled. */
  readonly chooseSavePath: (suggestedName: string, mailbox: string) => Promise<string | null>;
  /** Open dialog: the bundle files to import; empty when cancelled. */
  readonly chooseOpenPaths: (mailbox: string) => Promise<readonly string[]>;
}

export class FileTransport implements Transport {
  /** Name handed out by `list` → the path picked in the dialog. */
  private readonly picked = new Map<string, string>();

  constructor(private readonly deps: FileTransportDeps) {}

  describe(): TransportDescription {
    return {
      kind: 'file',
      label: 'File (save and open)',
      automatic: false,
      acknowledgement: 'none',
    };
  }

  probe(): Promise<ProbeResult> {
    return Promise.resolve({ status: 'online' });
  }

  async put(
    mailbox: string,
    name: string,
    source: TransportSource,
    options: PutOptions = {},
  ): Promise<PutResult> {
    validateMailbox(mailbox);
    validateName(name);
    const target = await this.deps.chooseSavePath(name, mailbox);
    if (target === null) throw new TransportError('cancelled', 'Export cancelled');
    const opened = await openSource(source, options.size);
    // The save dialog has already asked before replacing an existing file.
    const size = await writeStreamAtomic(opened.stream, target, {
      expectedSize: options.size ?? opened.size,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { name, size, location: target };
  }

  /** Asks for files to import; entries are named after them (made safe and unique). */
  async list(mailbox: string): Promise<MailboxEntry[]> {
    validateMailbox(mailbox);
    const paths = await this.deps.chooseOpenPaths(mailbox);
    const entries: MailboxEntry[] = [];
    for (const path of paths) {
      let info;
      try {
        info = await stat(path);
      } catch (error) {
        throw fsError(error, `Cannot read ${path}`);
      }
      if (!info.isFile()) continue;
      const name = this.uniqueName(safeName(basename(path)), path);
      this.picked.set(name, path);
      entries.push({ name, size: info.size, modified: info.mtime.toISOString() });
    }
    return entries;
  }

  async get(
    mailbox: string,
    name: string,
    destinationPath: string,
    options: GetOptions = {},
  ): Promise<MailboxEntry> {
    validateMailbox(mailbox);
    const source = this.picked.get(validateName(name));
    if (source === undefined) throw new TransportError('not-found', `${name} was not picked`);
    let info;
    try {
      info = await stat(source);
    } catch (error) {
      throw fsError(error, `Cannot read ${source}`);
    }
    await writeStreamAtomic(createReadStream(source), destinationPath, {
      expectedSize: info.size,
      mode: 0o600,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { name, size: info.size, modified: info.mtime.toISOString() };
  }

  acknowledge(mailbox: string, name: string): Promise<void> {
    validateMailbox(mailbox);
    this.picked.delete(validateName(name));
    return Promise.resolve();
  }

  private uniqueName(name: string, path: string): string {
    let candidate = name;
    for (let n = 2; this.picked.has(candidate) && this.picked.get(candidate) !== path; n++) {
      candidate = `${n}-${name}`.slice(0, 200);
    }
    return candidate;
  }
}

function safeName(fileName: string): string {
  if (isValidName(fileName)) return fileName;
  const cleaned = fileName
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 200);
  return isValidName(cleaned) ? cleaned : 'bundle';
}
