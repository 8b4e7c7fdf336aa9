import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTemporaryName } from './atomicFiles.ts';
import { FileTransport } from './fileTransport.ts';
import { FolderTransport, mailboxFolderName } from './folderTransport.ts';
import { TransportError } from './transport.ts';
import { expectCreateOnly, expectFetchedFromB, lazyStream } from './fixtures/mailboxChecks.ts';

const MiB = 1024 * 1024;

/** A stream that yields to the event loop between chunks, so readers can look mid-write. */
function slowStream(size: number, fill: number, chunk = 256 * 1024): Readable {
  return lazyStream(size, (_offset, n) => Buffer.alloc(n, fill), { chunk, delayMs: 1 });
}

let root: string;
let transport: FolderTransport;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-folder-'));
  transport = new FolderTransport({ root });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('FolderTransport', () => {
  it('puts, lists, gets and acknowledges (moved to acknowledged/)', async () => {
    const source = join(root, 'outgoing.bin');
    await writeFile(source, 'sealed');
    const put = await transport.put('agency-b', 'b1.tessera', source);
    expect(put).toEqual({
      name: 'b1.tessera',
      size: 6,
      location: join(root, 'agency-b', 'b1.tessera'),
    });
    await transport.put('agency-b', 'b2.tessera', Readable.from([Buffer.from('two')]), { size: 3 });

    const entries = await transport.list('agency-b');
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      ['b1.tessera', 6],
      ['b2.tessera', 3],
    ]);
    await expectFetchedFromB(transport, root, 'b1.tessera', 'sealed');

    await transport.acknowledge('agency-b', 'b1.tessera');
    await transport.acknowledge('agency-b', 'b1.tessera');
    expect((await transport.list('agency-b')).map((e) => e.name)).toEqual(['b2.tessera']);
    expect(await readdir(join(root, 'agency-b', 'acknowledged'))).toEqual(['b1.tessera']);
    await expect(transport.acknowledge('agency-b', 'never.tessera')).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('keeps agency ids with colons in a portable folder name', async () => {
    await transport.put('eu:agency.b', 'x.tessera', Readable.from([Buffer.from('x')]), { size: 1 });
    expect(await readdir(root)).toEqual(['eu%3Aagency.b']);
    expect(mailboxFolderName('.x')).toBe('%2Ex');
    expect((await transport.list('eu:agency.b')).map((e) => e.name)).toEqual(['x.tessera']);
  });

  it('refuses traversal and odd names', async () => {
    const bad: [string, string][] = [
      ['agency-b', '../escape.tessera'],
      ['agency-b', '..'],
      ['agency-b', 'a/b.tessera'],
      ['agency-b', 'a\\b.tessera'],
      ['agency-b', '.hidden'],
      ['agency-b', 'acknowledged'],
      ['agency-b', ''],
      ['..', 'x.tessera'],
      ['.', 'x.tessera'],
      ['a/b', 'x.tessera'],
      ['../agency-b', 'x.tessera'],
      ['', 'x.tessera'],
    ];
    for (const [mailbox, name] of bad) {
      const error = await transport
        .put(mailbox, name, Readable.from([Buffer.from('x')]), { size: 1 })
        .catch((e: unknown) => e);
      expect(error, `${mailbox} ${name}`).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe('invalid-name');
      await expect(transport.get(mailbox, name, join(root, 'out'))).rejects.toMatchObject({
        code: 'invalid-name',
      });
    }
    expect(await readdir(root)).toEqual([]);
  });

  it('is create-only: a second put of a name is a conflict and changes nothing', async () => {
    await expectCreateOnly(transport);
    expect(await readFile(join(root, 'agency-b', 'once.tessera'), 'utf8')).toBe('first');
    expect(await readdir(join(root, 'agency-b'))).toEqual(['once.tessera']);
  });

  it('lets exactly one of several concurrent writers win a name, whole', async () => {
    const writers = [1, 2, 3, 4, 5].map((fill) =>
      transport.put('agency-b', 'race.tessera', slowStream(2 * MiB, fill), { size: 2 * MiB }),
    );
    const results = await Promise.allSettled(writers);
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i + 1] : []));
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'conflict' });
    }
    const content = await readFile(join(root, 'agency-b', 'race.tessera'));
    expect(content.length).toBe(2 * MiB);
    expect(content.every((b) => b === won[0])).toBe(true);
    expect(await readdir(join(root, 'agency-b'))).toEqual(['race.tessera']);
  });

  it('never shows a partial file under its final name', async () => {
    const size = 16 * MiB;
    const final = join(root, 'agency-b', 'big.tessera');
    let done = false;
    let sawTemporary = false;
    let sawFinal = false;
    const writing = transport
      .put('agency-b', 'big.tessera', slowStream(size, 9), { size })
      .finally(() => {
        done = true;
      });
    while (!done) {
      const names = await readdir(join(root, 'agency-b')).catch(() => [] as string[]);
      if (names.some(isTemporaryName)) sawTemporary = true;
      if (names.includes('big.tessera')) {
        sawFinal = true;
        expect((await stat(final)).size).toBe(size);
      }
      expect((await transport.list('agency-b')).every((e) => e.size === size)).toBe(true);
      await new Promise((r) => setTimeout(r, 2));
    }
    await writing;
    expect(sawTemporary).toBe(true);
    expect(sawFinal || (await stat(final)).size === size).toBe(true);
    const hash = createHash('sha256')
      .update(await readFile(final))
      .digest('hex');
    expect(hash).toBe(createHash('sha256').update(Buffer.alloc(size, 9)).digest('hex'));
  });

  it('leaves only an ignored temporary file when the writer dies before the rename', async () => {
    // A real crash: a child process flushes the data, then is killed just before publishing.
    const module = fileURLToPath(new URL('./folderTransport.ts', import.meta.url));
    const script = `
      import { FolderTransport } from ${JSON.stringify(module)};
      const t = new FolderTransport({ root: ${JSON.stringify(root)} }, {
        beforePublish: async (temp) => { console.log(temp); await new Promise(() => {}); },
      });
      const { Readable } = await import('node:stream');
      const data = Readable.from([Buffer.alloc(1024 * 1024, 1)]);
      await t.put('agency-b', 'crash.tessera', data, { size: 1024 * 1024 });
    `;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const temporaryPath = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;

    const names = await readdir(join(root, 'agency-b'));
    expect(names).toHaveLength(1);
    expect(isTemporaryName(names[0]!)).toBe(true);
    expect(join(root, 'agency-b', names[0]!)).toBe(temporaryPath);
    expect((await stat(temporaryPath)).size).toBe(1024 * 1024);
    expect(await transport.list('agency-b')).toEqual([]);

    // A fresh temporary file may belong to a writer still at work: kept.
    expect(await transport.cleanup('agency-b')).toEqual([]);
    const old = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(temporaryPath, old, old);
    expect(await transport.cleanup('agency-b')).toEqual([names[0]]);
    expect(await readdir(join(root, 'agency-b'))).toEqual([]);
    // The name is still free.
    await transport.put('agency-b', 'crash.tessera', Readable.from([Buffer.from('ok')]), {
      size: 2,
    });
  });

  it('removes its temporary file when the source fails', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('disk gone'));
      },
    });
    await expect(transport.put('agency-b', 'f.tessera', failing)).rejects.toThrow(/disk gone/);
    expect(await readdir(join(root, 'agency-b'))).toEqual([]);
  });

  it('reports an unmounted drive as offline', async () => {
    const gone = new FolderTransport({ root: join(root, 'not-mounted') });
    expect((await gone.probe()).status).toBe('offline');
    expect((await transport.probe()).status).toBe('online');
    await expect(
      gone.put('agency-b', 'x.tessera', Readable.from([Buffer.from('x')]), { size: 1 }),
    ).rejects.toMatchObject({ code: 'offline', retryable: true });
    await expect(gone.list('agency-b')).rejects.toMatchObject({ code: 'offline' });
  });
});

