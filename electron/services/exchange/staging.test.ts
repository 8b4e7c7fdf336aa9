/**
 * Issue 8, findings 9 and 10 in the exchange service: a received bundle waiting for review is held
 * only encrypted (scratch space, key in memory), a restart re-opens it from the still-encrypted
 * bundle, a completed one stays refused as a replay; and the passphrase floor on creation.
 */
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/contract/index.ts';
import { bundleRefKey } from '../../../shared/contract/index.ts';
import type { CaseFile } from '../../../shared/caseFile.ts';
import { testProtector } from '../bundle/fixtures/testSupport.ts';
import type { Services } from '../handlers.ts';
import { IdentityError } from '../identity/cards.ts';
import { IdentityStore } from '../identity/store.ts';
import { downloadBytes, uploadBytes } from '../transfer/fixtures/testSupport.ts';
import {
  canaryHits,
  connectServices,
  filesUnder,
  pairAgencies,
  releasableCase,
  testAgency,
  type TestAgency,
} from './fixtures/testSupport.ts';

const CANARY = `CANARY-${crypto.randomBytes(8).toString('hex')}`;

interface Agency {
  readonly id: string;
  readonly dir: string;
  services: Services;
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
}

let root: string;
const open: Services[] = [];

function connect(dir: string, passphrase?: string): Omit<Agency, 'id' | 'dir'> {
  const connected = connectServices(dir, passphrase ? { passphrase } : {});
  open.push(connected.services);
  return connected;
}

async function agency(id: string): Promise<TestAgency> {
  const created = await testAgency(root, id);
  open.push(created.services);
  return created;
}

/** The demo case, all of it releasable to `partner`, each attachment's bytes full of the canary. */
function canaryCase(owner: string, partner: string): CaseFile {
  const file = releasableCase(owner, partner);
  const bytes = Buffer.from(`${CANARY} `.repeat(5000));
  return {
    ...file,
    attachments: file.attachments.map((record) => ({
      ...record,
      size: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      contentBase64: bytes.toString('base64'),
    })),
  };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-staging-'));
});

afterAll(async () => {
  for (const services of open) await services.exchange.close();
  await rm(root, { recursive: true, force: true });
});

