/**
 * Test helpers (not used by the app): agencies with their own data directory and services, called
 * through the contract's schemas as the carriers do; pairing with confirmed fingerprints,
 * agreements and a shared folder; a demo case releasable to a partner; a scan of a directory for a
 * canary in the encodings a leak could take.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/contract/index.ts';
import { contract } from '../../../shared/contract/index.ts';
import type { ServiceHandlers } from '../../../shared/contract/index.ts';
import type { CaseFile } from '../../../shared/caseFile.ts';
import { DATA_CATEGORIES, type SharingAgreement } from '../../../shared/exchange/agreement.ts';
import { createDemoCase } from '../../../shared/demo/demoCase.ts';
import { exportsFolderChooser } from '../files/filesService.ts';
import {
  createServiceHandlers,
  createServices,
  type Services,
  type ServicesOptions,
} from '../handlers.ts';
import type { ContractCall } from '../transfer/testSupport.ts';

export interface TestAgency {
  readonly id: string;
  readonly dir: string;
  readonly passphrase: string;
  readonly services: Services;
  readonly call: ContractCall;
}

/**
 * Services on a data directory (automatic sync off, cheap scrypt), and a `call` that parses input
 * and output with the contract's schemas. `passphrase`: the web host's TESSERA_PASSPHRASE.
 */
export function connectServices(
  dir: string,
  options: { passphrase?: string; extra?: Partial<ServicesOptions> } = {},
): { services: Services; call: ContractCall } {
  const services = createServices({
    name: 'Tessera',
    version: 'test',
    carrier: 'web',
    platform: process.platform,
    dataDir: dir,
    chooseSavePath: exportsFolderChooser(dir),
    ...options.extra,
    exchange: {
      autoSync: false,
      scryptParams: { logN: 10, r: 8, p: 1 },
      ...(options.passphrase ? { passphrase: options.passphrase } : {}),
    },
  });
  const handlers = createServiceHandlers(services);
  const call = async <M extends MethodName>(
    method: M,
    input: MethodInput<M>,
  ): Promise<MethodOutput<M>> => {
    const parsed = contract[method].input.parse(input) as Parameters<ServiceHandlers[M]>[0];
    const output = await (handlers[method] as (i: unknown) => Promise<unknown>)(parsed);
    return contract[method].output.parse(output) as MethodOutput<M>;
  };
  return { services, call };
}

/** A new agency (identity created, unlocked) in a fresh folder under `root`. */
export async function testAgency(
  root: string,
  id: string,
  extra: Partial<ServicesOptions> = {},
): Promise<TestAgency> {
  const dir = await mkdtemp(path.join(root, `${id}-`));
  const { services, call } = connectServices(dir, { extra });
  const passphrase = `secret of ${id}`;
  await call('exchange.identity.create', { agencyName: `Agency ${id}`, agencyId: id, passphrase });
  return { id, dir, passphrase, services, call };
}

export function testAgreement(partner: string): SharingAgreement {
  return {
    partnerAgencyId: partner,
    legalBasis: 'MOU test 2024/1',
    crimeAreas: ['trafficking in human beings', 'labour exploitation', 'money laundering'],
    highestClassification: 'SECRET',
    categories: [...DATA_CATEGORIES],
    retentionDays: 365,
    validFrom: '2020-01-01',
  };
}

/** `self` pins `other`'s card, confirms its fingerprint and sets an agreement with it. */
export async function trustPartner(self: TestAgency, other: TestAgency): Promise<void> {
  const card = await other.call('exchange.identity.card', {});
  await self.call('exchange.partners.import', { cardJson: card.cardJson });
  await self.call('exchange.partners.confirm', {
    agencyId: other.id,
    fingerprint: card.summary.fingerprintHex,
  });
  await self.call('exchange.partners.setAgreement', {
    agencyId: other.id,
    agreement: testAgreement(other.id),
  });
}

/** Trust both ways; both use the shared folder as transport when one is given. */
export async function pairAgencies(a: TestAgency, b: TestAgency, shared?: string): Promise<void> {
  await trustPartner(a, b);
  await trustPartner(b, a);
  if (shared) {
    for (const [self, other] of [
      [a, b],
      [b, a],
    ] as const) {
      await self.call('exchange.transport.configure', {
        agencyId: other.id,
        config: { kind: 'folder', root: shared },
      });
    }
  }
}

/** The demo case of `owner`, all of it releasable to `partner`. */
export function releasableCase(owner: string, partner: string): CaseFile {
  const demo = createDemoCase({ agencyId: owner, now: new Date('2024-05-01T10:00:00Z') });
  const mark = <T extends { markings: CaseFile['case']['markings'] }>(record: T): T => ({
    ...record,
    markings: { ...record.markings, releasableTo: [partner] },
  });
  return {
    ...demo,
    case: mark(demo.case),
    entities: demo.entities.map(mark),
    notes: demo.notes.map(mark),
    attachments: demo.attachments.map(mark),
    notices: demo.notices.map(mark),
    charts: demo.charts.map(mark),
  };
}

export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/**
 * Every file under `dir` whose name, or whose bytes in UTF-8, Latin-1 or UTF-16LE, hold `canary`
 * (as `path (how)`).
 */
export async function canaryHits(dir: string, canary: string): Promise<string[]> {
  const forms: [string, Buffer][] = [
    ['utf8', Buffer.from(canary, 'utf8')],
    ['latin1', Buffer.from(canary, 'latin1')],
    ['utf16le', Buffer.from(canary, 'utf16le')],
  ];
  const hits: string[] = [];
  for (const file of await filesUnder(dir)) {
    if (path.relative(dir, file).includes(canary)) hits.push(`${file} (name)`);
    const bytes = await readFile(file);
    for (const [how, needle] of forms) if (bytes.includes(needle)) hits.push(`${file} (${how})`);
  }
  return hits;
}
