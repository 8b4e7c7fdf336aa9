/**
 * The Dexie implementation of CaseRepository (see repository.types.ts for the contract).
 *
 * Write path: every public mutation validates its input and builds the new record versions inside
 * one change of the unit of work (unitOfWork.ts), which stores them in ONE transaction with one
 * audit entry per record and makes the change undoable. Anything thrown inside the change aborts
 * it, so a failed change writes nothing; quota failures surface as StorageFullError. Records are
 * never hard-deleted (tombstones travel to partners) except by purgeCase.
 *
 * Undo/redo belong to the unit of work, which the repository shares with merges, bulk marking
 * and bundle reviews: undo() reverts the latest change, whoever made it.
 *
 * Import: the whole case file is checked first (zod schema, FtM validation of every entity with the
 * file's ids as the known set, attachment hashes), then written with bulkPut in one transaction.
 * The audit trail gets ONE compact 'import' entry per import (on the case record) rather than one
 * per record: each record keeps its own provenance, and per-record entries would double the write
 * volume of large imports. An import is undoable (undo removes what it inserted, so the file can
 * be imported again); the demo case loaded at the first start is not, and purgeCase never is.
 */
import type { Table } from 'dexie';
import { z } from 'zod';
import type { CaseFile, CaseRecords } from '../../shared/caseFile.ts';
import {
  CASE_FILE_FORMAT,
  CASE_FILE_VERSION,
  caseFileObjectSchema,
} from '../../shared/caseFile.ts';
import { base64ToBytes, bytesToBase64 } from '../../shared/demo/base64.ts';
import {
  DEFAULT_MARKINGS,
  UNGRADED,
  captionOf,
  cleanProperties,
  edgeEnds,
  getSchema,
  model,
  newId,
  validateDate,
  validateEntity,
} from '../../shared/model/index.ts';
import type {
  AnyRecord,
  AttachmentRecord,
  CaseItem,
  CaseRecord,
  ChartNodeView,
  ChartRecord,
  EntityProperties,
  EntityRecord,
  NoteRecord,
  NoticeRecord,
  RecordKind,
  ValidateOptions,
  ValidationErrors,
} from '../../shared/model/index.ts';
import { entityRecordSchema } from '../../shared/model/recordSchemas.ts';
import { CASE_CHART_NAME, caseChartOf, withEntityPlaced } from '../../shared/model/caseChart.ts';
import { lengthProblem, noteSizeProblem, SHORT_TEXT_LIMIT } from '../../shared/model/limits.ts';
import {
  ITEM_KINDS,
  itemsOf,
  RECORD_KINDS,
  RECORD_TABLES,
} from '../../shared/model/recordKinds.ts';
import { chartNodeTable, readChart, withNodeRows } from './chartNodes.ts';
import type { StoredCaseItems } from './records.ts';
import { checkShape, readCaseItems, readRecord, sha256Hex, stripEntity } from './records.ts';
import { DuplicateAttachmentError, RecordValidationError } from './repository.types.ts';
import type {
  CasePatch,
  CaseRepository,
  EntityMeta,
  EntityPatch,
  NewAttachmentInput,
  NewCaseInput,
  NewNoteInput,
  ImportOptions,
  NoticeInput,
  StorageEstimate,
} from './repository.types.ts';
import type { UnitOfWork, WriteTx } from './unitOfWork.ts';
import { createCaseStoreRegistry } from './caseStore.ts';

export const DEFAULT_SOURCE = 'Recorded in Tessera';

export interface RepositoryOptions {
  /** Storage usage and quota; defaults to navigator.storage.estimate(). */
  readonly estimate?: () => Promise<{ usage: number; quota: number }>;
  /** Asks for persistent storage; defaults to navigator.storage.persist(). */
  readonly persist?: () => Promise<boolean>;
}

