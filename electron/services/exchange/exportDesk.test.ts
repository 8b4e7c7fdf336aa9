/**
 * The export desk (exportDesk.ts) through the service that composes it: coded refusals before
 * anything is sealed, and sealed files named by ids only.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { downloadBytes } from '../transfer/fixtures/testSupport.ts';
import { agencyPair, releasableCase, type TestAgency } from './fixtures/testSupport.ts';

const agencies = agencyPair('exp');
let a: TestAgency;
let b: TestAgency;

beforeAll(() => {
  ({ a, b } = agencies);
});

describe('ExportDesk', () => {
  it('previews without sealing, and names what keeps a partner from receiving', async () => {
    const file = releasableCase(a.id, b.id);
    const preview = await a.call('exchange.export.preview', {
      partnerIds: [b.id, 'exp-nobody'],
      caseFile: file,
    });
    expect(preview.partners[0]).toMatchObject({ ready: true, nextSequence: 1, fullSnapshot: true });
    expect(preview.partners[1]).toMatchObject({
      ready: false,
      problems: ['exp-nobody is not in the partner directory'],
    });
    expect((await a.call('exchange.log.list', { limit: 10 })).total).toBe(0);
  });

  it('refuses by code before sealing anything', async () => {
    const file = releasableCase(a.id, b.id);
    await expect(
      a.call('exchange.export.seal', {
        partnerIds: [b.id, 'exp-nobody'],
        caseFile: file,
        delivery: 'file',
      }),
    ).rejects.toMatchObject({ code: 'partner-not-ready' });
    await expect(
      a.call('exchange.export.seal', { partnerIds: [b.id], caseFile: file, delivery: 'transport' }),
    ).rejects.toMatchObject({ code: 'no-transport' });
    const wrong = {
      ...file,
      attachments: file.attachments.map((x) => ({ ...x, contentBase64: 'AAAA' })),
    };
    await expect(
      a.call('exchange.export.seal', { partnerIds: [b.id], caseFile: wrong, delivery: 'file' }),
    ).rejects.toMatchObject({ code: 'attachment-mismatch' });
    expect((await a.call('exchange.partners.list', {})).partners[0]!.cases).toEqual([]);
  });

  it('keeps a sealed bundle under exports, named by ids, to download or save', async () => {
    const file = releasableCase(a.id, b.id);
    const { bundles } = await a.call('exchange.export.seal', {
      partnerIds: [b.id],
      caseFile: { ...file, case: { ...file.case, reference: 'OP SECRET NAME' } },
      delivery: 'file',
    });
    const bundle = bundles[0]!;
    expect(bundle.fileName).toBe(`${file.case.id}-${b.id}-1-${bundle.bundleId}.tessera`);
    expect(bundle.exportRef).toEqual({ kind: 'export', name: bundle.fileName });
    const downloaded = await downloadBytes(a.call, bundle.exportRef!);
    expect(downloaded.bytes.length).toBe(bundle.size);
    // The web host's chooser saves beside it under a new name; the copy is the same bytes.
    const saved = (await a.call('exchange.export.save', { exportRef: bundle.exportRef! })).path!;
    expect(saved).not.toBe(bundle.path);
    expect((await readFile(saved)).equals(downloaded.bytes)).toBe(true);
    const gone = { kind: 'export', name: 'gone.tessera' } as const;
    await expect(a.call('exchange.export.save', { exportRef: gone })).rejects.toMatchObject({
      code: 'unknown-export',
    });
    await expect(downloadBytes(a.call, gone)).rejects.toMatchObject({ code: 'unknown-export' });
  });
});
