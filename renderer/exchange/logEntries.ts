/**
 * The exchange log in words (issue 12): each entry names the case by its reference — the signed
 * entries hold case ids, which mean nothing to an officer — and partners by name. Receipts carry
 * only a bundle id; their case is that of the bundle they answer, found in the other entries.
 */
import { z } from 'zod';
import type { LogEntryView } from '../../shared/contract/exchange.ts';

/** A sent bundle's partners and sequence numbers (read, not trusted: the log is a file on disk). */
const sentToSchema = z.array(z.object({ agencyId: z.string(), sequence: z.number().optional() }));

const LOG_TYPES: Readonly<Record<string, string>> = {
  'release-decision': 'Release decided',
  'bundle-sent': 'Bundle sent',
  'bundle-received': 'Bundle received',
  'receipt-sent': 'Receipt sent',
  'receipt-received': 'Receipt received',
};

export interface LogNames {
  /** The reference of a case on this computer. */
  readonly caseReference: (caseId: string) => string | undefined;
  readonly partnerName: (agencyId: string) => string | undefined;
}

/** The case id an entry is about: its own, or that of the bundle it answers (receipts). */
export function logCaseIds(entries: readonly LogEntryView[]): Map<string, string> {
  const byBundle = new Map<string, string>();
  for (const { data } of entries) {
    if (typeof data.bundleId === 'string' && typeof data.caseId === 'string')
      byBundle.set(data.bundleId, data.caseId);
  }
  return byBundle;
}

/**
 * One log entry for people: what happened, to which case (its reference, never its id: an id
 * means nothing to an officer), with which partner, and the counts. The signed entry keeps the ids.
 */
export function logEntryText(
  entry: LogEntryView,
  names: LogNames,
  caseOfBundle: ReadonlyMap<string, string>,
): { readonly what: string; readonly detail: string } {
  const d = entry.data;
  const text = (key: string) => (typeof d[key] === 'string' ? (d[key] as string) : undefined);
  const count = (key: string) => (typeof d[key] === 'number' ? (d[key] as number) : undefined);
  const caseId = text('caseId') ?? caseOfBundle.get(text('bundleId') ?? '');
  const parsed = sentToSchema.safeParse(d.partners);
  const sentTo = parsed.success ? parsed.data : [];
  const partners = [text('partnerId'), text('sender'), ...sentTo.map((p) => p.agencyId)].filter(
    (p): p is string => p !== undefined,
  );
  const parts: string[] = [];
  if (caseId !== undefined) {
    parts.push(`case ${names.caseReference(caseId) ?? '(not on this computer)'}`);
  }
  for (const id of partners) {
    const name = names.partnerName(id);
    parts.push(name ? `${name} (${id})` : id);
  }
  const sequence = count('sequence') ?? sentTo[0]?.sequence;
  if (sequence !== undefined) parts.push(`bundle #${sequence}`);
  const released = count('released');
  const withheld = count('withheld');
  if (released !== undefined) parts.push(`${released} released`);
  if (withheld !== undefined) parts.push(`${withheld} withheld`);
  const operations = count('operations');
  if (operations !== undefined) parts.push(`${operations} changes`);
  const outcome = text('outcome') ?? text('status');
  if (outcome) parts.push(outcome);
  const detail = text('detail');
  if (detail) parts.push(detail);
  return { what: LOG_TYPES[entry.type] ?? entry.type, detail: parts.join(' · ') };
}
