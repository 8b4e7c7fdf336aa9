import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCaseFile } from '../../../shared/caseFile.ts';

const repo = path.resolve(import.meta.dirname, '../../..');
const env = {
  ...process.env,
  TESSERA_PASSPHRASE: 'cli test passphrase',
};
let root: string;

function tessera(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(repo, 'bin/tessera.mjs'), ...args], {
    env,
    encoding: 'utf8',
    cwd: root,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const markings = {
  classification: 'UNCLASSIFIED',
  tlp: 'AMBER',
  releasableTo: [],
  referToOriginator: false,
};
const hlc = '0018f2a3b4c5d-0000-a';
function fixture(): string {
  const content = Buffer.from('surveillance photo bytes');
  const base = {
    updatedAt: hlc,
    createdAt: hlc,
    deleted: false,
    originAgency: 'agency-a',
    markings,
  };
  return JSON.stringify({
    format: 'tessera.case',
    version: 1,
    exportedAt: '2024-05-01T10:00:00.000Z',
    exportedBy: 'agency-a',
    case: {
      ...base,
      id: 'case-1',
      kind: 'case',
      reference: 'A/2024/1',
      title: 'Fixture case',
      status: 'open',
      leadInvestigator: 'Insp. A',
      crimeAreas: [],
      jurisdictions: ['nl'],
      openedOn: '2024-05-01',
    },
    entities: [],
    notes: [],
    attachments: [
      {
        ...base,
        id: 'att-1',
        kind: 'attachment',
        caseId: 'case-1',
        fileName: 'photo.jpg',
        mediaType: 'image/jpeg',
        size: content.length,
        sha256: crypto.createHash('sha256').update(content).digest('hex'),
        provenance: {
          source: 'x',
          originAgency: 'agency-a',
          recordedBy: 'y',
          recordedAt: '2024-05-01',
        },
        contentBase64: content.toString('base64'),
      },
    ],
    notices: [],
    charts: [],
  });
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-cli-bundle-'));
  for (const [name, dir] of [
    ['Agency A', 'a'],
    ['Agency B', 'b'],
    ['Agency C', 'c'],
  ] as const) {
    const result = tessera('identity', 'create', '--name', name, '--dir', dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/fingerprint words: (\w+ ){15}\w+/);
  }
  await fs.writeFile(path.join(root, 'CASE.json'), fixture());
}, 120_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('tessera identity and bundle', () => {
  it('seals, verifies, opens; age decrypts with the exported key', async () => {
    const seal = tessera(
      'bundle',
      'seal',
      '--dir',
      'a',
      '--to',
      'b/identity.json',
      '--in',
      'CASE.json',
      '--out',
      'x.tsb',
    );
    expect(seal.stderr).toBe('');
    expect(seal.code).toBe(0);
    const verify = tessera('bundle', 'verify', '--from', 'a/identity.json', 'x.tsb');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^authentic/);
    const open = tessera(
      'bundle',
      'open',
      '--dir',
      'b',
      '--from',
      'a/identity.json',
      'x.tsb',
      '--out',
      'OUT.json',
    );
    expect(open.stderr).toBe('');
    expect(open.code).toBe(0);
    const reopened = parseCaseFile(await fs.readFile(path.join(root, 'OUT.json'), 'utf8'));
    expect(reopened).toEqual(parseCaseFile(fixture()));
    const key = tessera('identity', 'export-age-key', '--dir', 'b');
    expect(key.stdout).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+\n$/);
    await fs.writeFile(path.join(root, 'b.key'), key.stdout);
    const age = spawnSync('age', ['-d', '-i', path.join(root, 'b.key'), path.join(root, 'x.tsb')]);
    expect(age.status).toBe(0);
  });

  it('fails cleanly, with no output file: wrong sender, other agency, tampering, wrong passphrase', async () => {
    tessera(
      'bundle',
      'seal',
      '--dir',
      'a',
      '--to',
      'b/identity.json',
      '--in',
      'CASE.json',
      '--out',
      'y.tsb',
    );
    const wrongSender = tessera('bundle', 'verify', '--from', 'c/identity.json', 'y.tsb');
    expect(wrongSender.code).not.toBe(0);
    expect(wrongSender.stderr).toMatch(/unknown key/);
    const other = tessera(
      'bundle',
      'open',
      '--dir',
      'c',
      '--from',
      'a/identity.json',
      'y.tsb',
      '--out',
      'C.json',
    );
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/not addressed to Agency C/);
    const bytes = await fs.readFile(path.join(root, 'y.tsb'));
    bytes[bytes.length - 100] ^= 0x40;
    await fs.writeFile(path.join(root, 'z.tsb'), bytes);
    expect(tessera('bundle', 'verify', '--from', 'a/identity.json', 'z.tsb').code).not.toBe(0);
    const tampered = tessera(
      'bundle',
      'open',
      '--dir',
      'b',
      '--from',
      'a/identity.json',
      'z.tsb',
      '--out',
      'Z.json',
    );
    expect(tampered.code).not.toBe(0);
    expect(tampered.stderr).toMatch(/tessera bundle: /);
    env.TESSERA_PASSPHRASE = 'not the passphrase';
    const wrong = tessera(
      'bundle',
      'open',
      '--dir',
      'b',
      '--from',
      'a/identity.json',
      'y.tsb',
      '--out',
      'W.json',
    );
    env.TESSERA_PASSPHRASE = 'cli test passphrase';
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/wrong passphrase/);
    for (const name of ['C.json', 'Z.json', 'W.json'])
      expect(existsSync(path.join(root, name))).toBe(false);
    expect(
      readdirSync(root).filter((n) => n.includes('.tmp-') || n.startsWith('.tessera-open-')),
    ).toEqual([]);
  });

  it('seals the demo case when `tessera case demo` is available', async () => {
    const demo = tessera('case', 'demo', '--out', 'DEMO.json');
    if (demo.code !== 0) return;
    expect(
      tessera(
        'bundle',
        'seal',
        '--dir',
        'a',
        '--to',
        'b/identity.json',
        '--in',
        'DEMO.json',
        '--out',
        'd.tsb',
      ).code,
    ).toBe(0);
    const open = tessera(
      'bundle',
      'open',
      '--dir',
      'b',
      '--from',
      'a/identity.json',
      'd.tsb',
      '--out',
      'DEMO2.json',
    );
    expect(open.stderr).toBe('');
    expect(parseCaseFile(await fs.readFile(path.join(root, 'DEMO2.json'), 'utf8'))).toEqual(
      parseCaseFile(await fs.readFile(path.join(root, 'DEMO.json'), 'utf8')),
    );
  });
});
