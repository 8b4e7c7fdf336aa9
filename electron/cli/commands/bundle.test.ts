/**
 * The `tessera` command line, spawned as a user would run it: identities, sealing under the release
 * policy (findings 2 and 3 of issue 8), opening without overwriting or replaying, and the README's own
 * commands checked with Debian's `age` tool on the decrypted bytes.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaseFile, parseCaseFile } from '../../../shared/caseFile.ts';
import { markedReleasableTo } from './testSupport.ts';
import { DATA_CATEGORIES } from '../../../shared/exchange/agreement.ts';
import { POLICY_VERSION } from '../../../shared/exchange/policy.ts';
import { parseIdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { sealBundle } from '../../services/bundle/index.ts';
import { IdentityStore, PassphraseProtector } from '../../services/identity/index.ts';

const repo = path.resolve(import.meta.dirname, '../../..');
const env = {
  ...process.env,
  TESSERA_PASSPHRASE: 'cli test: quartz lantern meadow 7 harbour',
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
  releasableTo: ['agency-b'],
  referToOriginator: false,
};
/** The agreement of agency A with agency B (and C): every category, up to SECRET. */
function agreement(partner: string) {
  return {
    partnerAgencyId: partner,
    legalBasis: 'MOU A-B 2024/1 (test)',
    crimeAreas: ['trafficking in human beings', 'labour exploitation', 'money laundering', 'fraud'],
    highestClassification: 'SECRET',
    categories: [...DATA_CATEGORIES],
    retentionDays: 365,
    validFrom: '2020-01-01',
  };
}
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
      crimeAreas: ['fraud'],
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
  await fs.writeFile(path.join(root, 'ab.json'), JSON.stringify(agreement('agency-b')));
  await fs.writeFile(path.join(root, 'ac.json'), JSON.stringify(agreement('agency-c')));
  const key = tessera('identity', 'export-age-key', '--dir', 'b');
  await fs.writeFile(path.join(root, 'b.key'), key.stdout);
}, 240_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** The records of a case file, without the export stamp (which names the sender and the time). */
function recordsOf(file: CaseFile) {
  const { exportedAt: _at, exportedBy: _by, ...records } = file;
  return records;
}

/** Decrypts a bundle with Debian's `age` and B's exported key: every byte a partner would read. */
function ageDecrypt(bundle: string): string {
  const age = spawnSync('age', ['-d', '-i', path.join(root, 'b.key'), path.join(root, bundle)]);
  expect(age.status).toBe(0);
  return age.stdout.toString('latin1');
}

/**
 * `bundle seal` run from A's identity folder to the card `to`, under `agreement` (left out when
 * undefined, to see the refusal), with any further flags after the usual ones.
 */
function sealFromA(
  to: string,
  agreement: string | undefined,
  input: string,
  out: string,
  ...extra: string[]
) {
  const agreementArgs = agreement === undefined ? [] : ['--agreement', agreement];
  return tessera(
    'bundle',
    'seal',
    '--dir',
    'a',
    '--to',
    to,
    ...agreementArgs,
    '--in',
    input,
    '--out',
    out,
    ...extra,
  );
}

function sealAB(input: string, out: string, ...extra: string[]) {
  return sealFromA('b/identity.json', 'ab.json', input, out, ...extra);
}

function openB(bundle: string, out: string, ...extra: string[]) {
  return tessera(
    'bundle',
    'open',
    '--dir',
    'b',
    '--from',
    'a/identity.json',
    bundle,
    '--out',
    out,
    ...extra,
  );
}