describe('FileTransport', () => {
  it('copies through the paths the dialogs pick', async () => {
    const savePath = join(root, 'stick', 'to-b.tessera');
    await mkdir(join(root, 'stick'));
    let open: string[] = [];
    const files = new FileTransport({
      chooseSavePath: (name, mailbox) => {
        expect([name, mailbox]).toEqual(['to-b.tessera', 'agency-b']);
        return Promise.resolve(savePath);
      },
      chooseOpenPaths: () => Promise.resolve(open),
    });
    expect(files.describe()).toMatchObject({ kind: 'file', automatic: false });
    const result = await files.put(
      'agency-b',
      'to-b.tessera',
      Readable.from([Buffer.from('abc')]),
      {
        size: 3,
      },
    );
    expect(result.location).toBe(savePath);
    expect(await readFile(savePath, 'utf8')).toBe('abc');

    open = [savePath, join(root, 'stick', 'bundle (2).tessera')];
    await writeFile(open[1]!, 'de');
    const entries = await files.list('agency-a');
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      ['to-b.tessera', 3],
      ['bundle__2_.tessera', 2],
    ]);
    const target = join(root, 'in.tessera');
    await files.get('agency-a', 'bundle__2_.tessera', target);
    expect(await readFile(target, 'utf8')).toBe('de');
    await files.acknowledge('agency-a', 'bundle__2_.tessera');
    expect(await readFile(open[1]!, 'utf8')).toBe('de');
  });

  it('reports a cancelled save dialog', async () => {
    const files = new FileTransport({
      chooseSavePath: () => Promise.resolve(null),
      chooseOpenPaths: () => Promise.resolve([]),
    });
    await expect(
      files.put('agency-b', 'x.tessera', Readable.from([Buffer.from('x')]), { size: 1 }),
    ).rejects.toMatchObject({ code: 'cancelled' });
  });
});
