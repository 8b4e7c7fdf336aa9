/**
 * Seals generated cases through the REAL exchange service (`ExchangeService.seal`, file delivery)
 * for each partner, decrypts every bundle with the partner's key using the age-encryption library
 * (independently of Tessera's own opener), and searches everything the partner gets — the whole
 * decrypted container (operations, manifest, attachment parts, part names and labels), the bundle
 * file name, and the `bundle-sent` log entry — for every canary and id the oracle forbids.
 *
 * For cases that ask for it, a second bundle per partner (a delta, after the first was
 * acknowledged with a signed receipt) covers the separate code path of changes: a deletion, a marking raised to TLP:RED with a new
 * value, and a new note quoting that value.
 *
 * Identities are made once (partners) and the sender is recreated every `recycleEvery` cases, so
 * that the sync state and the exchange log stay small and the cost per case stays flat.
 */
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Decrypter } from 'age-encryption';
import type { CaseFile } from '../../shared/caseFile.ts';
import type { MethodInput, MethodName, ServiceHandlers } from '../../shared/contract/index.ts';
import { contract } from '../../shared/contract/index.ts';
import { DATA_CATEGORIES } from '../../shared/exchange/agreement.ts';
import type { SharingAgreement } from '../../shared/exchange/agreement.ts';
import type { IdentityCard } from '../../shared/exchange/bundleFormat.ts';
import type { RecordMeta } from '../../shared/exchange/operations.ts';
import {
  RECEIPT_FORMAT,
  RECEIPT_VERSION,
  receiptSignedText,
} from '../../shared/exchange/syncState.ts';
import type { Receipt } from '../../shared/exchange/syncState.ts';
import type { ContainerPart } from '../containerParts.ts';
import { containerParts } from '../containerParts.ts';
import { testProtector } from '../../electron/services/bundle/fixtures/testSupport.ts';
import { ExchangeService } from '../../electron/services/exchange/exchangeService.ts';
import { exportsFolderChooser } from '../../electron/services/files/filesService.ts';
import { fingerprintOf } from '../../electron/services/identity/cards.ts';
import { ed25519Sign } from '../../electron/services/identity/keys.ts';
import {
  exportAgeSecretKey,
  IdentityStore,
  type UnlockedIdentity,
} from '../../electron/services/identity/store.ts';
import type { Materialized } from './materialize.ts';
import { applyDelta, DELTA_NOW, materialize } from './materialize.ts';
import type { Forbidden } from './oracle.ts';
import { Oracle } from './oracle.ts';
import type { CasePlan, PartnerId } from './plan.ts';
import { OWN, PARTNER_ONE, PARTNER_TWO, PARTNERS } from './plan.ts';
import { TransferService } from '../../electron/services/transfer/index.ts';
import type { UploadRef } from '../../shared/contract/transfer.ts';
import { errorMessage } from '../../shared/base/errors.ts';

/**
 * A memory-backed folder where there is one (Linux /dev/shm): the service fsyncs every state file
 * and log entry, which on a disk costs more than everything else a case does. The harness data is
 * thrown away, so durability buys nothing here.
 */
