/**
 * The one sealing path (ReleaseSealer), end to end with real keys: what a partner decrypts is what
 * the policy releases, a deleted record goes as a bare tombstone only to a partner that held it,
 * attachments are checked as sealed, and nothing is left behind on a refusal.
 */
import crypto from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SharingAgreement } from '../../../shared/exchange/agreement.ts';
import { DATA_CATEGORIES } from '../../../shared/exchange/agreement.ts';
import type { RecordMeta } from '../../../shared/exchange/operations.ts';
import { parseOperations } from '../../../shared/exchange/operations.ts';
import { POLICY_VERSION } from '../../../shared/exchange/policy.ts';
import type { PartnerSyncState } from '../../../shared/exchange/syncState.ts';
import { initialSyncState } from '../../../shared/exchange/syncState.ts';
import { formatHlc } from '../../../shared/model/hlc.ts';
import type { Markings } from '../../../shared/model/markings.ts';
import { DEFAULT_MARKINGS } from '../../../shared/model/markings.ts';
import type { AttachmentRecord, CaseRecord, EntityRecord } from '../../../shared/model/records.ts';
import { openBundle } from '../bundle/index.ts';
import { makeAgency } from '../bundle/fixtures/testSupport.ts';
import type { LogEntryInput } from '../exchangeLog/index.ts';
import type { UnlockedIdentity } from '../identity/index.ts';
import type { IdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import {
  ReleaseSealer,
  ReleaseSealError,
  type SealableAttachment,
  type SealableCase,
  type SyncStateStore,
} from './releaseSealer.ts';

const hlc = (n: number) => formatHlc({ wallMs: 1_700_000_000_000 + n, counter: 0, node: 'a' });
let root: string;
let a: { identity: UnlockedIdentity; card: IdentityCard };
let b: { identity: UnlockedIdentity; card: IdentityCard };
let c: { identity: UnlockedIdentity; card: IdentityCard };

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-sealer-'));
  a = await makeAgency(root, 'Agency A');
  b = await makeAgency(root, 'Agency B');
  c = await makeAgency(root, 'Agency C');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function agreement(partner: string): SharingAgreement {
  return {
    partnerAgencyId: partner,
    legalBasis: 'MOU test',
    crimeAreas: ['fraud'],
    highestClassification: 'SECRET',
    categories: [...DATA_CATEGORIES],
    retentionDays: 30,
    validFrom: '2020-01-01',
  };
}

const marks = (over: Partial<Markings> = {}): Markings => ({
  ...DEFAULT_MARKINGS,
  releasableTo: ['agency-b', 'agency-c'],
  ...over,
});
const base = (id: string, over: Partial<EntityRecord> = {}) => ({
  id,
  updatedAt: hlc(1),
  createdAt: hlc(1),
  deleted: false,
  originAgency: 'agency-a',
  markings: marks(),
  ...over,
});
const provenance = {
  source: 'report',
  originAgency: 'agency-a',
  recordedBy: 'x',
  recordedAt: '2024-01-01',
};

function person(id: string, name: string, over: Partial<EntityRecord> = {}): EntityRecord {
  return {
    ...base(id, over),
    kind: 'entity',
    caseId: 'case-1',
    schema: 'Person',
    properties: { name: [name] },
    provenance,
    grading: { source: 'B', information: '2' },
    ...over,
  } as EntityRecord;
}

function attachment(id: string, content: Buffer, over: Partial<AttachmentRecord> = {}) {
  return {
    ...base(id),
    kind: 'attachment',
    caseId: 'case-1',
    fileName: `${id}.bin`,
    mediaType: 'application/octet-stream',
    size: content.length,
    sha256: crypto.createHash('sha256').update(content).digest('hex'),
    provenance,
    ...over,
  } as AttachmentRecord;
}

const inline = Buffer.from('inline attachment bytes');
const onDisk = Buffer.from('attachment bytes streamed from a file');

function fixture(): SealableCase {
  const caseRecord: CaseRecord = {
    ...base('case-1'),
    kind: 'case',
    reference: 'A/1',
    title: 'Sealer case',
    status: 'open',
    leadInvestigator: 'Insp. A',
    crimeAreas: ['fraud'],
    jurisdictions: ['nl'],
    openedOn: '2024-01-01',
  };
  return {
    case: caseRecord,
    entities: [
      person('p1', 'Ivan Released', {
        properties: { name: ['Ivan Released'], notes: ['CANARY-notes-of-ivan'] },
        propertyMarkings: { notes: marks({ tlp: 'RED' }) },
      }),
      person('p2', 'CANARY-red-person', { markings: marks({ tlp: 'RED' }) }),
      person('p3', 'CANARY-deleted-person', { deleted: true, updatedAt: hlc(5) }),
      {
        ...person('f1', 'link'),
        schema: 'Family',
        properties: { person: ['p1'], relative: ['p2'], relationship: ['CANARY-brother'] },
      },
    ],
    notes: [],
    attachments: [
      { ...attachment('att-1', inline), contentBase64: inline.toString('base64') },
      attachment('att-2', onDisk) as SealableAttachment,
    ],
    notices: [],
    charts: [],
  };
}

function memoryStates(): SyncStateStore & { states: Map<string, PartnerSyncState> } {
  const states = new Map<string, PartnerSyncState>();
  return {
    states,
    load: (partnerId, caseId) =>
      Promise.resolve(states.get(`${partnerId}/${caseId}`) ?? initialSyncState(partnerId, caseId)),
    save: (state) => {
      states.set(`${state.partnerId}/${state.caseId}`, state);
      return Promise.resolve();
    },
  };
}

async function decrypt(file: string, who: { identity: UnlockedIdentity }) {
  const opened = await openBundle(file, who.identity, a.card);
  await opened.dispose();
  return { opened, document: parseOperations(opened.operations.toString('utf8')) };
}

describe('ReleaseSealer', () => {
  it('seals what the policy releases, with released clocks only; a deletion goes bare to who held it', async () => {
    const diskFile = path.join(root, 'att-2.bin');
    await writeFile(diskFile, onDisk);
    const states = memoryStates();
    const log: LogEntryInput[] = [];
    const sealer = new ReleaseSealer({
      identity: a.identity,
      now: () => new Date('2024-06-01T10:00:00Z'),
      syncStates: states,
      appendLog: (entries) => {
        log.push(...entries);
        return Promise.resolve();
      },
    });
    const input = fixture();
    const recordMeta: Record<string, RecordMeta> = {
      p1: { base: hlc(1), clocks: { 'properties.name': hlc(1), 'properties.notes': hlc(2) } },
    };
    const tmpDir = path.join(root, 'private-tmp');
    const out = path.join(root, 'first.tessera');
    const first = await sealer.seal(
      input,
      { card: b.card, agreement: agreement('agency-b') },
      {
        out,
        tmpDir,
        recordMeta,
        attachmentContent: (record) => (record.id === 'att-2' ? { path: diskFile } : undefined),
      },
    );
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect((await stat(tmpDir)).mode & 0o777).toBe(0o700);
    expect(await readdir(tmpDir)).toEqual([]);
    const { opened, document } = await decrypt(out, b);
    expect(opened.manifest.policyVersion).toBe(POLICY_VERSION);
    const text = opened.operations.toString('utf8');
    expect(text).not.toMatch(/CANARY/);
    for (const id of ['p2', 'p3', 'f1']) expect(text).not.toContain(`"${id}"`);
    const created = document.operations.map((op) => (op.op === 'create' ? op.record.id : op.op));
    expect(created.sort()).toEqual(['att-1', 'att-2', 'case-1', 'p1']);
    const p1 = document.operations.find((op) => op.op === 'create' && op.record.id === 'p1');
    expect(p1?.op === 'create' && p1.meta?.clocks).toEqual({ 'properties.name': hlc(1) });
    expect(opened.attachments.map((part) => [part.label, part.size])).toEqual([
      ['att-1', inline.length],
      ['att-2', onDisk.length],
    ]);
    expect(first.sequence).toBe(1);
    const stateB = states.states.get('agency-b/case-1')!;
    expect(stateB.sentRecordIds).toEqual(['att-1', 'att-2', 'case-1', 'p1']);
    expect(log.map((entry) => entry.type)).toEqual(['release-decision', 'bundle-sent']);

    // B acknowledged bundle 1; then p1 is deleted here.
    states.states.set('agency-b/case-1', {
      ...stateB,
      lastAcknowledgedHlc: stateB.sent[0]!.coveredTo,
    });
    const deleted: SealableCase = {
      ...input,
      entities: input.entities.map((e) =>
        e.id === 'p1' ? { ...e, deleted: true, updatedAt: hlc(50) } : e,
      ),
    };
    const second = path.join(root, 'second.tessera');
    await sealer.seal(
      deleted,
      { card: b.card, agreement: agreement('agency-b') },
      { out: second, tmpDir },
    );
    const toB = await decrypt(second, b);
    expect(toB.document.operations).toEqual([
      { op: 'tombstone', recordId: 'p1', kind: 'entity', hlc: hlc(50), agency: 'agency-a' },
    ]);
    expect(toB.opened.operations.toString('utf8')).not.toMatch(/Ivan|CANARY/);

    // C never held p1: its first bundle names neither p1 nor the other deleted record.
    const toCFile = path.join(root, 'to-c.tessera');
    await sealer.seal(
      deleted,
      { card: c.card, agreement: agreement('agency-c') },
      {
        out: toCFile,
        tmpDir,
        attachmentContent: (record) => (record.id === 'att-2' ? { path: diskFile } : undefined),
      },
    );
    const toC = await decrypt(toCFile, c);
    const idsToC = toC.document.operations.map((op) =>
      op.op === 'create' ? op.record.id : op.recordId,
    );
    expect(idsToC).not.toContain('p1');
    expect(idsToC).not.toContain('p3');
    expect(toC.opened.operations.toString('utf8')).not.toMatch(/Ivan|CANARY/);
  });

  it('refuses, leaving nothing behind: a case that may not go, missing or altered attachment content', async () => {
    const dir = await mkdtemp(path.join(root, 'refusals-'));
    const states = memoryStates();
    const sealer = new ReleaseSealer({
      identity: a.identity,
      now: () => new Date(),
      syncStates: states,
    });
    const input = fixture();
    const partner = { card: b.card, agreement: agreement('agency-b') };
    const code = async (promise: Promise<unknown>) => {
      const error: unknown = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ReleaseSealError);
      return (error as ReleaseSealError).code;
    };
    const out = path.join(dir, 'out.tessera');
    const red: SealableCase = {
      ...input,
      case: { ...input.case, markings: marks({ tlp: 'RED' }) },
    };
    expect(await code(sealer.seal(red, partner, { out }))).toBe('case-withheld');
    expect(await code(sealer.seal(input, partner, { out }))).toBe('attachment-missing');
    const altered = Buffer.from('not the bytes the record names');
    expect(
      await code(
        sealer.seal(input, partner, { out, attachmentContent: () => ({ bytes: altered }) }),
      ),
    ).toBe('attachment-mismatch');
    expect(await readdir(dir)).toEqual([]);
    expect(states.states.size).toBe(0);
  });
});
