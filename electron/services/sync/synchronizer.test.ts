import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeStreamAtomic } from '../transports/atomicFiles.ts';
import { FolderTransport } from '../transports/folderTransport.ts';
import type {
  MailboxEntry,
  ProbeResult,
  PutOptions,
  Transport,
  TransportSource,
  GetOptions,
} from '../transports/transport.ts';
import { TransportError } from '../transports/transport.ts';
import type { Clock } from './backoff.ts';
import { backoffDelay } from './backoff.ts';
import type { SyncProgress, SyncStatus } from './synchronizer.ts';
import { Synchronizer } from './synchronizer.ts';

/** A clock whose time moves only when the test says so. */
class ManualClock implements Clock {
  time = 1_700_000_000_000;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, callback, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  /** Delay until the next timer, or null. */
  nextDelay(): number | null {
    if (this.timers.length === 0) return null;
    return Math.min(...this.timers.map((t) => t.at)) - this.time;
  }
  /** Moves to the next timer and fires it. */
  fireNext(): number {
    const delay = this.nextDelay();
    if (delay === null) throw new Error('no timer');
    this.time += delay;
    const due = this.timers.filter((t) => t.at <= this.time);
    this.timers = this.timers.filter((t) => t.at > this.time);
    for (const t of due) t.callback();
    return delay;
  }
}

/** In-memory transport with switchable connectivity and injectable failures. */
class FakeTransport implements Transport {
  readonly boxes = new Map<string, Map<string, { data: Buffer; modified: string }>>();
  online = true;
  /** Errors thrown by the next puts, in order. */
  putFailures: TransportError[] = [];
  readonly calls: { op: string; at: number }[] = [];
  acknowledgement: 'deleted' | 'none' = 'deleted';
  constructor(private readonly clock: ManualClock) {}

  describe() {
    return { kind: 'fake', label: 'Fake', automatic: true, acknowledgement: this.acknowledgement };
  }
  probe(): Promise<ProbeResult> {
    this.calls.push({ op: 'probe', at: this.clock.now() });
    return Promise.resolve(
      this.online ? { status: 'online' } : { status: 'offline', detail: 'no network' },
    );
  }
  private box(mailbox: string) {
    let box = this.boxes.get(mailbox);
    if (!box)
      this.boxes.set(mailbox, (box = new Map<string, { data: Buffer; modified: string }>()));
    return box;
  }
  private check(): void {
    if (!this.online) throw new TransportError('offline', 'no network');
  }
  async put(mailbox: string, name: string, source: TransportSource, options: PutOptions = {}) {
    this.calls.push({ op: `put ${mailbox}/${name}`, at: this.clock.now() });
    this.check();
    const failure = this.putFailures.shift();
    if (failure) throw failure;
    if (this.box(mailbox).has(name)) throw new TransportError('conflict', `${name} exists`);
    const data = await readFile(source as string);
    for (const share of [0, 0.25, 0.5, 0.75, 1]) {
      options.onProgress?.({ transferred: Math.round(data.length * share), total: data.length });
    }
    this.box(mailbox).set(name, { data, modified: new Date(this.clock.now()).toISOString() });
    return { name, size: data.length, location: `fake://${mailbox}/${name}` };
  }
  list(mailbox: string): Promise<MailboxEntry[]> {
    this.calls.push({ op: `list ${mailbox}`, at: this.clock.now() });
    this.check();
    return Promise.resolve(
      [...this.box(mailbox)].map(([name, f]) => ({
        name,
        size: f.data.length,
        modified: f.modified,
      })),
    );
  }
  async get(mailbox: string, name: string, destinationPath: string, options: GetOptions = {}) {
    this.calls.push({ op: `get ${mailbox}/${name}`, at: this.clock.now() });
    this.check();
    const file = this.box(mailbox).get(name);
    if (!file) throw new TransportError('not-found', name);
    await writeStreamAtomic(Readable.from([file.data]), destinationPath, {
      expectedSize: file.data.length,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return { name, size: file.data.length, modified: file.modified };
  }
  acknowledge(mailbox: string, name: string): Promise<void> {
    this.calls.push({ op: `ack ${mailbox}/${name}`, at: this.clock.now() });
    this.check();
    if (this.acknowledgement === 'deleted') this.box(mailbox).delete(name);
    return Promise.resolve();
  }
  ops(prefix: string): { op: string; at: number }[] {
    return this.calls.filter((c) => c.op.startsWith(prefix));
  }
}

let dir: string;
let clock: ManualClock;
let transport: FakeTransport;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-sync-'));
  clock = new ManualClock();
  transport = new FakeTransport(clock);
});

afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

function synchronizer(overrides: Partial<ConstructorParameters<typeof Synchronizer>[0]> = {}) {
  return new Synchronizer({
    transport,
    ownMailbox: 'agency-a',
    outboxDir: join(dir, 'outbox'),
    inboxDir: join(dir, 'inbox'),
    clock,
    random: () => 0.5,
    ...overrides,
  });
}

async function sealed(name: string, bytes = 1000): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, randomBytes(bytes));
  return path;
}

describe('Synchronizer', () => {
  it('pushes the outbox, pulls new bundles once, and acknowledges after import', async () => {
    const sync = synchronizer();
    await sync.enqueue(await sealed('s1'), { partner: 'agency-b', bundleId: 'b-1', sequence: 1 });
    await sync.enqueue(await sealed('s2'), { partner: 'agency-b', bundleId: 'b-2', sequence: 2 });
    await sync.enqueue(await sealed('s3'), {
      partner: 'eu:agency-c',
      bundleId: 'c-1',
      sequence: 1,
    });
    expect(sync.status()).toMatchObject({ state: 'idle', outbox: 3, inbox: 0, lastSyncAt: null });
    await expect(
      sync.enqueue(await sealed('s4'), { partner: 'agency-b', bundleId: 'b-1', sequence: 3 }),
    ).rejects.toMatchObject({ code: 'conflict' });

    transport.boxes.set(
      'agency-a',
      new Map([
        ['from-b-1.tessera', { data: Buffer.from('one'), modified: '2024-01-01T00:00:00.000Z' }],
        ['from-b-2.tessera', { data: Buffer.from('two!'), modified: '2024-01-01T00:00:00.000Z' }],
      ]),
    );
    const sent: string[] = [];
    sync.on('sent', ({ item }) => sent.push(`${item.partner}/${item.name}`));
    const status = await sync.syncOnce();
    expect(status).toMatchObject({ state: 'idle', outbox: 0, inbox: 2 });
    expect(status.lastSyncAt).toBe(new Date(clock.time).toISOString());
    expect(sent).toEqual([
      'agency-b/b-1.tessera',
      'agency-b/b-2.tessera',
      'eu:agency-c/c-1.tessera',
    ]);
    expect([...transport.boxes.get('agency-b')!.keys()]).toEqual(['b-1.tessera', 'b-2.tessera']);
    expect(await readdir(join(dir, 'outbox'))).toEqual([]);

    const inbox = await sync.inboxItems();
    expect(inbox.map((i) => [i.name, i.size])).toEqual([
      ['from-b-1.tessera', 3],
      ['from-b-2.tessera', 4],
    ]);
    expect(await readFile(inbox[1]!.path, 'utf8')).toBe('two!');

    // Already fetched: not fetched again.
    await sync.syncOnce();
    expect(transport.ops('get')).toHaveLength(2);

    await sync.confirmImported('from-b-1.tessera');
    expect(transport.ops('ack')).toEqual([{ op: 'ack agency-a/from-b-1.tessera', at: clock.time }]);
    expect(sync.status()).toMatchObject({ inbox: 1 });
    await sync.discard('from-b-2.tessera', { acknowledge: true });
    expect(sync.status()).toMatchObject({ inbox: 0 });
    expect(transport.boxes.get('agency-a')!.size).toBe(0);
  });

  it('never fetches a name twice, even from a transport that keeps acknowledged files', async () => {
    transport.acknowledgement = 'none';
    transport.boxes.set(
      'agency-a',
      new Map([['x.tessera', { data: Buffer.from('x'), modified: '2024-01-01T00:00:00.000Z' }]]),
    );
    const sync = synchronizer();
    await sync.syncOnce();
    await sync.confirmImported('x.tessera');
    await sync.syncOnce();
    // A new instance reads the ledger from disk.
    await synchronizer().syncOnce();
    expect(transport.ops('get')).toHaveLength(1);
    expect(sync.status().inbox).toBe(0);
  });

  it('reports offline without throwing and catches up when the network is back', async () => {
    transport.online = false;
    const sync = synchronizer();
    await sync.enqueue(await sealed('s1'), { partner: 'agency-b', bundleId: 'b-1', sequence: 1 });
    const offline = await sync.syncOnce();
    expect(offline).toMatchObject({ state: 'offline', outbox: 1, lastError: 'no network' });

    // Acknowledging while offline is deferred to the next sync.
    transport.online = true;
    transport.boxes.set(
      'agency-a',
      new Map([['in.tessera', { data: Buffer.from('in'), modified: '2024-01-01T00:00:00.000Z' }]]),
    );
    await sync.syncOnce();
    transport.online = false;
    await sync.confirmImported('in.tessera');
    expect(sync.status().inbox).toBe(0);
    expect(transport.boxes.get('agency-a')!.has('in.tessera')).toBe(true);

    transport.online = true;
    const online = await sync.syncOnce();
    expect(online).toMatchObject({ state: 'idle', outbox: 0, inbox: 0 });
    expect(online.lastError).toBeUndefined();
    expect(transport.boxes.get('agency-a')!.has('in.tessera')).toBe(false);
  });

  it('retries a failing transport with exponential backoff and jitter', async () => {
    const sync = synchronizer({ pollIntervalMs: 60_000 });
    await sync.enqueue(await sealed('s1'), { partner: 'agency-b', bundleId: 'b-1', sequence: 1 });
    transport.putFailures = [1, 2, 3].map((n) => new TransportError('io', `server hiccup ${n}`));
    const states: SyncStatus['state'][] = [];
    sync.on('status', (s) => states.push(s.state));

    const started = clock.time;
    sync.start();
    expect(clock.fireNext()).toBe(0);
    let status = await sync.syncOnce();
    expect(status).toMatchObject({ state: 'error', lastError: 'server hiccup 1', outbox: 1 });
    // random() = 0.5, equal jitter: delay = base * 0.75 with base 2 s, 4 s, 8 s.
    expect(status.nextAttemptAt).toBe(new Date(clock.time + 1500).toISOString());
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      delays.push(clock.fireNext());
      status = await sync.syncOnce();
    }
    expect(delays).toEqual([1500, 3000, 6000]);
    expect(transport.ops('put').map((c) => c.at - started)).toEqual([0, 1500, 4500, 10500]);
    expect(status).toMatchObject({ state: 'idle', outbox: 0, automatic: true });
    expect(states).toContain('syncing');
    // Healthy again: back to the normal pace.
    expect(clock.nextDelay()).toBe(60_000);
    await sync.stop();
    expect(clock.nextDelay()).toBeNull();
    expect(sync.status().automatic).toBe(false);
  });

  it('caps the backoff and resets it on nudge', async () => {
    expect([1, 2, 3, 10, 20].map((n) => backoffDelay(n, undefined, () => 0))).toEqual([
      1000, 2000, 4000, 150_000, 150_000,
    ]);
    expect(backoffDelay(20, undefined, () => 0.999999)).toBe(300_000);
    transport.online = false;
    const sync = synchronizer();
    sync.start();
    for (let i = 0; i < 4; i++) {
      clock.fireNext();
      await sync.syncOnce();
    }
    expect(clock.nextDelay()).toBe(12_000);
    transport.online = true;
    sync.nudge();
    expect(clock.nextDelay()).toBe(0);
    clock.fireNext();
    expect(await sync.syncOnce()).toMatchObject({ state: 'idle' });
    await sync.stop();
  });

  it('uses the global timers by default, so fake timers drive it', async () => {
    vi.useFakeTimers({
      now: new Date('2024-05-01T00:00:00Z'),
      toFake: ['setTimeout', 'clearTimeout', 'Date'],
    });
    transport.online = false;
    const sync = new Synchronizer({
      transport,
      ownMailbox: 'agency-a',
      outboxDir: join(dir, 'outbox'),
      inboxDir: join(dir, 'inbox'),
      random: () => 0,
    });
    sync.start();
    await vi.advanceTimersByTimeAsync(0);
    const status = await sync.syncOnce();
    expect(status.state).toBe('offline');
    expect(status.nextAttemptAt).toBe('2024-05-01T00:00:01.000Z');
    expect(vi.getTimerCount()).toBe(1);
    await sync.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps an item whose name the partner holds with other content, and sends the rest', async () => {
    const sync = synchronizer();
    const first = await sync.enqueue(await sealed('s1', 10), {
      partner: 'agency-b',
      bundleId: 'b-1',
      sequence: 1,
    });
    await sync.enqueue(await sealed('s2', 20), {
      partner: 'agency-b',
      bundleId: 'b-2',
      sequence: 2,
    });
    await sync.enqueue(await sealed('s3', 30), {
      partner: 'agency-b',
      bundleId: 'b-3',
      sequence: 3,
    });
    transport.boxes.set(
      'agency-b',
      new Map([
        // Same name, other size: a genuine clash.
        ['b-2.tessera', { data: Buffer.alloc(5), modified: '2024-01-01T00:00:00.000Z' }],
        // Same name and size: an earlier attempt got through.
        ['b-3.tessera', { data: Buffer.alloc(30), modified: '2024-01-01T00:00:00.000Z' }],
      ]),
    );
    const failed: string[] = [];
    sync.on('itemFailed', (f) => failed.push(f.name));
    const status = await sync.syncOnce();
    expect(status).toMatchObject({ state: 'error', outbox: 1 });
    expect(status.lastError).toMatch(/b-2\.tessera to agency-b/);
    expect(failed).toEqual(['b-2.tessera']);
    const items = await sync.outboxItems();
    expect(items.map((i) => [i.name, i.error])).toEqual([['b-2.tessera', 'b-2.tessera exists']]);
    expect(transport.boxes.get('agency-b')!.get('b-1.tessera')!.data.length).toBe(first.size);
  });

  it('throttles progress events but always reports the start and the end', async () => {
    const sync = synchronizer();
    await sync.enqueue(await sealed('s1', 4000), {
      partner: 'agency-b',
      bundleId: 'b-1',
      sequence: 1,
    });
    const progress: SyncProgress[] = [];
    sync.on('progress', (p) => progress.push(p));
    await sync.syncOnce();
    expect(progress).toEqual([
      {
        direction: 'upload',
        mailbox: 'agency-b',
        name: 'b-1.tessera',
        transferred: 0,
        total: 4000,
      },
      {
        direction: 'upload',
        mailbox: 'agency-b',
        name: 'b-1.tessera',
        transferred: 4000,
        total: 4000,
      },
    ]);
  });

  it('joins a sync already running instead of starting another', async () => {
    const sync = synchronizer();
    const a = sync.syncOnce();
    const b = sync.syncOnce();
    expect(a).toBe(b);
    await a;
    expect(transport.ops('probe')).toHaveLength(1);
  });

  it('carries bundles between two agencies over a shared folder', async () => {
    const root = join(dir, 'share');
    await mkdir(root);
    const folder = new FolderTransport({ root });
    const a = new Synchronizer({
      transport: folder,
      ownMailbox: 'agency-a',
      outboxDir: join(dir, 'a-out'),
      inboxDir: join(dir, 'a-in'),
    });
    const b = new Synchronizer({
      transport: folder,
      ownMailbox: 'agency-b',
      outboxDir: join(dir, 'b-out'),
      inboxDir: join(dir, 'b-in'),
    });
    const bundle = randomBytes(3 * 1024 * 1024);
    await a.enqueue(Readable.from([bundle]), {
      partner: 'agency-b',
      bundleId: '01HX-a-to-b',
      sequence: 1,
      size: bundle.length,
    });
    const ups: SyncProgress[] = [];
    a.on('progress', (p) => ups.push(p));
    expect(await a.syncOnce()).toMatchObject({ state: 'idle', outbox: 0 });
    expect(ups.at(-1)).toMatchObject({ direction: 'upload', transferred: bundle.length });

    const downs: SyncProgress[] = [];
    b.on('progress', (p) => downs.push(p));
    expect(await b.syncOnce()).toMatchObject({ state: 'idle', inbox: 1 });
    expect(downs.at(-1)).toMatchObject({ direction: 'download', total: bundle.length });
    const [item] = await b.inboxItems();
    expect((await readFile(item!.path)).equals(bundle)).toBe(true);
    await b.confirmImported(item!.name);
    expect(await readdir(join(root, 'agency-b', 'acknowledged'))).toEqual(['01HX-a-to-b.tessera']);
    expect(await b.syncOnce()).toMatchObject({ inbox: 0 });
  });
});