// Each test spawns the CLI several times (tsx start-up, scrypt): minutes on a loaded machine.
describe('tessera identity and bundle', { timeout: 240_000 }, () => {
  it('seals under the policy, verifies, opens; age decrypts with the exported key', async () => {
    const seal = sealAB('CASE.json', 'x.tsb');
    expect(seal.stderr).toBe('');
    expect(seal.code).toBe(0);
    expect(seal.stdout).toMatch(
      /for Agency B \(agency-b\), number 1: 2 records released, 0 withheld/,
    );
    const verify = tessera('bundle', 'verify', '--from', 'a/identity.json', 'x.tsb');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^authentic/);
    const open = openB('x.tsb', 'OUT.json');
    expect(open.stderr).toBe('');
    expect(open.code).toBe(0);
    const reopened = parseCaseFile(await fs.readFile(path.join(root, 'OUT.json'), 'utf8'));
    expect(recordsOf(reopened)).toEqual(recordsOf(parseCaseFile(fixture())));
    expect(reopened.exportedBy).toBe('agency-a');
    const plain = ageDecrypt('x.tsb');
    expect(plain).toContain(`"policyVersion":"${POLICY_VERSION}"`);
    expect(plain).toContain('"format":"tessera.operations"');
    // The chain to B is kept beside A's identity: the next bundle is number 2 and names this one.
    const again = sealAB('CASE.json', 'x2.tsb');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/number 2: /);
    const digest = /bundle digest: ([0-9a-f]{64})/.exec(seal.stdout)![1]!;
    expect(ageDecrypt('x2.tsb')).toContain(`"previousBundleDigest":"${digest}"`);
  });

  it('refuses to seal without a policy: --policy-version, --sequence, a card without agreement', () => {
    const old = sealAB('CASE.json', 'n.tsb', '--policy-version', 'none');
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/--policy-version is no longer accepted/);
    const noAgreement = sealFromA('b/identity.json', undefined, 'CASE.json', 'n.tsb');
    expect(noAgreement.code).toBe(2);
    expect(noAgreement.stderr).toMatch(/needs its --agreement/);
    const wrongAgreement = sealFromA('b/identity.json', 'ac.json', 'CASE.json', 'n.tsb');
    expect(wrongAgreement.code).toBe(2);
    expect(wrongAgreement.stderr).toMatch(/agreement with agency-c, not with agency-b/);
    const sequence = sealAB('CASE.json', 'n.tsb', '--sequence', '7');
    expect(sequence.code).toBe(2);
    // Nothing releasable to C: the case is withheld, nothing is sealed.
    const toC = sealFromA('c/identity.json', 'ac.json', 'CASE.json', 'n.tsb');
    expect(toC.code).toBe(1);
    expect(toC.stderr).toMatch(/nothing sealed: the case itself may not go to agency-c/);
    expect(existsSync(path.join(root, 'n.tsb'))).toBe(false);
  });

  it('fails cleanly, with no output file: wrong sender, other agency, tampering, wrong passphrase', async () => {
    expect(sealAB('CASE.json', 'y.tsb').code).toBe(0);
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
    const tampered = openB('z.tsb', 'Z.json');
    expect(tampered.code).not.toBe(0);
    expect(tampered.stderr).toMatch(/tessera bundle: /);
    const passphrase = env.TESSERA_PASSPHRASE;
    env.TESSERA_PASSPHRASE = 'not the passphrase at all, sorry';
    const wrong = openB('y.tsb', 'W.json');
    env.TESSERA_PASSPHRASE = passphrase;
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/wrong passphrase/);
    for (const name of ['C.json', 'Z.json', 'W.json'])
      expect(existsSync(path.join(root, name))).toBe(false);
    expect(
      readdirSync(root).filter(
        (n) => n.includes('.tmp-') || n.includes('.partial') || n.startsWith('.tessera-open-'),
      ),
    ).toEqual([]);
  });

  it('open never replaces --out without --force, and refuses a replayed bundle', async () => {
    expect(sealAB('CASE.json', 'r.tsb').code).toBe(0);
    await fs.writeFile(path.join(root, 'KEEP.json'), 'precious');
    const refused = openB('r.tsb', 'KEEP.json');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/KEEP\.json exists: nothing opened \(--force replaces it\)/);
    expect(await fs.readFile(path.join(root, 'KEEP.json'), 'utf8')).toBe('precious');

    expect(openB('r.tsb', 'R1.json').code).toBe(0);
    const opened = JSON.parse(
      await fs.readFile(path.join(root, 'b', 'opened-bundles.json'), 'utf8'),
    ) as { bundles: { sender: string }[] };
    expect(opened.bundles.map((b) => b.sender)).toContain('agency-a');
    const replay = openB('r.tsb', 'R2.json');
    expect(replay.code).not.toBe(0);
    expect(replay.stderr).toMatch(/already received \(replayed\): nothing opened/);
    expect(existsSync(path.join(root, 'R2.json'))).toBe(false);

    const forced = openB('r.tsb', 'KEEP.json', '--force');
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(
      recordsOf(parseCaseFile(await fs.readFile(path.join(root, 'KEEP.json'), 'utf8'))),
    ).toEqual(recordsOf(parseCaseFile(fixture())));
    expect((await fs.stat(path.join(root, 'KEEP.json'))).mode & 0o777).toBe(0o600);
  });

  it("the README's own commands no longer deliver the demo's CONFIDENTIAL / TLP:RED victims", async () => {
    // Exactly the README: `case demo`, two `identity create` (beforeAll), `bundle seal`, plus the
    // agreement that sealing now needs. Nothing in the demo is marked releasable to B (and it is a
    // third agency's material), so nothing is sealed.
    const demo = tessera('case', 'demo', '--out', 'DEMO.json');
    expect(demo.code).toBe(0);
    const readme = sealAB('DEMO.json', 'case.tsb');
    expect(readme.code).toBe(1);
    expect(readme.stderr).toMatch(/nothing sealed: the case itself may not go to agency-b/);
    expect(existsSync(path.join(root, 'case.tsb'))).toBe(false);

    // The same demo made by agency A, and every record marked releasable to B by the officer:
    // the victims stay home under TLP:RED, and so does everything about them.
    expect(tessera('case', 'demo', '--agency', 'agency-a', '--out', 'DEMO-A.json').code).toBe(0);
    const file = parseCaseFile(await fs.readFile(path.join(root, 'DEMO-A.json'), 'utf8'));
    const marked = markedReleasableTo(file, 'agency-b');
    await fs.writeFile(path.join(root, 'DEMO-B.json'), JSON.stringify(marked));
    const victims = file.entities.filter((e) =>
      /^Victim V-0\d$/.test(e.properties.name?.[0] ?? ''),
    );
    expect(victims).toHaveLength(4);
    const sealed = sealAB('DEMO-B.json', 'demo.tsb');
    expect(sealed.code).toBe(0);
    for (const victim of victims) {
      expect(sealed.stderr).toContain(
        `withheld from agency-b: entity Person “${victim.properties.name![0]}” (${victim.id}): TLP:RED never leaves the agency`,
      );
    }
    const plain = ageDecrypt('demo.tsb');
    expect(plain).toContain(file.case.id);
    expect(plain).not.toContain('"Victim V-01"');
    for (const victim of victims) {
      expect(plain).not.toContain(victim.id);
      expect(plain).not.toContain(victim.properties.birthDate![0]);
    }
    // B opens a valid case file holding the rest.
    const open = openB('demo.tsb', 'DEMO-OPENED.json');
    expect(open.stderr).toBe('');
    const opened = parseCaseFile(await fs.readFile(path.join(root, 'DEMO-OPENED.json'), 'utf8'));
    expect(opened.case.id).toBe(file.case.id);
    expect(opened.entities.length).toBeGreaterThan(0);
    expect(opened.entities.map((e) => e.id)).not.toContain(victims[0]!.id);
    expect(opened.attachments.length).toBeGreaterThan(0);
  });

  it('seals to a trusted partner of the partner directory (--partner) and refuses others', async () => {
    const card = JSON.parse(
      await fs.readFile(path.join(root, 'b', 'identity.json'), 'utf8'),
    ) as unknown;
    const entry = {
      agencyId: 'agency-b',
      card,
      presentedCard: null,
      state: 'trusted',
      warning: null,
      pinnedAt: '2024-05-01T10:00:00.000Z',
      confirmedAt: '2024-05-01T10:00:00.000Z',
      agreement: agreement('agency-b'),
      revocations: [],
    };
    const folder = await fs.mkdtemp(path.join(root, 'app-'));
    // The app's layout: <data>/exchange/identity beside partners.json.
    await fs.cp(path.join(root, 'a'), path.join(folder, 'identity'), { recursive: true });
    const write = (state: string) =>
      fs.writeFile(
        path.join(folder, 'partners.json'),
        JSON.stringify({ version: 1, partners: [{ ...entry, state }] }),
      );
    const sealTo = () =>
      tessera(
        'bundle',
        'seal',
        '--dir',
        path.join(folder, 'identity'),
        '--partner',
        'agency-b',
        '--in',
        'CASE.json',
        '--out',
        'p.tsb',
      );
    await write('unconfirmed');
    const unconfirmed = sealTo();
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toMatch(/partner agency-b is unconfirmed/);
    await write('trusted');
    const trusted = sealTo();
    expect(trusted.stderr).toBe('');
    expect(trusted.code).toBe(0);
    const states = JSON.parse(await fs.readFile(path.join(folder, 'sync-state.json'), 'utf8')) as {
      states: { sentRecordIds: string[] }[];
    };
    expect(states.states[0].sentRecordIds).toEqual(['att-1', 'case-1']);
    expect(existsSync(path.join(folder, 'exchange.log'))).toBe(true);
  });

  it('still opens a bundle sealed by the former `bundle seal`, whose operations part is a case file', async () => {
    // Sealed here as the former command did (the sealer itself would refuse to: it has no
    // policy-free mode); the parts follow the case file's attachments.
    const identity = await new IdentityStore(
      path.join(root, 'a'),
      new PassphraseProtector(() => env.TESSERA_PASSPHRASE),
    ).unlock();
    const cardB = parseIdentityCard(
      await fs.readFile(path.join(root, 'b', 'identity.json'), 'utf8'),
    );
    const file = parseCaseFile(fixture());
    await sealBundle({
      identity,
      recipients: [cardB],
      manifestFields: { caseId: file.case.id, policyVersion: 'none' },
      operations: Buffer.from(
        JSON.stringify({
          ...file,
          attachments: file.attachments.map((a) => ({ ...a, contentBase64: '' })),
        }),
      ),
      attachments: file.attachments.map((a, i) => ({
        name: `att-${String(i + 1).padStart(6, '0')}`,
        bytes: Buffer.from(a.contentBase64, 'base64'),
      })),
      out: path.join(root, 'legacy.tsb'),
    });
    const open = openB('legacy.tsb', 'LEGACY.json');
    expect(open.stderr).toBe('');
    expect(open.code).toBe(0);
    expect(
      recordsOf(parseCaseFile(await fs.readFile(path.join(root, 'LEGACY.json'), 'utf8'))),
    ).toEqual(recordsOf(file));
  });
});
