/**
 * `tessera bundle seal | open | verify`: signed, age-encrypted bundles of a case, for partners.
 *
 * seal goes through the app's own sealing path (ReleaseSealer): the release policy under the
 * partner's sharing agreement, the operations for that partner, the second check on the exact bytes,
 * attachments checked against their size and SHA-256 as sealed, an atomic write. Each partner gets
 * its own bundle, holding only what the policy releases to it; what it withholds and strips is
 * printed on stderr, one line per item. There is no way to seal without a policy.
 *
 * Partners: `--to CARD.json --agreement AGREEMENT.json` (pairs, in order), or `--partner ID` for a
 * trusted partner with an agreement in the partner directory (`partners.json` in the identity
 * folder, or beside it when the folder is the app's `exchange/identity`). The per-partner sync state
 * (sequence, chain digest, records sent) and the signed exchange log are kept in that same folder.
 *
 * open verifies and decrypts a bundle, applies its operations into a case file (attachments inline
 * as base64, each checked against its record) and writes it atomically; it never replaces `--out`
 * without `--force`, and it remembers opened bundle ids in `opened-bundles.json` in the identity
 * folder, refusing a replay (BundleError `replay`) unless `--force`. A bundle whose operations part
 * is a case file (sealed by earlier versions of this command) still opens. See
 * docs/bundle-format.md §7.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type CaseFile, caseFileRecords, parseCaseFile } from '../../../shared/caseFile.ts';
import { parseSharingAgreement } from '../../../shared/exchange/agreement.ts';
import type { BundleManifest, IdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { parseIdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { applyOperations, createMergeState } from '../../../shared/exchange/merge.ts';
import { parseOperations } from '../../../shared/exchange/operations.ts';
import type { ReleaseDecision } from '../../../shared/exchange/policy.ts';
import { groupItems } from '../../../shared/model/recordKinds.ts';
import type { AnyRecord } from '../../../shared/model/records.ts';
import {
  BundleError,
  openBundle,
  type OpenedAttachment,
  type OpenedBundle,
  verifyBundle,
} from '../../services/bundle/index.ts';
import { ExchangeLog } from '../../services/exchangeLog/index.ts';
import {
  type ReleasePartner,
  ReleaseSealer,
  ReleaseSealError,
  type SealableAttachment,
} from '../../services/exchange/releaseSealer.ts';
import { loadPartners, syncStateFile } from '../../services/exchange/state.ts';
import { writeFileAtomic } from '../../services/files/atomicWrite.ts';
import { sweepPartials, writeViaPartial } from '../../services/files/partialFile.ts';
import {
  assertUsable,
  IdentityStore,
  type UnlockedIdentity,
} from '../../services/identity/index.ts';
import { ed25519Sign } from '../../services/identity/keys.ts';
import { type CliCommand, UsageError } from './types.ts';
import { passphraseFromEnv } from './identity.ts';

const USAGE = [
  'usage: tessera bundle seal --dir DIR --in CASE.json --out FILE',
  '                           (--to CARD.json --agreement AGREEMENT.json)… | (--partner AGENCY_ID)…',
  '       tessera bundle open --dir DIR --from CARD.json FILE --out CASE.json [--force]',
  '       tessera bundle verify --from CARD.json FILE',
  'seal applies the release policy under each partner’s sharing agreement and prints on stderr what',
  'it withheld; with several partners each gets its own bundle, FILE with the agency id before the',
  'extension. The secrets are unlocked with the passphrase in TESSERA_PASSPHRASE.',
].join('\n');

const OPENED_FILE = 'opened-bundles.json';

function one(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`missing --${name}\n${USAGE}`);
  return value;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    throw new Error(`cannot read ${what} ${file}`);
  }
}

async function readCard(file: string): Promise<IdentityCard> {
  const text = await readText(file, 'identity card');
  try {
    return parseIdentityCard(text);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

async function readAgreement(file: string) {
  const text = await readText(file, 'sharing agreement');
  try {
    return parseSharingAgreement(JSON.parse(text));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/**
 * The folder of the partner directory, sync state and exchange log: the app's `exchange/` folder
 * when DIR is its `identity/` folder, else DIR itself.
 */