interface VersionPair {
  readonly before?: AnyRecord;
  readonly after: AnyRecord;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Entities checked and written per step of an import (see importCase). */
const IMPORT_CHUNK = 2000;

/**
 * The case-file schema with the entities left unparsed: importCase parses those in chunks, and
 * repeats caseFileSchema's remaining checks (same case, unique ids) itself.
 */
const caseFileHeaderSchema = caseFileObjectSchema.extend({ entities: z.array(z.unknown()) });

// ---------------------------------------------------------------------------------------------
// Small helpers

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function entityDisplayName(record: EntityRecord): string {
  return captionOf(record.schema, record.properties);
}

function requireText(
  errors: Record<string, string>,
  field: string,
  label: string,
  value: unknown,
): void {
  if (typeof value !== 'string' || value.trim().length === 0)
    errors[field] = `${label} is required`;
  else {
    const tooLong = lengthProblem(label, value, SHORT_TEXT_LIMIT);
    if (tooLong) errors[field] = tooLong;
  }
}

function checkDate(
  errors: Record<string, string>,
  field: string,
  label: string,
  value?: string,
): void {
  if (value === undefined || value === '') return;
  const problem = validateDate(value);
  if (problem) errors[field] = `${label}: ${problem}`;
}

function checkOrder(
  errors: Record<string, string>,
  field: string,
  message: string,
  from?: string,
  to?: string,
): void {
  if (from && to && !errors[field] && to < from) errors[field] = message;
}

function throwIfErrors(errors: ValidationErrors): void {
  if (Object.keys(errors).length > 0) throw new RecordValidationError(errors);
}

function validateCaseFields(record: CaseRecord): void {
  const errors: Record<string, string> = {};
  requireText(errors, 'reference', 'Reference', record.reference);
  requireText(errors, 'title', 'Title', record.title);
  requireText(errors, 'leadInvestigator', 'Lead investigator', record.leadInvestigator);
  checkDate(errors, 'openedOn', 'Opened on', record.openedOn);
  checkDate(errors, 'closedOn', 'Closed on', record.closedOn);
  checkOrder(errors, 'closedOn', 'Closed on is before opened on', record.openedOn, record.closedOn);
  const countries = model.types.country?.values;
  const unknown = record.jurisdictions.filter((code) => countries && !countries.has(code));
  if (unknown.length > 0) {
    errors.jurisdictions = `not a country code (ISO 3166, e.g. de, fr, ro): ${unknown.join(', ')}`;
  }
  throwIfErrors(errors);
  checkShape(record);
}

function validateNoticeFields(record: NoticeRecord): void {
  const errors: Record<string, string> = {};
  requireText(errors, 'reference', 'Reference', record.reference);
  requireText(errors, 'issuingAgency', 'Issuing agency', record.issuingAgency);
  checkDate(errors, 'issuedOn', 'Issued on', record.issuedOn);
  checkDate(errors, 'expiresOn', 'Expires on', record.expiresOn);
  checkOrder(
    errors,
    'expiresOn',
    'Expires on is before issued on',
    record.issuedOn,
    record.expiresOn,
  );
  throwIfErrors(errors);
  checkShape(record);
}

function validateNoteFields(record: NoteRecord): void {
  const errors: Record<string, string> = {};
  requireText(errors, 'title', 'Title', record.title);
  const tooBig = noteSizeProblem(record.body);
  if (tooBig) errors.body = tooBig;
  throwIfErrors(errors);
  checkShape(record);
}

function entityReferences(schemaName: string, properties: EntityProperties): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  const schema = getSchema(schemaName);
  for (const [name, values] of Object.entries(properties)) {
    if (schema.getProperties().get(name)?.type.isEntity) refs.set(name, [...values]);
  }
  return refs;
}

// ---------------------------------------------------------------------------------------------

/**
 * The repository over the page's unit of work (shared with every other writer, so one undo stack
 * covers all changes).
 */
