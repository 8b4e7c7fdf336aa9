/**
 * The second check (release policy, policy.ts): `assertReleasable` reads the exact serialized
 * content right before it is sealed and refuses anything the policy does not release. It re-runs
 * the decision on the local case, so it shares the policy's rules (it is a second reading of the
 * output, not a second opinion on the rules), and then checks the bytes on their own: records and
 * operations, fields, markings, deletions, and every string searched again for what stays.
 */
import type { Markings } from '../model/markings.ts';
import { DEFAULT_CLASSIFICATIONS } from '../model/markings.ts';
import { captionOfRecord, ITEM_KINDS, RECORD_KINDS } from '../model/recordKinds.ts';
import type { AnyRecord, AttachmentRecord } from '../model/records.ts';
import type { SharingAgreement } from './agreement.ts';
import { fieldClass, propertyClass } from './fieldRules.ts';
import { loweringReasons, mostRestrictive } from './markings.ts';
import { stringsOf } from './mentions.ts';
import type { Operation } from './operations.ts';
import { canonicalJson, operationSchema, splitField } from './operations.ts';
import type { ReleaseContext, ReleaseInput, ReleaseOptions } from './policy.ts';
import { decideRelease, markingReasons } from './policy.ts';
import { isScanned, needlesOf } from './releaseNeedles.ts';
import { recordsOf } from './caseRecords.ts';

type Json = Readonly<Record<string, unknown>>;

/** Why the second check refused: which rule, so callers branch on the code, not the wording. */
export type ReleaseViolationCode =
  /** The content is not JSON, or neither a case file nor operations. */
  | 'malformed'
  /** A record or operation concerns an item the policy does not release (or another case). */
  | 'not-released'
  /** A field, value, reference or chart node that the policy left out. */
  | 'withheld-field'
  /** Markings missing, lowered (I5) or failing M1–M7. */
  | 'markings'
  /** A deleted record's content, or a deletion of a record that is not deleted (I7). */
  | 'deleted'
  /** A string mentions a withheld record's id or a withheld value (F5). */
  | 'mention';

