/**
 * The exchange service's small state files under `<dataDir>/exchange/`, each read whole and written
 * atomically (temporary file + rename):
 *   partners.json    the partner directory: pinned card, trust state, agreement, known revocations;
 *   sync-state.json  one PartnerSyncState per (partner, case) (shared/exchange/syncState.ts);
 *   transports.json  per-partner transport settings, encrypted with the identity's SecretProtector
 *                    (passphrase/scrypt + ChaCha20-Poly1305, or safeStorage), because S3 settings
 *                    hold secret keys; the file is also written 0600;
 *   failed.json      bundle ref → the error that made its last open fail (shown in the import list).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { sharingAgreementSchema } from '../../../shared/exchange/agreement.ts';
import {
  identityCardSchema,
  revocationSchema,
  type IdentityCard,
  type Revocation,
} from '../../../shared/exchange/bundleFormat.ts';
import type { SharingAgreement } from '../../../shared/exchange/agreement.ts';
import {
  initialSyncState,
  partnerSyncStateSchema,
  type PartnerSyncState,
} from '../../../shared/exchange/syncState.ts';
import { writeFileAtomic } from '../files/atomicWrite.ts';
import type { SecretProtector } from '../identity/protector.ts';
import { transportConfigSchema, type TransportConfig } from '../transports/registry.ts';

export interface PartnerRecord {
  readonly agencyId: string;
  /** The pinned card: the one whose fingerprint was (or is to be) confirmed. */
  readonly card: IdentityCard;
  /** A later card that could not be accepted from the pinned one (state `blocked`). */
  readonly presentedCard: IdentityCard | null;
  readonly state: 'unconfirmed' | 'trusted' | 'blocked';
  readonly warning: string | null;
  readonly pinnedAt: string;
  readonly confirmedAt: string | null;
  readonly agreement: SharingAgreement | null;
  /** Revocations learnt from any card of the partner; honoured when verifying its bundles. */
  readonly revocations: readonly Revocation[];
}

const partnerRecordSchema = z.object({
  agencyId: z.string(),
  card: identityCardSchema,
  presentedCard: identityCardSchema.nullable(),
  state: z.enum(['unconfirmed', 'trusted', 'blocked']),
  warning: z.string().nullable(),
  pinnedAt: z.string(),
  confirmedAt: z.string().nullable(),
  agreement: sharingAgreementSchema.nullable(),
  revocations: z.array(revocationSchema),
});

const partnersFileSchema = z.object({
  version: z.literal(1),
  partners: z.array(partnerRecordSchema),
});
const syncFileSchema = z.object({ version: z.literal(1), states: z.array(partnerSyncStateSchema) });
const transportsFileSchema = z.object({
  version: z.literal(1),
  protection: z.record(z.string(), z.unknown()),
});
const transportsPlainSchema = z.record(z.string(), transportConfigSchema);
const failedFileSchema = z.object({
  version: z.literal(1),
  failed: z.record(z.string(), z.string()),
});

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`${path} is damaged: ${result.error.issues[0]?.message}`);
  return result.data;
}

export async function loadPartners(path: string): Promise<PartnerRecord[]> {
  const json = await readJson(path);
  if (json === undefined) return [];
  return parsed(partnersFileSchema, json, path).partners;
}

export async function savePartners(
  path: string,
  partners: readonly PartnerRecord[],
): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify({ version: 1, partners }, null, 2)}\n`);
}

export async function loadSyncStates(path: string): Promise<PartnerSyncState[]> {
  const json = await readJson(path);
  if (json === undefined) return [];
  return parsed(syncFileSchema, json, path).states;
}

export async function saveSyncStates(
  path: string,
  states: readonly PartnerSyncState[],
): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify({ version: 1, states })}\n`);
}

/**
 * The per-(partner, case) sync states of one `sync-state.json`, read and written one state at a
 * time (the app's exchange service and `tessera bundle seal` keep theirs the same way). Callers
 * serialise writes (the service's `exclusive`, one CLI process).
 */
export function syncStateFile(path: string): {
  load(partnerId: string, caseId: string): Promise<PartnerSyncState>;
  save(state: PartnerSyncState): Promise<void>;
} {
  return {
    async load(partnerId, caseId) {
      const states = await loadSyncStates(path);
      return (
        states.find((s) => s.partnerId === partnerId && s.caseId === caseId) ??
        initialSyncState(partnerId, caseId)
      );
    },
    async save(state) {
      const states = await loadSyncStates(path);
      const index = states.findIndex(
        (s) => s.partnerId === state.partnerId && s.caseId === state.caseId,
      );
      if (index < 0) states.push(state);
      else states[index] = state;
      await saveSyncStates(path, states);
    },
  };
}

function transportsContext(agencyId: string): string {
  return `tessera.exchange-transports/1\nagency:${agencyId}\n`;
}

export async function loadTransports(
  path: string,
  protector: SecretProtector,
  agencyId: string,
): Promise<Record<string, TransportConfig>> {
  const json = await readJson(path);
  if (json === undefined) return {};
  const file = parsed(transportsFileSchema, json, path);
  const plain = await protector.unprotect(file.protection, transportsContext(agencyId));
  return parsed(transportsPlainSchema, JSON.parse(plain.toString('utf8')), path);
}

export async function saveTransports(
  path: string,
  protector: SecretProtector,
  agencyId: string,
  transports: Readonly<Record<string, TransportConfig>>,
): Promise<void> {
  const plain = Buffer.from(JSON.stringify(transports));
  const protection = await protector.protect(plain, transportsContext(agencyId));
  plain.fill(0);
  await writeFileAtomic(path, `${JSON.stringify({ version: 1, protection }, null, 2)}\n`);
}

export async function loadFailed(path: string): Promise<Record<string, string>> {
  const json = await readJson(path);
  if (json === undefined) return {};
  return parsed(failedFileSchema, json, path).failed;
}

export async function saveFailed(path: string, failed: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, JSON.stringify({ version: 1, failed }));
}