function exchangeFolder(dir: string): string {
  if (existsSync(path.join(dir, 'partners.json'))) return dir;
  const parent = path.dirname(dir);
  if (path.basename(dir) === 'identity' && existsSync(path.join(parent, 'partners.json')))
    return parent;
  return dir;
}

async function partnersFromDirectory(folder: string, ids: readonly string[]) {
  const directory = await loadPartners(path.join(folder, 'partners.json'));
  return ids.map((id): ReleasePartner => {
    const partner = directory.find((p) => p.agencyId === id);
    if (!partner) throw new UsageError(`no partner ${id} in ${path.join(folder, 'partners.json')}`);
    if (partner.state !== 'trusted') {
      throw new Error(
        `partner ${id} is ${partner.state}: confirm its fingerprint out of band first`,
      );
    }
    if (!partner.agreement) throw new Error(`there is no sharing agreement with ${id}`);
    assertUsable(partner.card, partner.revocations);
    return { card: partner.card, agreement: partner.agreement };
  });
}

/** One line per withheld item and stripped property, with the rules' reasons. */
function decisionLines(partner: string, decision: ReleaseDecision<SealableAttachment>): string[] {
  return [
    ...decision.withheld.map(
      (item) =>
        `withheld from ${partner}: ${item.kind} ${item.caption} (${item.id}): ${item.reasons.join('; ')}`,
    ),
    ...decision.stripped.map(
      (item) =>
        `stripped for ${partner}: ${item.kind} ${item.caption} (${item.id}) ${item.property}: ${item.reasons.join('; ')}`,
    ),
  ];
}

function outFor(out: string, agencyId: string, several: boolean): string {
  if (!several) return out;
  const ext = path.extname(out);
  return `${out.slice(0, out.length - ext.length)}.${agencyId}${ext}`;
}

