import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgency } from '../bundle/fixtures/testSupport.ts';
import { ed25519Sign } from '../identity/keys.ts';
import { SignedLog } from './signedLog.ts';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-signed-log-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('SignedLog', () => {
  it('appends signed entries, lists the newest first and verifies against the card', async () => {
    const { identity } = await makeAgency(root, 'Logging Agency');
    const file = path.join(root, 'exchange.log');
    const log = new SignedLog(file, (m) => ed25519Sign(identity.secrets.signingSeed, m));
    expect(await log.verify(null)).toMatchObject({ ok: false, problems: ['no agency identity'] });
    for (const status of ['applied', 'rejected']) {
      await log.append([
        {
          type: 'receipt-sent',
          data: { bundleId: '01HZZZZZZZZZZZZZZZZZZZZZZZ', partnerId: 'them', status },
        },
      ]);
    }
    const listed = await log.list(10);
    const receipts = listed.entries.filter((e) => e.type === 'receipt-sent');
    expect(receipts.map((e) => e.data['status'])).toEqual(['rejected', 'applied']);
    expect((await log.list(1)).entries).toHaveLength(1);
    expect(await log.verify(identity.card)).toMatchObject({ ok: true, problems: [] });

    // An edited line is caught.
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"rejected"', '"applied"'));
    expect((await new SignedLog(file, () => new Uint8Array()).verify(identity.card)).ok).toBe(
      false,
    );
  });

  it('refuses to append while the identity is locked', async () => {
    const log = new SignedLog(path.join(root, 'locked.log'), () => {
      throw Object.assign(new Error('locked'), { code: 'no-identity' });
    });
    await expect(
      log.append([
        { type: 'receipt-sent', data: { bundleId: 'b', partnerId: 'p', status: 'applied' } },
      ]),
    ).rejects.toMatchObject({ code: 'no-identity' });
  });
});