export function createRepository(
  work: UnitOfWork,
  options: RepositoryOptions = {},
): CaseRepository {
  const { db, clock } = work;
  const caseStores = createCaseStoreRegistry(work);
  work.subscribeCommitted((change) => caseStores.apply(change));

  function base(): Pick<
    AnyRecord,
    'id' | 'createdAt' | 'updatedAt' | 'deleted' | 'originAgency' | 'markings'
  > {
    const hlc = clock.now();
    return {
      id: newId(),
      createdAt: hlc,
      updatedAt: hlc,
      deleted: false,
      originAgency: work.actor().agencyId,
      markings: DEFAULT_MARKINGS,
    };
  }

  function provenance(source?: string): EntityRecord['provenance'] {
    const actor = work.actor();
    return {
      source: source ?? DEFAULT_SOURCE,
      originAgency: actor.agencyId,
      recordedBy: actor.userName,
      recordedAt: new Date().toISOString(),
    };
  }

  const getRecord = (kind: RecordKind, id: string) => readRecord(db, kind, id);

  /** A case file around the stored records (entities without their search text). */
  function caseFileOf<A>(record: CaseRecord, items: StoredCaseItems, attachments: readonly A[]) {
    return {
      format: CASE_FILE_FORMAT,
      version: CASE_FILE_VERSION,
      exportedAt: new Date().toISOString(),
      exportedBy: work.actor().agencyId,
      case: record,
      ...items,
      entities: items.entities.map(stripEntity),
      attachments,
    };
  }

  /**
   * One change: `build` validates and returns the new versions (reading through the change's
   * transaction), which the unit of work stores with their audit entries and makes undoable.
   */
  function mutate<T>(
    label: (result: T) => string,
    build: (tx: WriteTx) => Promise<{ result: T; pairs: VersionPair[] }>,
  ): Promise<T> {
    return work.commit({
      label,
      async write(tx) {
        const built = await build(tx);
        for (const { after } of built.pairs) await tx.put(after);
        return built.result;
      },
    });
  }

  async function liveCase(caseId: string): Promise<CaseRecord> {
    const record = await db.cases.get(caseId);
    if (!record || record.deleted) throw new Error(`case ${caseId} does not exist`);
    return record;
  }

  async function liveRecord<K extends RecordKind>(
    kind: K,
    id: string,
  ): Promise<Extract<AnyRecord, { kind: K }>> {
    const record = await getRecord(kind, id);
    if (!record || record.deleted) throw new Error(`${kind} ${id} does not exist`);
    return record as Extract<AnyRecord, { kind: K }>;
  }

  /** Deletion is a tombstone: the record stays, marked deleted, so the deletion can travel. */
  async function tombstone<K extends 'attachment' | 'note' | 'notice' | 'chart'>(
    kind: K,
    id: string,
    label: (record: Extract<AnyRecord, { kind: K }>) => string,
  ): Promise<void> {
    await mutate(label, async () => {
      const before = await liveRecord(kind, id);
      const after = { ...before, deleted: true, updatedAt: clock.now() };
      return { result: before, pairs: [{ before, after }] };
    });
  }

  /** The live (non-deleted) records of one case in a table indexed by caseId. */
  async function liveInCase<T extends { readonly deleted: boolean }>(
    table: Table<T, string>,
    caseId: string,
  ): Promise<T[]> {
    const all = await table.where('caseId').equals(caseId).toArray();
    return all.filter((record) => !record.deleted);
  }

  /** Checks an entity reference of a note, notice or attachment: a live entity of the same case. */
  async function checkEntityRef(
    caseId: string,
    field: string,
    label: string,
    id?: string,
  ): Promise<void> {
    if (!id) return;
    const target = await db.entities.get(id);
    if (!target || target.deleted || target.caseId !== caseId) {
      throw new RecordValidationError({
        [field]: `${label} refers to an entity that is not in this case`,
      });
    }
  }

  async function validatedProperties(
    caseId: string,
    schema: string,
    properties: EntityProperties,
    selfId?: string,
    options: ValidateOptions = {},
  ): Promise<EntityProperties> {
    const cleaned = cleanProperties(properties);
    throwIfErrors(validateEntity(schema, cleaned, undefined, options));
    const refs = entityReferences(schema, cleaned);
    if (refs.size > 0) {
      const ids = [...new Set([...refs.values()].flat())];
      const found = await db.entities.bulkGet(ids);
      const known = new Set<string>();
      for (const entity of found) {
        if (entity && !entity.deleted && entity.caseId === caseId) known.add(entity.id);
      }
      if (selfId) known.add(selfId);
      throwIfErrors(validateEntity(schema, cleaned, known, options));
    }
    return cleaned;
  }

  function checkGradingAndMarkings(meta: EntityMeta): void {
    const errors: Record<string, string> = {};
    if (meta.source !== undefined && meta.source.length > 1024)
      errors.source = 'Source is longer than 1024 characters';
    if (meta.grading && !/^[A-F][1-6]$/.test(`${meta.grading.source}${meta.grading.information}`)) {
      errors.grading = 'Grading must be an Admiralty grade (A–F and 1–6)';
    }
    throwIfErrors(errors);
  }

  const repository: CaseRepository = {
    // ---- Cases
    createCase(input: NewCaseInput) {
      return mutate(
        (record) => `Create case ${record.reference}`,
        () => {
          const record: CaseRecord = {
            ...base(),
            kind: 'case',
            reference: input.reference.trim(),
            title: input.title.trim(),
            status: 'open',
            leadInvestigator: input.leadInvestigator.trim(),
            crimeAreas: (input.crimeAreas ?? []).map((area) => area.trim()).filter(Boolean),
            jurisdictions: (input.jurisdictions ?? [])
              .map((code) => code.trim().toLowerCase())
              .filter(Boolean),
            openedOn: input.openedOn ?? today(),
            ...(input.description ? { description: input.description } : {}),
          };
          validateCaseFields(record);
          if (!input.withCaseChart) {
            return Promise.resolve({ result: record, pairs: [{ after: record }] });
          }
          // A case made in the app has a chart from the start; new entities land on it (caseChart.ts).
          const chart: ChartRecord = {
            ...base(),
            kind: 'chart',
            caseId: record.id,
            name: CASE_CHART_NAME,
            nodes: {},
            layout: 'manual',
          };
          checkShape(chart);
          return Promise.resolve({
            result: record,
            pairs: [{ after: record }, { after: chart }],
          });
        },
      );
    },

    updateCase(caseId: string, patch: CasePatch) {
      return mutate(
        (record) => `Edit case ${record.reference}`,
        async () => {
          const before = await liveCase(caseId);
          const next: Mutable<CaseRecord> = { ...before, updatedAt: clock.now() };
          for (const [key, value] of Object.entries(patch) as [keyof CasePatch, unknown][]) {
            if (value === undefined) continue;
            (next as Record<string, unknown>)[key] =
              typeof value === 'string' ? value.trim() : value;
          }
          if (patch.jurisdictions)
            next.jurisdictions = patch.jurisdictions.map((c) => c.trim().toLowerCase());
          if ((next.status === 'closed' || next.status === 'archived') && !next.closedOn)
            next.closedOn = today();
          validateCaseFields(next);
          return { result: next, pairs: [{ before, after: next }] };
        },
      );
    },

    async getCase(caseId: string) {
      const record = await db.cases.get(caseId);
      return record && !record.deleted ? record : undefined;
    },

    async listCases() {
      // No updatedAt index since schema v4 (it would show when a case changed): sort after decrypting.
      const all = await db.cases.toArray();
      return all
        .filter((record) => !record.deleted)
        .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
    },

    // ---- Entities
    createEntity(
      caseId: string,
      schema: string,
      properties: EntityProperties,
      meta: EntityMeta = {},
    ) {
      return mutate(
        (record) => `Add ${entityDisplayName(record)}`,
        async () => {
          await liveCase(caseId);
          checkGradingAndMarkings(meta);
          const cleaned = await validatedProperties(caseId, schema, properties);
          const record: EntityRecord = {
            ...base(),
            kind: 'entity',
            caseId,
            schema,
            properties: cleaned,
            provenance: provenance(meta.source),
            grading: meta.grading ?? UNGRADED,
            markings: meta.markings ?? DEFAULT_MARKINGS,
          };
          checkShape(record);
          const pairs: VersionPair[] = [{ after: record }];
          // Placed on the case chart in the same change, so one undo takes back both.
          const chart = caseChartOf(await withNodeRows(db, await liveInCase(db.charts, caseId)));
          const nodes = chart ? withEntityPlaced(chart.nodes, record) : undefined;
          if (chart && nodes) {
            pairs.push({ before: chart, after: { ...chart, nodes, updatedAt: clock.now() } });
          }
          return { result: record, pairs };
        },
      );
    },

    updateEntity(entityId: string, patch: EntityPatch) {
      return mutate(
        (record) => `Edit ${entityDisplayName(record)}`,
        async () => {
          const before = await liveRecord('entity', entityId);
          checkGradingAndMarkings(patch);
          const properties = patch.properties
            ? await validatedProperties(before.caseId, before.schema, patch.properties, before.id, {
                // An imported entity may have come without a required value (issue 11).
                allowMissingRequired: before.external !== undefined,
              })
            : before.properties;
          const after: EntityRecord = {
            ...before,
            updatedAt: clock.now(),
            properties,
            provenance:
              patch.source !== undefined
                ? { ...before.provenance, source: patch.source }
                : before.provenance,
            grading: patch.grading ?? before.grading,
            markings: patch.markings ?? before.markings,
          };
          checkShape(after);
          return { result: after, pairs: [{ before, after }] };
        },
      );
    },

    async deleteEntity(entityId: string) {
      await mutate(
        (record) => `Delete ${entityDisplayName(record)}`,
        async () => {
          const before = await liveRecord('entity', entityId);
          const pairs: VersionPair[] = [
            { before, after: { ...before, deleted: true, updatedAt: clock.now() } },
          ];
          const attached = await db.entities
            .where('caseId')
            .equals(before.caseId)
            .filter((entity) => {
              if (entity.deleted || entity.id === entityId) return false;
              const ends = edgeEnds(entity.schema, entity.properties);
              return ends !== undefined && (ends.source === entityId || ends.target === entityId);
            })
            .toArray();
          for (const stored of attached) {
            const relationship = stripEntity(stored);
            pairs.push({
              before: relationship,
              after: { ...relationship, deleted: true, updatedAt: clock.now() },
            });
          }
          return { result: before, pairs };
        },
      );
    },

    caseStores,

    async listEntities(caseId: string) {
      const stored = await db.entities.where('caseId').equals(caseId).toArray();
      const out: EntityRecord[] = [];
      for (const entity of stored) if (!entity.deleted) out.push(stripEntity(entity));
      return out;
    },

    async getEntity(entityId: string) {
      const stored = await db.entities.get(entityId);
      return stored && !stored.deleted ? stripEntity(stored) : undefined;
    },

    // ---- Attachments
    async addAttachment(caseId: string, input: NewAttachmentInput) {
      const bytes = await input.content.arrayBuffer();
      const sha256 = await sha256Hex(bytes);
      return mutate(
        (record) => `Attach ${record.fileName}`,
        async (tx) => {
          await liveCase(caseId);
          await checkEntityRef(caseId, 'entityId', 'The attachment', input.entityId);
          if (!input.allowDuplicate) {
            const same = (await db.attachments.where('caseId').equals(caseId).toArray()).find(
              (other) =>
                !other.deleted &&
                other.sha256 === sha256 &&
                (other.entityId ?? '') === (input.entityId ?? ''),
            );
            if (same) throw new DuplicateAttachmentError(same);
          }
          const record: AttachmentRecord = {
            ...base(),
            kind: 'attachment',
            caseId,
            fileName: input.fileName.trim(),
            mediaType: input.mediaType || 'application/octet-stream',
            size: bytes.byteLength,
            sha256,
            provenance: provenance(),
            ...(input.entityId ? { entityId: input.entityId } : {}),
            ...(input.description ? { description: input.description } : {}),
          };
          if (!record.fileName)
            throw new RecordValidationError({ fileName: 'File name is required' });
          checkShape(record);
          await tx.putBlob(record.id, input.content);
          return { result: record, pairs: [{ after: record }] };
        },
      );
    },

    async getAttachmentContent(attachmentId: string) {
      const [record, blob] = await db.transaction('r', [db.attachments, db.attachmentBlobs], () =>
        Promise.all([db.attachments.get(attachmentId), db.attachmentBlobs.get(attachmentId)]),
      );
      if (!record) throw new Error(`attachment ${attachmentId} does not exist`);
      if (!blob) throw new Error(`the content of attachment '${record.fileName}' is missing`);
      const actual = await sha256Hex(await blob.content.arrayBuffer());
      if (actual !== record.sha256) {
        throw new Error(
          `attachment '${record.fileName}' has been altered: its SHA-256 no longer matches the one recorded when it was added`,
        );
      }
      return blob.content;
    },

    listAttachments(caseId: string) {
      return liveInCase(db.attachments, caseId);
    },

    deleteAttachment(attachmentId: string) {
      return tombstone('attachment', attachmentId, (record) => `Delete ${record.fileName}`);
    },

    // ---- Notes
    createNote(caseId: string, input: NewNoteInput) {
      return mutate(
        (record) => `Add note ${record.title}`,
        async () => {
          await liveCase(caseId);
          await checkEntityRef(caseId, 'entityId', 'The note', input.entityId);
          const record: NoteRecord = {
            ...base(),
            kind: 'note',
            caseId,
            title: input.title.trim(),
            body: input.body,
            author: work.actor().userName,
            ...(input.entityId ? { entityId: input.entityId } : {}),
          };
          validateNoteFields(record);
          return { result: record, pairs: [{ after: record }] };
        },
      );
    },

    updateNote(noteId: string, patch: Partial<NewNoteInput>) {
      return mutate(
        (record) => `Edit note ${record.title}`,
        async () => {
          const before = await liveRecord('note', noteId);
          await checkEntityRef(before.caseId, 'entityId', 'The note', patch.entityId);
          const after: NoteRecord = {
            ...before,
            updatedAt: clock.now(),
            ...(patch.title !== undefined ? { title: patch.title.trim() } : {}),
            ...(patch.body !== undefined ? { body: patch.body } : {}),
            ...(patch.entityId !== undefined ? { entityId: patch.entityId } : {}),
          };
          validateNoteFields(after);
          return { result: after, pairs: [{ before, after }] };
        },
      );
    },

    deleteNote(noteId: string) {
      return tombstone('note', noteId, (record) => `Delete note ${record.title}`);
    },

    listNotes(caseId: string) {
      return liveInCase(db.notes, caseId);
    },

    // ---- Notices
    createNotice(caseId: string, input: NoticeInput) {
      return mutate(
        (record) => `Add ${record.noticeType} notice ${record.reference}`,
        async () => {
          await liveCase(caseId);
          await checkEntityRef(caseId, 'subjectId', 'The subject', input.subjectId);
          const record: NoticeRecord = {
            ...base(),
            kind: 'notice',
            caseId,
            noticeType: input.noticeType,
            reference: input.reference.trim(),
            issuingAgency: input.issuingAgency.trim(),
            status: input.status,
            summary: input.summary,
            ...(input.subjectId ? { subjectId: input.subjectId } : {}),
            ...(input.issuedOn ? { issuedOn: input.issuedOn } : {}),
            ...(input.expiresOn ? { expiresOn: input.expiresOn } : {}),
          };
          validateNoticeFields(record);
          return { result: record, pairs: [{ after: record }] };
        },
      );
    },

    updateNotice(noticeId: string, patch: Partial<NoticeInput>) {
      return mutate(
        (record) => `Edit ${record.noticeType} notice ${record.reference}`,
        async () => {
          const before = await liveRecord('notice', noticeId);
          await checkEntityRef(before.caseId, 'subjectId', 'The subject', patch.subjectId);
          const next: Record<string, unknown> = { ...before, updatedAt: clock.now() };
          for (const [key, value] of Object.entries(patch)) {
            if (value !== undefined) next[key] = typeof value === 'string' ? value.trim() : value;
          }
          const after = next as unknown as NoticeRecord;
          validateNoticeFields(after);
          return { result: after, pairs: [{ before, after }] };
        },
      );
    },

    deleteNotice(noticeId: string) {
      return tombstone(
        'notice',
        noticeId,
        (record) => `Delete ${record.noticeType} notice ${record.reference}`,
      );
    },

    listNotices(caseId: string) {
      return liveInCase(db.notices, caseId);
    },

    // ---- Charts
    createChart(caseId: string, name: string, nodes: Record<string, ChartNodeView> = {}) {
      return mutate(
        (record) => `Create chart ${record.name}`,
        async () => {
          await liveCase(caseId);
          const record: ChartRecord = {
            ...base(),
            kind: 'chart',
            caseId,
            name: name.trim(),
            nodes,
            layout: 'manual',
          };
          if (!record.name) throw new RecordValidationError({ name: 'Chart name is required' });
          checkShape(record);
          return { result: record, pairs: [{ after: record }] };
        },
      );
    },

    updateChart(
      chartId: string,
      patch: Partial<Pick<ChartRecord, 'name' | 'nodes' | 'layout' | 'viewport'>>,
    ) {
      return mutate(
        (record) => `Edit chart ${record.name}`,
        async () => {
          const before = await liveRecord('chart', chartId);
          const after: ChartRecord = {
            ...before,
            updatedAt: clock.now(),
            ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
            ...(patch.nodes !== undefined ? { nodes: patch.nodes } : {}),
            ...(patch.layout !== undefined ? { layout: patch.layout } : {}),
            ...(patch.viewport !== undefined ? { viewport: patch.viewport } : {}),
          };
          if (!after.name) throw new RecordValidationError({ name: 'Chart name is required' });
          checkShape(after);
          return { result: after, pairs: [{ before, after }] };
        },
      );
    },

    deleteChart(chartId: string) {
      return tombstone('chart', chartId, (record) => `Delete chart ${record.name}`);
    },

    moveChartNodes(chart: ChartRecord, nodes: Readonly<Record<string, ChartNodeView>>) {
      return work.commit({
        label: `Move nodes on ${chart.name}`,
        // The chart record is not read: at 50,000 nodes that read costs what the per-node rows
        // save. `chart` is the live version the view shows (see WriteTx.moveChartNodes).
        write: async (tx) => {
          await tx.moveChartNodes(chart, nodes);
        },
      });
    },

    async listCharts(caseId: string) {
      return withNodeRows(db, await liveInCase(db.charts, caseId));
    },

    listChartRecords(caseId: string) {
      return liveInCase(db.charts, caseId);
    },

    async listChartNodeMoves(caseId: string) {
      return (await chartNodeTable(db)?.where('caseId').equals(caseId).toArray()) ?? [];
    },

    async getChart(chartId: string) {
      const record = await readChart(db, chartId);
      return record && !record.deleted ? record : undefined;
    },

    // ---- Undo
    async restoreVersions(versions: readonly AnyRecord[], reason: string) {
      for (const version of versions) checkShape(version);
      await work.commit({
        label: reason,
        async write(tx) {
          for (const version of versions) {
            await tx.put({ ...version, updatedAt: clock.now() } as AnyRecord, {
              action: 'restore',
              summary: (derived) => `${reason}: ${derived}`,
            });
          }
        },
      });
    },

    undo: () => work.undo(),
    redo: () => work.redo(),
    undoState: () => work.undoState(),
    subscribeUndo: (listener) => work.subscribeUndo(listener),

    // ---- Audit
    async history(recordId: string) {
      const entries = await db.audit.where('recordId').equals(recordId).toArray();
      return entries.sort((a, b) =>
        a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : a.id < b.id ? -1 : 1,
      );
    },

    async caseAudit(caseId: string) {
      const entries = await db.audit.where('caseId').equals(caseId).toArray();
      return entries.sort((a, b) =>
        a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : a.id < b.id ? -1 : 1,
      );
    },

    // ---- Whole cases
    async exportCaseRecords(caseId: string): Promise<CaseRecords> {
      const [record, items] = await db.transaction(
        'r',
        [...RECORD_TABLES.map((table) => db[table]), db.chartNodes],
        () => Promise.all([db.cases.get(caseId), readCaseItems(db, caseId)]),
      );
      if (!record || record.deleted) throw new Error(`case ${caseId} does not exist`);
      return caseFileOf(record, items, items.attachments) as CaseRecords;
    },

    async exportCase(caseId: string): Promise<CaseFile> {
      const [record, items, blobs] = await db.transaction(
        'r',
        [...RECORD_TABLES.map((table) => db[table]), db.chartNodes, db.attachmentBlobs],
        async () => {
          const items = await readCaseItems(db, caseId);
          const [record, blobs] = await Promise.all([
            db.cases.get(caseId),
            db.attachmentBlobs.bulkGet(items.attachments.map((a) => a.id)),
          ]);
          return [record, items, blobs] as const;
        },
      );
      if (!record || record.deleted) throw new Error(`case ${caseId} does not exist`);
      const { attachments } = items;
      const withContent: CaseFile['attachments'] = [];
      for (let i = 0; i < attachments.length; i += 1) {
        const attachment = attachments[i];
        const blob = blobs[i];
        if (!blob) throw new Error(`the content of attachment '${attachment.fileName}' is missing`);
        const bytes = new Uint8Array(await blob.content.arrayBuffer());
        if ((await sha256Hex(bytes)) !== attachment.sha256) {
          throw new Error(
            `attachment '${attachment.fileName}' has been altered since it was added`,
          );
        }
        withContent.push({
          ...attachment,
          contentBase64: bytesToBase64(bytes),
        } as CaseFile['attachments'][number]);
      }
      return caseFileOf(record, items, withContent) as CaseFile;
    },

    async importCase(file: CaseFile, importOptions: ImportOptions = {}) {
      // Everything but the entities is checked up front; the entities (the bulk of a large case)
      // are checked chunk by chunk inside the transaction, each chunk's bulkPut being issued before
      // the next chunk is checked, so validation overlaps the database's disk writes. A problem
      // found in any chunk throws, which aborts the transaction: still all or nothing.
      const header = caseFileHeaderSchema.safeParse(file);
      if (!header.success) {
        const errors: Record<string, string> = {};
        for (const issue of header.error.issues.slice(0, 10)) {
          errors[issue.path.join('.') || 'file'] = issue.message;
        }
        throw new RecordValidationError(errors);
      }
      const data = header.data;
      const caseId = data.case.id;
      const errors: Record<string, string> = {};
      const addError = (key: string, message: string): void => {
        if (Object.keys(errors).length < 10) errors[key] = message;
      };
      const entityIds = new Set<string>();
      for (const raw of data.entities) {
        const entityId = (raw as { id?: unknown } | null)?.id;
        if (typeof entityId === 'string') entityIds.add(entityId);
      }
      const seen = new Set<string>();
      let latest = data.case.updatedAt;
      for (const kind of ITEM_KINDS) {
        if (kind === 'entity') continue; // checked chunk by chunk below
        const list = RECORD_KINDS[kind].table;
        const items: readonly CaseItem[] = data[list];
        items.forEach((item, index) => {
          if (item.caseId !== caseId)
            addError(`${list}[${index}]`, `record ${item.id} belongs to another case`);
          if (seen.has(item.id) || entityIds.has(item.id))
            addError(`${list}[${index}]`, `duplicate record id ${item.id}`);
          seen.add(item.id);
          if (item.updatedAt > latest) latest = item.updatedAt;
        });
      }
      data.notes.forEach((note, index) => {
        if (note.entityId && !entityIds.has(note.entityId))
          addError(`notes[${index}]`, `${note.id}: unknown entity`);
      });
      data.notices.forEach((notice, index) => {
        if (notice.subjectId && !entityIds.has(notice.subjectId)) {
          addError(`notices[${index}]`, `${notice.id}: unknown subject`);
        }
        for (const [field, value] of [
          ['issuedOn', notice.issuedOn],
          ['expiresOn', notice.expiresOn],
        ] as const) {
          const problem = value ? validateDate(value) : undefined;
          if (problem) addError(`notices[${index}].${field}`, problem);
        }
      });
      for (const [field, value] of [
        ['openedOn', data.case.openedOn],
        ['closedOn', data.case.closedOn],
      ] as const) {
        const problem = value ? validateDate(value) : undefined;
        if (problem) addError(`case.${field}`, problem);
      }
      const blobs: { id: string; content: Blob }[] = [];
      for (const [index, attachment] of data.attachments.entries()) {
        let bytes: Uint8Array;
        try {
          bytes = base64ToBytes(attachment.contentBase64);
        } catch (error) {
          addError(`attachments[${index}]`, `${attachment.fileName}: ${(error as Error).message}`);
          continue;
        }
        if (bytes.length !== attachment.size) {
          addError(
            `attachments[${index}]`,
            `${attachment.fileName}: size does not match its content`,
          );
        } else if ((await sha256Hex(bytes)) !== attachment.sha256) {
          addError(
            `attachments[${index}]`,
            `${attachment.fileName}: SHA-256 does not match its content`,
          );
        }
        blobs.push({
          id: attachment.id,
          content: new Blob([bytes as BlobPart], { type: attachment.mediaType }),
        });
      }
      throwIfErrors(errors);

      /** Parses and validates entities [start, end); returns them ready to store or throws. */
      const checkEntities = (start: number, end: number): EntityRecord[] => {
        const out: EntityRecord[] = [];
        for (let index = start; index < end; index += 1) {
          const parsed = entityRecordSchema.safeParse(data.entities[index]);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            addError(`entities[${index}]`, `${issue.path.join('.')}: ${issue.message}`);
            continue;
          }
          const entity = parsed.data as EntityRecord;
          if (entity.caseId !== caseId)
            addError(`entities[${index}]`, `record ${entity.id} belongs to another case`);
          if (seen.has(entity.id))
            addError(`entities[${index}]`, `duplicate record id ${entity.id}`);
          seen.add(entity.id);
          if (entity.updatedAt > latest) latest = entity.updatedAt;
          const messages = Object.values(
            validateEntity(entity.schema, entity.properties, entityIds, {
              allowMissingRequired: entity.external !== undefined,
            }),
          );
          if (messages.length > 0) {
            addError(`entities[${index}]`, `${entity.schema} ${entity.id}: ${messages.join('; ')}`);
          }
          out.push(entity);
        }
        throwIfErrors(errors);
        return out;
      };

      const attachments = data.attachments.map(
        ({ contentBase64: _content, ...attachment }) => attachment,
      );
      await work.commit({
        label: `Import case ${data.case.reference}`,
        undoable: importOptions.undoable ?? true,
        bulkInsert: true,
        async write(tx) {
          if (await db.cases.get(caseId)) {
            throw new Error(
              `case ${data.case.reference} is already stored here; remove it before importing this file`,
            );
          }
          const pending: Promise<unknown>[] = [];
          const track = (request: Promise<unknown>): void => {
            // Awaited together below; the catch only keeps an abort from being reported twice.
            request.catch(() => undefined);
            pending.push(request);
          };
          // Each insertMany issues its bulkPut before returning, so checking the next chunk of
          // entities overlaps the database's writes of the previous one.
          track(tx.insertMany([data.case, ...itemsOf({ ...data, entities: [], attachments })]));
          for (const blob of blobs) track(tx.putBlob(blob.id, blob.content));
          for (let start = 0; start < data.entities.length; start += IMPORT_CHUNK) {
            track(
              tx.insertMany(
                checkEntities(start, Math.min(start + IMPORT_CHUNK, data.entities.length)),
              ),
            );
          }
          try {
            clock.receive(latest);
          } catch (error) {
            throw new RecordValidationError({ file: (error as Error).message });
          }
          tx.audit({
            caseId,
            recordId: caseId,
            recordKind: 'case',
            action: 'import',
            hlc: clock.now(),
            after: data.case,
            summary:
              `imported case '${data.case.reference}' exported by ${data.exportedBy} on ${data.exportedAt}: ` +
              `${data.entities.length} entities and relationships, ${data.notes.length} notes, ` +
              `${data.attachments.length} attachments, ${data.notices.length} notices, ${data.charts.length} charts`,
          });
          await Promise.all(pending);
        },
      });
      return caseId;
    },
    async purgeCase(caseId: string) {
      await work.commit({
        label: 'Remove case for good',
        undoable: false,
        async write(tx) {
          await tx.purgeCase(caseId);
        },
      });
      work.forgetCase(caseId);
    },

    // ---- Storage
    async requestPersistence() {
      if (options.persist) return options.persist();
      const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
      if (!storage || typeof storage.persist !== 'function') return false;
      return storage.persist();
    },

    async estimateStorage(): Promise<StorageEstimate> {
      const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
      const persisted =
        storage && typeof storage.persisted === 'function'
          ? await storage.persisted().catch(() => false)
          : false;
      if (options.estimate) return { ...(await options.estimate()), persisted };
      if (!storage || typeof storage.estimate !== 'function')
        return { usage: 0, quota: 0, persisted };
      const estimate = await storage.estimate();
      return { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0, persisted };
    },
  };
  return repository;
}