describe('staged imports are encrypted at rest (finding 9)', () => {
  it('holds nothing readable on disk, re-opens after a restart, refuses a completed one', async () => {
    const a = await agency('stage-a');
    const b = await agency('stage-b');
    const shared = await mkdtemp(path.join(root, 'shared-'));
    await pairAgencies(a, b, shared);
    await a.call('exchange.export.seal', {
      partnerIds: [b.id],
      caseFile: canaryCase(a.id, b.id),
      delivery: 'transport',
    });
    await a.call('exchange.sync.now', {});
    await b.call('exchange.sync.now', {});
    const item = (await b.call('exchange.import.list', {})).items[0]!;
    const staged = await b.call('exchange.import.open', { bundleRef: item.bundleRef });
    expect(staged.attachments.length).toBeGreaterThan(0);
    const part = staged.attachments[0]!;
    const content = await downloadBytes((method, input) => b.call(method, input), {
      kind: 'staged-attachment',
      bundleRef: item.bundleRef,
      name: part.name,
    });
    // The canary did arrive, decrypted, to the service ...
    expect(content.bytes.toString('utf8')).toContain(CANARY);
    expect((await b.call('exchange.import.list', {})).items[0]!.state).toBe('staged');
    // ... and is nowhere on disk in the clear; the staging files are 0600 in a 0700 folder.
    expect(await canaryHits(b.dir, CANARY)).toEqual([]);
    const scratchRoot = path.join(b.dir, 'exchange', 'scratch');
    const held = await filesUnder(scratchRoot);
    expect(held.length).toBeGreaterThan(staged.attachments.length);
    for (const file of held) {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    }
    const replayCopy = path.join(root, 'bundle-copy');
    const transports = path.join(b.dir, 'exchange', 'transports');
    for (const key of await readdir(transports)) {
      const file = path.join(transports, key, 'inbox', item.fileName);
      if (existsSync(file)) await writeFile(replayCopy, await readFile(file));
    }

    // What a killed process and a pre-issue-8 version left: swept at the next start.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const deadScratch = path.join(scratchRoot, `.tessera-scratch-${dead}-0123456789ab`);
    await mkdir(deadScratch, { recursive: true });
    await writeFile(path.join(deadScratch, 'leftover'), 'ciphertext of a dead process');
    const legacy = path.join(b.dir, 'exchange', 'staging', bundleRefKey(item.bundleRef));
    await mkdir(legacy, { recursive: true });
    await writeFile(path.join(legacy, 'staged.json'), `{"note":"${CANARY}"}`);

    // Restart: a new service on the same data directory.
    await b.services.exchange.close();
    expect(
      await filesUnder(scratchRoot).then((f) => f.filter((x) => !x.startsWith(deadScratch))),
    ).toEqual([]);
    const restarted: Agency = { id: b.id, dir: b.dir, ...connect(b.dir) };
    await restarted.call('exchange.identity.unlock', { passphrase: `secret of ${b.id}` });
    const listed = (await restarted.call('exchange.import.list', {})).items;
    expect(listed.map((i) => [i.bundleRef, i.state])).toEqual([[item.bundleRef, 'pending']]);
    expect(existsSync(deadScratch)).toBe(false);
    expect(existsSync(path.join(b.dir, 'exchange', 'staging'))).toBe(false);
    const again = await restarted.call('exchange.import.open', { bundleRef: item.bundleRef });
    expect(again).toEqual(staged);
    expect(await canaryHits(b.dir, CANARY)).toEqual([]);

    const ids = again.operations.map((op) => (op.op === 'create' ? op.record.id : op.recordId));
    await restarted.call('exchange.import.complete', {
      bundleRef: item.bundleRef,
      acceptedIds: ids,
      rejectedIds: [],
    });
    expect(await filesUnder(path.join(b.dir, 'exchange', 'scratch'))).toEqual([]);
    const handed = await restarted.call('exchange.import.fromFile', {
      ref: await uploadBytes(
        (method, input) => restarted.call(method, input),
        await readFile(replayCopy),
        'bundle-import',
        'again.tessera',
      ),
    });
    await expect(
      restarted.call('exchange.import.open', { bundleRef: handed.bundleRef! }),
    ).rejects.toThrow(/replay/);
  });
});

describe('the passphrase floor in the service (finding 10)', () => {
  it('refuses a weak passphrase when creating an identity', async () => {
    const dir = await mkdtemp(path.join(root, 'weak-'));
    const { call } = connect(dir);
    for (const passphrase of ['x', 'password1234']) {
      const error = await call('exchange.identity.create', {
        agencyName: 'Agency W',
        agencyId: 'agency-w',
        passphrase,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdentityError);
      expect((error as IdentityError).code).toBe('weak-passphrase');
    }
    expect((await call('exchange.status', {})).identity.present).toBe(false);
  });

  it('a weak TESSERA_PASSPHRASE cannot create an identity but still unlocks an existing one', async () => {
    const fresh = await mkdtemp(path.join(root, 'web-new-'));
    const web = connect(fresh, 'short');
    await expect(
      web.call('exchange.identity.create', { agencyName: 'Agency W', agencyId: 'agency-w' }),
    ).rejects.toThrow(/too weak/);

    const existing = await mkdtemp(path.join(root, 'web-old-'));
    await new IdentityStore(
      path.join(existing, 'exchange', 'identity'),
      testProtector('short'),
    ).create({ agencyName: 'Agency Old', agencyId: 'agency-old' });
    const old = connect(existing, 'short');
    expect((await old.call('exchange.status', {})).identity.unlocked).toBe(true);
  });
});