export async function scratchDir(): Promise<string> {
  try {
    await access('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

/** Partner one may see up to CONFIDENTIAL of every category; partner two less, and fewer areas. */
export const AGREEMENTS: Readonly<Record<PartnerId, SharingAgreement>> = {
  [PARTNER_ONE]: {
    partnerAgencyId: PARTNER_ONE,
    legalBasis: 'MOU fuzz 2024/1',
    crimeAreas: ['drug trafficking', 'money laundering'],
    highestClassification: 'CONFIDENTIAL',
    categories: [...DATA_CATEGORIES],
    retentionDays: 365,
    validFrom: '2020-01-01',
  },
  [PARTNER_TWO]: {
    partnerAgencyId: PARTNER_TWO,
    legalBasis: 'MOU fuzz 2024/2',
    crimeAreas: ['drug trafficking'],
    highestClassification: 'RESTRICTED',
    categories: DATA_CATEGORIES.filter((c) => c !== 'vehicles' && c !== 'charts'),
    retentionDays: 90,
    validFrom: '2020-01-01',
  },
};

const PASSPHRASE = 'canary harness passphrase: long enough for any floor 7f3c';

export interface Leak {
  readonly partner: string;
  /** `first` (snapshot) or `delta` (the second bundle). */
  readonly bundle: 'first' | 'delta';
  /** `container` (decrypted bytes), `file name`, `log`. */
  readonly where: string;
  readonly forbidden: Forbidden;
  /** What carried it: `own record: properties.notes`, `note body`, `attachment part`… */
  readonly carrier?: string;
}

export interface SealOutcome {
  readonly partner: string;
  readonly bundle: 'first' | 'delta';
  /** sealed, or the service refused (e.g. the case may not go): nothing to search then. */
  readonly sealed: boolean;
  readonly refusal?: string;
  readonly forbiddenCount: number;
}

export interface CaseResult {
  /** The case as sealed first (canaries and ids of this run). */
  readonly file: CaseFile;
  readonly leaks: readonly Leak[];
  readonly outcomes: readonly SealOutcome[];
}

interface Partner {
  readonly id: PartnerId;
  readonly card: IdentityCard;
  readonly identity: UnlockedIdentity;
  readonly ageKey: string;
}

/** What a handler receives: the input after the contract's parse (defaults applied). */
type Parsed<M extends MethodName> = Parameters<ServiceHandlers[M]>[0];
type Handler<M extends MethodName> = (input: Parsed<M>) => ReturnType<ServiceHandlers[M]>;

export class CanaryHarness {
  private sender: ExchangeService | null = null;
  private transfer: TransferService | null = null;
  private senderDir = '';
  private casesOnSender = 0;
  /** Every case gets fresh ids: a plan checked twice (shrinking) must not meet its own sync state. */
  private runs = 0;

  private constructor(
    private readonly root: string,
    private readonly partners: readonly Partner[],
    private readonly recycleEvery: number,
    private readonly lane: number,
  ) {}

  /** `lane` (0–15) keeps the ids of harnesses running side by side apart. */
  static async create(
    options: { recycleEvery?: number; lane?: number } = {},
  ): Promise<CanaryHarness> {
    const root = await mkdtemp(path.join(await scratchDir(), 'tessera-canary-'));
    const partners: Partner[] = [];
    for (const id of PARTNERS) {
      const store = new IdentityStore(path.join(root, id), testProtector());
      const card = await store.create({ agencyName: `Agency ${id}`, agencyId: id });
      const identity = await store.unlock();
      partners.push({ id, card, identity, ageKey: exportAgeSecretKey(identity) });
    }
    return new CanaryHarness(root, partners, options.recycleEvery ?? 20, options.lane ?? 0);
  }

  /** Calls a service method the way the carriers do: input parsed by the contract first. */
  private async call<M extends MethodName>(
    service: ExchangeService,
    method: M,
    handler: (s: ExchangeService) => Handler<M>,
    input: MethodInput<M>,
  ): Promise<Awaited<ReturnType<ServiceHandlers[M]>>> {
    const parsed = contract[method].input.parse(input) as Parsed<M>;
    return (await handler(service)(parsed)) as Awaited<ReturnType<ServiceHandlers[M]>>;
  }

  /** Hands a small file to the sender as a renderer would: one upload piece. */
  private async upload(bytes: Buffer, fileName: string): Promise<UploadRef> {
    const transfer = this.transfer!;
    const { uploadId } = await transfer.beginUpload({
      purpose: 'bundle-import',
      fileName,
      size: bytes.length,
    });
    await transfer.uploadChunk({ uploadId, offset: 0, contentBase64: bytes.toString('base64') });
    return (await transfer.finishUpload({ uploadId })).ref;
  }

  private async freshSender(): Promise<ExchangeService> {
    if (this.sender) await this.sender.close();
    if (this.senderDir) await rm(this.senderDir, { recursive: true, force: true });
    this.senderDir = await mkdtemp(path.join(this.root, 'sender-'));
    // Files reach the service as uploads, as from a renderer (exchange.import.fromFile takes refs).
    let exchange: ExchangeService | null = null;
    this.transfer = new TransferService({
      dataDir: this.senderDir,
      resolveDownload: (ref) => exchange!.downloadSource(ref),
    });
    const service = new ExchangeService({
      dataDir: this.senderDir,
      chooseSavePath: exportsFolderChooser(this.senderDir),
      scryptParams: { logN: 10, r: 8, p: 1 },
      autoSync: false,
      transfer: this.transfer,
    });
    exchange = service;
    await this.call(service, 'exchange.identity.create', (s) => (i) => s.createIdentity(i), {
      agencyName: 'Own agency',
      agencyId: OWN,
      passphrase: PASSPHRASE,
    });
    for (const partner of this.partners) {
      await this.call(service, 'exchange.partners.import', (s) => (i) => s.importPartner(i), {
        cardJson: JSON.stringify(partner.card),
      });
      await this.call(service, 'exchange.partners.confirm', (s) => (i) => s.confirmPartner(i), {
        agencyId: partner.id,
        fingerprint: fingerprintOf(partner.card).hex,
      });
      await this.call(service, 'exchange.partners.setAgreement', (s) => (i) => s.setAgreement(i), {
        agencyId: partner.id,
        agreement: AGREEMENTS[partner.id],
      });
    }
    this.sender = service;
    this.casesOnSender = 0;
    return service;
  }

  private async senderService(): Promise<ExchangeService> {
    if (!this.sender || this.casesOnSender >= this.recycleEvery) return this.freshSender();
    return this.sender;
  }

  /** Seals `file` for one partner; returns the decrypted container and what else it can see. */
  private async sealFor(
    service: ExchangeService,
    partner: Partner,
    file: CaseFile,
    recordMeta?: Readonly<Record<string, RecordMeta>>,
  ): Promise<
    | {
        sealed: true;
        texts: { where: string; bytes: Buffer }[];
        bundleId: string;
        digest: string;
        sequence: number;
      }
    | { sealed: false; refusal: string }
  > {
    let result;
    try {
      result = await this.call(service, 'exchange.export.seal', (s) => (i) => s.seal(i), {
        partnerIds: [partner.id],
        caseFile: file,
        delivery: 'file',
        ...(recordMeta ? { recordMeta: { ...recordMeta } } : {}),
      });
    } catch (error) {
      return { sealed: false, refusal: errorMessage(error) };
    }
    const bundle = result.bundles[0]!;
    if (!bundle.path) throw new Error('file delivery returned no path');
    const sealedBytes = await readFile(bundle.path);
    await rm(bundle.path, { force: true });
    const decrypter = new Decrypter();
    decrypter.addIdentity(partner.ageKey);
    const plain = Buffer.from(await decrypter.decrypt(sealedBytes));
    const log = await this.call(service, 'exchange.log.list', (s) => (i) => s.listLog(i), {
      limit: 10,
    });
    const sent = log.entries.filter(
      (e) => e.type === 'bundle-sent' && JSON.stringify(e).includes(bundle.bundleId),
    );
    return {
      sealed: true,
      bundleId: bundle.bundleId,
      digest: bundle.bundleDigest,
      sequence: bundle.sequence,
      texts: [
        { where: 'container', bytes: plain },
        { where: 'file name', bytes: Buffer.from(bundle.fileName) },
        { where: 'log', bytes: Buffer.from(JSON.stringify(sent)) },
      ],
    };
  }

  /** A signed receipt from the partner, handed to the sender as a file: acknowledges the bundle. */
  private async acknowledge(
    service: ExchangeService,
    partner: Partner,
    caseId: string,
    sealed: { bundleId: string; digest: string; sequence: number },
  ): Promise<void> {
    const unsigned: Omit<Receipt, 'signature'> = {
      format: RECEIPT_FORMAT,
      version: RECEIPT_VERSION,
      from: partner.id,
      to: OWN,
      caseId,
      bundleId: sealed.bundleId,
      sequence: sealed.sequence,
      bundleDigest: sealed.digest,
      status: 'applied',
      missing: [],
      at: new Date(DELTA_NOW - 3_600_000).toISOString(),
    };
    const receipt: Receipt = {
      ...unsigned,
      signature: ed25519Sign(
        partner.identity.secrets.signingSeed,
        receiptSignedText(unsigned),
      ).toString('base64'),
    };
    const outcome = await this.call(
      service,
      'exchange.import.fromFile',
      (s) => (i) => s.importFromFile(i),
      {
        ref: await this.upload(Buffer.from(JSON.stringify(receipt)), `${sealed.bundleId}.receipt`),
      },
    );
    if (outcome.kind !== 'receipt') throw new Error('the receipt was not taken as a receipt');
  }

  /** Generates the case of `plan`, seals it (and a delta when asked) for every partner, searches. */
  async check(plan: CasePlan, options: { delta?: boolean } = {}): Promise<CaseResult> {
    const service = await this.senderService();
    this.casesOnSender++;
    const salt = ((this.runs++ + this.lane * 0x1000_0000) >>> 0).toString(16).padStart(8, '0');
    const first: Materialized = materialize(plan, salt);
    const change = options.delta ? applyDelta(plan, first) : null;
    const leaks: Leak[] = [];
    const outcomes: SealOutcome[] = [];
    for (const partner of this.partners) {
      const agreement = AGREEMENTS[partner.id];
      const forbidden = new Oracle(first.file, partner.id, agreement).forbidden(first.canaries);
      const sealed = await this.sealFor(service, partner, first.file);
      outcomes.push({
        partner: partner.id,
        bundle: 'first',
        sealed: sealed.sealed,
        forbiddenCount: forbidden.length,
        ...(sealed.sealed ? {} : { refusal: sealed.refusal }),
      });
      if (!sealed.sealed) continue;
      leaks.push(...searchLeaks(sealed.texts, forbidden, partner.id, 'first'));
      if (!change || change.deletedId === null) continue;
      await this.acknowledge(service, partner, first.file.case.id, sealed);
      // Ids the partner already holds may travel again (a bare tombstone names one); content not.
      const received = sealed.texts[0]!.bytes;
      const forbiddenLater = new Oracle(change.file, partner.id, agreement)
        .forbidden(change.canaries)
        .filter((item) => item.field !== 'id' || !received.includes(item.value));
      const delta = await this.sealFor(service, partner, change.file, change.recordMeta);
      outcomes.push({
        partner: partner.id,
        bundle: 'delta',
        sealed: delta.sealed,
        forbiddenCount: forbiddenLater.length,
        ...(delta.sealed ? {} : { refusal: delta.refusal }),
      });
      if (delta.sealed) {
        leaks.push(...searchLeaks(delta.texts, forbiddenLater, partner.id, 'delta'));
      }
    }
    return { file: first.file, leaks, outcomes };
  }

  async close(): Promise<void> {
    if (this.sender) await this.sender.close();
    this.sender = null;
    await rm(this.root, { recursive: true, force: true });
  }
}

/**
 * Every forbidden canary or id found in what the partner can see. Canaries and ids are ASCII without
 * characters JSON escapes, so their UTF-8 and JSON-escaped forms are the same bytes; the hex core
 * (and its upper case) catches a copy that lost the prefix.
 */
export function searchLeaks(
  texts: readonly { where: string; bytes: Buffer }[],
  forbidden: readonly Forbidden[],
  partner: string,
  bundle: 'first' | 'delta',
): Leak[] {
  const leaks: Leak[] = [];
  for (const { where, bytes } of texts) {
    let leaves: Leaf[] | null = null;
    for (const item of forbidden) {
      const core = item.value.startsWith('CANARY-') ? item.value.slice(7) : item.value;
      if (
        bytes.includes(item.value) ||
        bytes.includes(core) ||
        bytes.includes(core.toUpperCase())
      ) {
        if (where === 'container') leaves ??= containerLeaves(bytes);
        const carrier = leaves ? carrierOf(leaves, item, core) : undefined;
        leaks.push({ partner, bundle, where, forbidden: item, ...(carrier ? { carrier } : {}) });
      }
    }
  }
  return leaks;
}

/** One string of the decrypted container, with the record and field it sits in. */
interface Leaf {
  readonly recordId: string | null;
  readonly place: string;
  readonly text: string;
}

/**
 * The strings of a decrypted container, located: operations (per record and field), the
 * manifest, attachment parts. Only for telling people where a leak was; detection is on bytes.
 */
function containerLeaves(container: Buffer): Leaf[] {
  const leaves: Leaf[] = [];
  let parts: ContainerPart[];
  try {
    parts = containerParts(container);
  } catch {
    return [{ recordId: null, place: 'container', text: container.toString('latin1') }];
  }
  const walk = (value: unknown, recordId: string | null, place: string): void => {
    if (typeof value === 'string') leaves.push({ recordId, place, text: value });
    else if (Array.isArray(value)) value.forEach((v) => walk(v, recordId, place));
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        walk(key, recordId, `${place} (key)`);
        walk(child, recordId, place ? `${place}.${key}` : key);
      }
    }
  };
  // Attachment parts are labelled with their record's id in the manifest.
  const labels = new Map<string, string>();
  const manifest = parts.find((p) => p.name === 'manifest.json');
  try {
    const parsed = JSON.parse(manifest?.data.toString('utf8') ?? '{}') as {
      parts?: { name?: string; label?: string }[];
    };
    for (const p of parsed.parts ?? []) if (p.name && p.label) labels.set(p.name, p.label);
  } catch {
    // No labels: the parts are then reported without their record.
  }
  for (const part of parts) {
    if (part.name === 'operations') {
      let document: { operations?: unknown };
      try {
        document = JSON.parse(part.data.toString('utf8')) as { operations?: unknown };
      } catch {
        leaves.push({ recordId: null, place: 'operations', text: part.data.toString('utf8') });
        continue;
      }
      for (const op of Array.isArray(document.operations) ? document.operations : []) {
        const o = op as {
          op?: string;
          record?: { id?: string; kind?: string };
          recordId?: string;
          kind?: string;
          field?: string;
        };
        if (o.op === 'create' && o.record) {
          walk(o.record, o.record.id ?? null, `create ${o.record.kind ?? '?'}:`);
        } else {
          walk(
            op,
            o.recordId ?? null,
            `${o.op ?? '?'} ${o.kind ?? '?'}${o.field ? ` ${o.field}` : ''}:`,
          );
        }
      }
    } else if (part.name === 'manifest.json' || part.name === 'manifest.sig') {
      leaves.push({ recordId: null, place: part.name, text: part.data.toString('utf8') });
    } else {
      leaves.push({
        recordId: labels.get(part.name) ?? null,
        place: `attachment part ${part.name}`,
        text: part.data.toString('latin1'),
      });
    }
  }
  return leaves;
}

function carrierOf(leaves: readonly Leaf[], item: Forbidden, core: string): string | undefined {
  const hits = leaves.filter(
    (leaf) => leaf.text.includes(core) || leaf.text.includes(core.toUpperCase()),
  );
  const other = hits.find((leaf) => leaf.recordId !== item.recordId);
  const hit = other ?? hits[0];
  if (!hit) return undefined;
  const place = hit.place.replace(/:\.?/, ' ').trim();
  return hit.recordId === item.recordId ? `its own record (${place})` : `another record's ${place}`;
}