export class ReleaseViolationError extends Error {
  override readonly name = 'ReleaseViolationError';
  constructor(
    readonly code: ReleaseViolationCode,
    readonly itemId: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ReleaseCheck<A extends AttachmentRecord = AttachmentRecord> {
  /** The local case the content was produced from. */
  readonly input: ReleaseInput<A>;
  readonly agreement: SharingAgreement;
  readonly partnerId: string;
  readonly ownAgencyId: string;
  readonly options?: ReleaseOptions;
}

function asRecords(value: unknown): Json[] {
  return Array.isArray(value) ? (value.filter((v) => v && typeof v === 'object') as Json[]) : [];
}

/**
 * Re-checks serialized content (a case file, an operations document or a bare operations array)
 * against the policy right before sealing. It recomputes the decision for the local case, then
 * reads the bytes on their own terms: every record and operation in it must concern an item the
 * decision releases and carry nothing but that item's released fields and values (a field with no
 * rule in fieldRules.ts is refused, F1); the markings it carries are judged again by M1–M7 and must
 * equal or raise the local ones (I5); a deleted record may appear only as a bare tombstone (I7);
 * and every string it carries is searched again for the ids of withheld and deleted records and
 * for withheld values (F5). Throws ReleaseViolationError naming the first offending item.
 */
export function assertReleasable<A extends AttachmentRecord>(
  serialized: string,
  check: ReleaseCheck<A>,
): void {
  const { input, agreement, partnerId, ownAgencyId } = check;
  const ladder = check.options?.classifications ?? DEFAULT_CLASSIFICATIONS;
  const context: ReleaseContext = { partnerId, ownAgencyId, agreement, ladder };
  const decision = decideRelease(input, agreement, partnerId, ownAgencyId, check.options);
  const local = new Map<string, AnyRecord>(recordsOf(input).map((record) => [record.id, record]));
  const released = new Map<string, AnyRecord>(
    recordsOf(decision.released).map((record) => [record.id, record]),
  );
  const withheldReasons = new Map(decision.withheld.map((item) => [item.id, item]));
  const finder = needlesOf(
    input,
    new Set(decision.withheld.map((item) => item.id)),
    decision.stripped,
    released.values(),
    // Source texts the decision lets go in their own right (see decideRelease's F5).
    [...released.values()].flatMap((record) =>
      'provenance' in record && record.provenance.source ? [record.provenance.source] : [],
    ),
  );

  const fail = (code: ReleaseViolationCode, id: string, message: string): never => {
    const record = local.get(id);
    const label = record ? `${captionOfRecord(record, 'release')} (${id})` : `record ${id}`;
    throw new ReleaseViolationError(code, id, `${label} may not go to ${partnerId}: ${message}`);
  };
  const releasedRecord = (id: unknown): AnyRecord => {
    if (typeof id !== 'string') return fail('not-released', String(id), 'it has no valid id');
    const record = released.get(id);
    if (record) return record;
    if (local.get(id)?.deleted) {
      return fail('deleted', id, 'it is deleted, and a deleted record’s content never goes (I7)');
    }
    const withheld = withheldReasons.get(id);
    return fail(
      'not-released',
      id,
      withheld
        ? withheld.reasons.map((text, i) => `${text} (${withheld.rules[i]})`).join('; ')
        : 'it is not part of the released case',
    );
  };
  const scan = (record: AnyRecord, field: string, value: unknown): void => {
    for (const text of stringsOf(value)) {
      const hit = finder.find(text);
      if (hit !== undefined) fail('mention', record.id, `${field} mentions ${hit} (F5)`);
    }
  };
  const ownMarkings = (record: AnyRecord, markings: unknown, property?: string): void => {
    const localRecord = local.get(record.id)!;
    const after = markings as Markings | undefined;
    if (!after || typeof after !== 'object' || !Array.isArray(after.releasableTo)) {
      fail('markings', record.id, 'its markings are missing');
      return;
    }
    // A property's own markings are compared with its own local ones, and judged combined with
    // the record's, as the policy does.
    const before =
      property === undefined
        ? localRecord.markings
        : localRecord.kind === 'entity'
          ? localRecord.propertyMarkings?.[property]
          : undefined;
    if (!before) {
      fail('markings', record.id, `markings of ${property ?? 'the record'} are not known here`);
      return;
    }
    const lowered = loweringReasons(before, after, ladder);
    if (lowered.length > 0) {
      fail('markings', record.id, `markings lowered: ${lowered.join('; ')} (I5)`);
    }
    const effective =
      property === undefined ? after : mostRestrictive(localRecord.markings, after, ladder);
    const reasons = markingReasons(effective, localRecord.originAgency, context);
    if (reasons.length > 0) {
      fail('markings', record.id, reasons.map((r) => `${r.text} (${r.rule})`).join('; '));
    }
  };
  const subset = (allowed: unknown, given: unknown): boolean => {
    if (!Array.isArray(given)) return canonicalJson(allowed) === canonicalJson(given);
    if (!Array.isArray(allowed)) return false;
    const ok = new Set(allowed.map(canonicalJson));
    return given.every((value) => ok.has(canonicalJson(value)));
  };
  const checkField = (record: AnyRecord, field: string, value: unknown): void => {
    const { top, key } = splitField(field);
    const cls = fieldClass(record.kind, top);
    if (cls === undefined) {
      return fail('withheld-field', record.id, `${top} has no release rule (F1)`);
    }
    if (cls === 'structure') return;
    const allowed = (record as unknown as Json)[top];
    if (cls === 'markings') {
      if (value === null || value === undefined) return;
      if (key !== undefined) {
        const map = allowed as Json | undefined;
        if (!map || !Object.hasOwn(map, key)) {
          fail('withheld-field', record.id, `${field} is withheld`);
        }
        ownMarkings(record, value, key);
      } else if (top === 'markings') ownMarkings(record, value);
      else
        for (const [name, entry] of Object.entries(value as Json)) ownMarkings(record, entry, name);
      return;
    }
    if (key !== undefined) {
      const map = allowed as Json | undefined;
      if (value === null) return; // removing an entry carries nothing
      if (!map || !Object.hasOwn(map, key))
        fail('withheld-field', record.id, `${field} is withheld`);
      else if (!subset(map[key], value)) {
        fail('withheld-field', record.id, `${field} holds withheld values`);
      }
      if (
        cls !== 'nodes' &&
        !(record.kind === 'entity' && propertyClass(record.schema, key) === 'reference')
      ) {
        scan(record, field, value);
      }
      return;
    }
    if (value === null || value === undefined) return;
    if (cls === 'properties' || cls === 'nodes') {
      if (typeof value !== 'object') fail('withheld-field', record.id, `${field} is not a map`);
      for (const [name, entry] of Object.entries(value as Json)) {
        checkField(record, `${top}.${name}`, entry);
      }
      return;
    }
    if (canonicalJson(allowed) !== canonicalJson(value)) {
      fail(
        'withheld-field',
        record.id,
        allowed === undefined ? `${field} is withheld` : `${field} differs from what may go`,
      );
    }
    if (isScanned(cls)) scan(record, field, value);
  };
  const checkRecord = (value: Json): void => {
    const record = releasedRecord(value.id);
    if (value.kind !== record.kind) {
      fail('not-released', record.id, `it is a ${record.kind}, not a ${String(value.kind)}`);
    }
    if (value.deleted !== false) fail('deleted', record.id, 'it is marked deleted (I7)');
    ownMarkings(record, value.markings);
    for (const [field, entry] of Object.entries(value)) {
      if (field === 'markings' || field === 'id' || field === 'kind') continue;
      checkField(record, field, entry);
    }
  };
  const checkOperation = (value: unknown): void => {
    const parsed = operationSchema.safeParse(value);
    if (!parsed.success) {
      throw new ReleaseViolationError('malformed', '', 'the content holds an invalid operation');
    }
    const op = parsed.data as Operation;
    if (op.op === 'create') {
      checkRecord(op.record as unknown as Json);
      return;
    }
    if (op.op === 'tombstone') {
      // A deletion carries an id and a clock, and only for a record deleted here (I7).
      const record = local.get(op.recordId);
      if (!record?.deleted) {
        if (record && !released.has(record.id)) releasedRecord(op.recordId);
        fail('deleted', op.recordId, 'a deletion may go only for a record deleted here (I7)');
      }
      if (record!.kind !== op.kind) fail('deleted', op.recordId, `it is a ${record!.kind}`);
      return;
    }
    const record = releasedRecord(op.recordId);
    if (op.kind !== record.kind) fail('not-released', record.id, `it is a ${record.kind}`);
    if (op.op === 'set') checkField(record, op.field, op.value);
  };

  let json: unknown;
  try {
    json = JSON.parse(serialized);
  } catch {
    throw new ReleaseViolationError('malformed', '', 'the content to seal is not valid JSON');
  }
  if (Array.isArray(json)) {
    json.forEach(checkOperation);
    return;
  }
  if (!json || typeof json !== 'object') {
    throw new ReleaseViolationError(
      'malformed',
      '',
      'the content to seal is neither a case nor operations',
    );
  }
  const doc = json as Json;
  if (Array.isArray(doc.operations)) {
    if (doc.caseId !== input.case.id) {
      fail('not-released', String(doc.caseId), 'the operations are for another case');
    }
    doc.operations.forEach(checkOperation);
    return;
  }
  if (!doc.case || typeof doc.case !== 'object') {
    throw new ReleaseViolationError(
      'malformed',
      '',
      'the content to seal is neither a case nor operations',
    );
  }
  checkRecord(doc.case as Json);
  for (const kind of ITEM_KINDS) asRecords(doc[RECORD_KINDS[kind].table]).forEach(checkRecord);
}
