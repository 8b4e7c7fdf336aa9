import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransportSettings } from '../../../shared/exchange/transportConfig.ts';
import { testProtector } from '../bundle/fixtures/testSupport.ts';
import { MASK, TransportSlots, transportKey } from './transportSlots.ts';

let root: string;
let count = 0;
const owner = { protector: testProtector(), agencyId: 'agency-own' };
const known = new Set(['p1', 'p2', 'p3']);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-slots-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function slots(): Promise<{ slots: TransportSlots; file: string; dir: string }> {
  count += 1;
  const dir = path.join(root, `case-${count}`);
  const file = path.join(dir, 'transports.json');
  const made = new TransportSlots({
    file,
    dir: path.join(dir, 'transports'),
    autoSync: false,
    onReceived: () => {},
  });
  await made.open(owner);
  return { slots: made, file, dir };
}

const s3 = (secret: string): Extract<TransportSettings, { kind: 's3' }> => ({
  kind: 's3',
  endpoint: 'http://127.0.0.1:9',
  region: 'us-east-1',
  bucket: 'tessera-test',
  prefix: '',
  accessKeyId: 'AKIDTEST',
  secretAccessKey: secret,
  forcePathStyle: true,
  partSize: 8 * 1024 * 1024,
  concurrency: 3,
  conditionalWrites: true,
  connectTimeoutMs: 5000,
  maxAttempts: 3,
});

describe('TransportSlots', () => {
  it('gives partners that share a folder one slot, and a partner with file delivery none', async () => {
    const { slots: s } = await slots();
    const shared = await mkdtemp(path.join(root, 'shared-'));
    await s.configure('p1', { kind: 'folder', root: shared }, known);
    await s.configure('p2', { kind: 'folder', root: `${shared}/` }, known);
    await s.configure('p3', { kind: 'file' }, known);
    expect(s.all()).toHaveLength(1);
    expect(s.slotOf('p1')).toBe(s.slotOf('p2'));
    expect([...s.slotOf('p1')!.partners].sort()).toEqual(['p1', 'p2']);
    expect(s.slotOf('p3')).toBeUndefined();
    expect(s.configOf('p3')).toBeUndefined();
    expect(s.byKey(transportKey({ kind: 'folder', root: shared }))).toBe(s.slotOf('p1'));
    // A partner no longer known loses its slot at the next rebuild.
    await s.rebuild(new Set(['p2']));
    expect(s.slotOf('p1')).toBeUndefined();
    expect(s.slotOf('p2')).toBeDefined();
    await s.close();
    expect(s.all()).toEqual([]);
  });

  it('keeps settings encrypted on disk and reads them back on open', async () => {
    const { slots: s, file, dir } = await slots();
    await s.configure('p1', s3('the-real-secret'), known);
    expect(await readFile(file, 'utf8')).not.toContain('the-real-secret');
    await s.close();
    const again = new TransportSlots({
      file,
      dir: path.join(dir, 'transports'),
      autoSync: false,
      onReceived: () => {},
    });
    await again.open(owner);
    expect(again.configOf('p1')).toMatchObject({ kind: 's3', secretAccessKey: 'the-real-secret' });
    await again.close();
  });

  it('keeps the stored S3 secret when the masked one comes back, refuses a missing one', async () => {
    const { slots: s } = await slots();
    await expect(s.configure('p1', s3(MASK), known)).rejects.toMatchObject({
      code: 'invalid-transport',
    });
    await s.configure('p1', s3('the-real-secret'), known);
    await s.configure('p1', { ...s3(MASK), bucket: 'tessera-other' }, known);
    expect(s.configOf('p1')).toMatchObject({
      bucket: 'tessera-other',
      secretAccessKey: 'the-real-secret',
    });
    await expect(
      s.configure('p1', { ...s3('x'), bucket: 'NO' } as TransportSettings, known),
    ).rejects.toMatchObject({ code: 'invalid-transport' });
    await s.close();
  });

  it('moves a partner’s queued bundles to its new transport, and drops them on removal', async () => {
    const { slots: s } = await slots();
    const first = await mkdtemp(path.join(root, 'first-'));
    const second = await mkdtemp(path.join(root, 'second-'));
    await s.configure('p1', { kind: 'folder', root: first }, known);
    const bundle = path.join(root, 'b.tessera');
    await writeFile(bundle, 'ciphertext');
    await s.slotOf('p1')!.sync.enqueue(bundle, {
      partner: 'p1',
      bundleId: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
      sequence: 1,
      name: '01HZZZZZZZZZZZZZZZZZZZZZZZ.tessera',
    });
    await s.configure('p1', { kind: 'folder', root: second }, known);
    const moved = await s.slotOf('p1')!.sync.outboxItems();
    expect(moved.map((i) => i.name)).toEqual(['01HZZZZZZZZZZZZZZZZZZZZZZZ.tessera']);
    await s.remove('p1', new Set(['p2']));
    expect(s.configOf('p1')).toBeUndefined();
    expect(s.all()).toEqual([]);
    await s.close();
  });

  it('refuses changes while locked', async () => {
    const locked = new TransportSlots({
      file: path.join(root, 'locked.json'),
      dir: path.join(root, 'locked'),
      onReceived: () => {},
    });
    await expect(locked.configure('p1', { kind: 'file' }, known)).rejects.toMatchObject({
      code: 'no-identity',
    });
  });
});