async function seal(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: 'string' },
      to: { type: 'string', multiple: true },
      agreement: { type: 'string', multiple: true },
      partner: { type: 'string', multiple: true },
      in: { type: 'string' },
      out: { type: 'string' },
      // Gone: named here only to refuse them with a reason.
      'policy-version': { type: 'string' },
      sequence: { type: 'string' },
      previous: { type: 'string' },
    },
    strict: true,
  });
  if (values['policy-version'] !== undefined) {
    throw new UsageError(
      '--policy-version is no longer accepted: every bundle is sealed under the release policy, ' +
        `with the partner's sharing agreement (--agreement or --partner)\n${USAGE}`,
    );
  }
  if (values.sequence !== undefined || values.previous !== undefined) {
    throw new UsageError(
      '--sequence and --previous are no longer accepted: the chain to each partner is kept in ' +
        `sync-state.json beside the identity\n${USAGE}`,
    );
  }
  const dir = path.resolve(one(values.dir, 'dir'));
  const input = one(values.in, 'in');
  const out = path.resolve(one(values.out, 'out'));
  const cards = values.to ?? [];
  const agreements = values.agreement ?? [];
  const ids = values.partner ?? [];
  if (cards.length !== agreements.length) {
    throw new UsageError(`each --to CARD.json needs its --agreement AGREEMENT.json\n${USAGE}`);
  }
  if (cards.length + ids.length === 0) {
    throw new UsageError(
      `name the partner: --to CARD.json --agreement AGREEMENT.json, or --partner AGENCY_ID\n${USAGE}`,
    );
  }
  const folder = exchangeFolder(dir);
  const partners: ReleasePartner[] = [];
  for (const [index, cardFile] of cards.entries()) {
    const card = await readCard(cardFile);
    const agreement = await readAgreement(agreements[index]!);
    if (agreement.partnerAgencyId !== card.agencyId) {
      throw new UsageError(
        `${agreements[index]} is an agreement with ${agreement.partnerAgencyId}, not with ${card.agencyId} (${cardFile})`,
      );
    }
    partners.push({ card, agreement });
  }
  if (ids.length > 0) partners.push(...(await partnersFromDirectory(folder, ids)));
  const seen = new Set<string>();
  for (const partner of partners) {
    if (seen.has(partner.card.agencyId))
      throw new UsageError(`partner ${partner.card.agencyId} is named twice`);
    seen.add(partner.card.agencyId);
  }

  const caseFile = parseCaseFile(await readText(input, 'case file'));
  const identity = await new IdentityStore(dir, passphraseFromEnv()).unlock();
  let log: ExchangeLog | null = null;
  const sealer = new ReleaseSealer({
    identity,
    now: () => new Date(),
    syncStates: syncStateFile(path.join(folder, 'sync-state.json')),
    appendLog: async (entries) => {
      log ??= await ExchangeLog.open(path.join(folder, 'exchange.log'));
      await log.append(entries, (message) => ed25519Sign(identity.secrets.signingSeed, message));
    },
  });
  // Every partner is planned (and may refuse) before anything is sealed.
  const plans = [];
  for (const partner of partners) {
    try {
      plans.push({ partner, plan: await sealer.prepare(caseFile, partner) });
    } catch (error) {
      if (error instanceof ReleaseSealError && error.code === 'case-withheld') {
        console.error(
          `tessera bundle: nothing sealed: ${error.message}\n` +
            `(mark the case and what may go releasable to ${partner.card.agencyId}, and check the agreement)`,
        );
        return 1;
      }
      throw error;
    }
  }
  for (const { partner, plan } of plans) {
    const name = `${partner.card.agencyName} (${partner.card.agencyId})`;
    for (const line of decisionLines(partner.card.agencyId, plan.decision)) console.error(line);
    const target = outFor(out, partner.card.agencyId, plans.length > 1);
    const result = await sealer.sealPlan(plan, caseFile, partner, { out: target });
    console.log(
      `sealed bundle ${result.sealed.bundleId} (${result.sealed.size} bytes) for ${name}, ` +
        `number ${result.sequence}: ${plan.releasedIds.length} records released, ` +
        `${plan.decision.withheld.length} withheld, ${plan.decision.stripped.length} properties stripped; ` +
        `${plan.operations.length} operations, ${result.attachments} attachments → ${target}`,
    );
    console.log(`bundle digest: ${result.sealed.bundleDigest}`);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// open

const openedFileSchema = z.object({
  version: z.literal(1),
  bundles: z.array(
    z.object({
      bundleId: z.string().max(64),
      sender: z.string().max(64),
      digest: z.string().max(64),
      openedAt: z.string().max(40),
    }),
  ),
});
type OpenedFile = z.infer<typeof openedFileSchema>;

async function loadOpened(file: string): Promise<OpenedFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, bundles: [] };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is damaged: invalid JSON`);
  }
  const result = openedFileSchema.safeParse(json);
  if (!result.success) throw new Error(`${file} is damaged: ${result.error.issues[0]?.message}`);
  return result.data;
}

/** The case file a bundle carries: its operations applied to an empty case. */
async function caseFileOf(opened: OpenedBundle, identity: UnlockedIdentity): Promise<CaseFile> {
  const manifest: BundleManifest = opened.manifest;
  const text = opened.operations.toString('utf8');
  let records: AnyRecord[];
  let parts: readonly OpenedAttachment[] = opened.attachments;
  try {
    const document = parseOperations(text);
    if (document.caseId !== manifest.caseId)
      throw new Error('the operations are for another case than the manifest says');
    const merged = applyOperations(createMergeState([]), document.operations, {
      localAgency: identity.card.agencyId,
      sender: manifest.sender.agencyId,
    });
    records = [...merged.state.records.values()];
  } catch (error) {
    // Bundles sealed by earlier versions of `tessera bundle seal` carry a case file.
    let legacy: CaseFile;
    try {
      legacy = parseCaseFile(text);
    } catch {
      throw error;
    }
    records = caseFileRecords(legacy);
    // Their parts are att-000001… in the order of the case file's attachments.
    parts = opened.attachments.map((part, index) =>
      part.label === undefined ? { ...part, label: legacy.attachments[index]?.id ?? '' } : part,
    );
  }
  const caseRecord = records.find((r) => r.kind === 'case');
  if (!caseRecord || caseRecord.id !== manifest.caseId) {
    throw new Error(
      `bundle ${opened.bundleId} carries changes to case ${manifest.caseId}, not the case itself ` +
        '(a later bundle of a chain): merge it in the app',
    );
  }
  const partByRecord = new Map(parts.map((part) => [part.label ?? '', part]));
  const items = groupItems(records);
  const attachments = await Promise.all(
    items.attachments.map(async (record) => {
      const part = partByRecord.get(record.id);
      if (!part) throw new Error(`attachment ${record.id} has no content in the bundle`);
      if (part.sha256 !== record.sha256 || part.size !== record.size) {
        throw new Error(`attachment ${record.id} does not match its bundle part`);
      }
      const chunks: Buffer[] = [];
      for await (const chunk of opened.readAttachment(part.name)) chunks.push(chunk);
      return { ...record, contentBase64: Buffer.concat(chunks).toString('base64') };
    }),
  );
  const file = {
    format: 'tessera.case',
    version: 1,
    exportedAt: manifest.createdAt,
    exportedBy: manifest.sender.agencyId,
    case: caseRecord,
    ...items,
    attachments,
  };
  return parseCaseFile(JSON.stringify(file));
}

async function open(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      dir: { type: 'string' },
      from: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const dir = path.resolve(one(values.dir, 'dir'));
  const out = path.resolve(one(values.out, 'out'));
  const force = values.force === true;
  if (positionals.length !== 1) throw new UsageError(`one bundle FILE is needed\n${USAGE}`);
  // Refused before anything is decrypted.
  if (!force && existsSync(out)) {
    throw new Error(`${out} exists: nothing opened (--force replaces it)`);
  }
  const sender = await readCard(one(values.from, 'from'));
  const identity = await new IdentityStore(dir, passphraseFromEnv()).unlock();
  // Partial outputs of an earlier `bundle open` killed halfway (issue 8, finding 8).
  await sweepPartials(path.dirname(out));
  const openedFile = path.join(dir, OPENED_FILE);
  const known = await loadOpened(openedFile);
  const seen = new Set(known.bundles.map((b) => b.bundleId));
  let opened: OpenedBundle;
  try {
    // Without an outDir the attachments stay encrypted in a scratch space until dispose().
    opened = await openBundle(positionals[0]!, identity, sender, undefined, {
      ...(force ? {} : { seenBundleIds: (id: string) => seen.has(id) }),
    });
  } catch (error) {
    if (error instanceof BundleError && error.code === 'replay') {
      throw new BundleError('replay', `${error.message}: nothing opened (--force opens it again)`);
    }
    throw error;
  }
  try {
    const caseFile = await caseFileOf(opened, identity);
    const text = `${JSON.stringify(caseFile, null, 2)}\n`;
    await writeViaPartial(out, text, { overwrite: force });
  } finally {
    await opened.dispose();
  }
  if (!seen.has(opened.bundleId)) {
    await writeFileAtomic(
      openedFile,
      `${JSON.stringify(
        {
          version: 1,
          bundles: [
            ...known.bundles,
            {
              bundleId: opened.bundleId,
              sender: sender.agencyId,
              digest: opened.bundleDigest,
              openedAt: new Date().toISOString(),
            },
          ],
        } satisfies OpenedFile,
        null,
        2,
      )}\n`,
    );
  }
  console.log(
    `opened bundle ${opened.bundleId} from ${sender.agencyName} (${sender.agencyId}): case ${opened.manifest.caseId} → ${out}`,
  );
  return 0;
}

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { from: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError(`one bundle FILE is needed\n${USAGE}`);
  const sender = await readCard(one(values.from, 'from'));
  const verified = await verifyBundle(positionals[0]!, sender);
  console.log(
    `authentic: bundle ${verified.bundleId} from ${sender.agencyName} (${sender.agencyId}, key ${verified.signerKeyId}), intact; digest ${verified.bundleDigest}`,
  );
  return 0;
}

export const bundleCommand: CliCommand = {
  summary: 'seal (under the release policy), open and verify signed, encrypted exchange bundles',
  async run(args) {
    const [sub, ...rest] = args;
    try {
      if (sub === 'seal') return await seal(rest);
      if (sub === 'open') return await open(rest);
      if (sub === 'verify') return await verify(rest);
      throw new UsageError(USAGE);
    } catch (error) {
      if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
        console.error(`tessera bundle: ${error.message}`);
        return 2;
      }
      throw error;
    }
  },
};
