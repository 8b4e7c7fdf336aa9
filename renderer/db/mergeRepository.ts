/**
 * Merging two entities of a case judged to be the same, and undoing such a merge.
 *
 * A merge is ONE read-write transaction that writes, under one audit change id:
 * - the kept entity with the union of both property sets (shared/resolution/merge.ts decides the
 *   order and the schema), audit action 'merge', `before` = the kept entity as it was;
 * - the dropped entity as a tombstone, audit action 'merge', `before` = the dropped entity as it
 *   was. Both before-versions together are the merge's provenance: `mergeEntities(keptBefore,
 *   droppedBefore)` recomputes which value came from which entity;
 * - every record that pointed at the dropped entity re-pointed to the kept one (audit 'update'):
 *   entity-reference properties of entities and relationships, `entityId` of notes and
 *   attachments, `subjectId` of notices, chart nodes. A relationship that would link the kept
 *   entity to itself is tombstoned instead.
 *
 * Both commit through the unit of work, so a merge is one undoable change like any other: Ctrl+Z
 * right after it reverts the merge (not the edit made before it).
 *
 * The Duplicates panel can also undo a merge later, from the audit trail: undoMergeInCase reads
 * the entries of that change id and writes every `before` back (fresh clocks, audit 'restore', one
 * change, itself undoable). A record edited since the merge is not silently overwritten: the undo
 * refuses with UndoConflictError, except for charts, where only the moved node is put back.
 */
import {
  TLP_LEVELS,
  captionOf,
  cleanProperties,
  compareHlc,
  getSchema,
  validateEntity,
} from '../../shared/model/index.ts';
import type {
  AnyRecord,
  AuditEntry,
  ChartRecord,
  EntityProperties,
  EntityRecord,
  Markings,
} from '../../shared/model/index.ts';
import { captionOfRecord, itemsOf } from '../../shared/model/recordKinds.ts';
import { mergeExternal, ownProperties } from '../../shared/interchange/standIns.ts';
import { mergeEntities } from '../../shared/resolution/merge.ts';
import type { TesseraDatabase } from './database.ts';
import { readCaseItems, stripEntity, summariseChange } from './records.ts';
import { RecordValidationError, UndoConflictError } from './repository.types.ts';
import type { UnitOfWork } from './unitOfWork.ts';

export interface MergeOutcome {
  /** Audit change id of the merge; pass it to undoMergeInCase. */
  readonly changeId: string;
  readonly kept: EntityRecord;
  readonly dropped: EntityRecord;
  /** Records re-pointed from the dropped entity to the kept one (tombstoned self-links included). */
  readonly repointed: number;
}

/** A merge found in the audit trail. */
export interface MergeSummary {
  readonly changeId: string;
  readonly keptId: string;
  readonly droppedId: string;
  readonly keptCaption: string;
  readonly droppedCaption: string;
  /** ISO wall time of the merge. */
  readonly at: string;
  readonly actor: string;
  /** False once undone, or when the dropped entity was restored some other way. */
  readonly undoable: boolean;
}

const MERGE_PREFIX = 'merge';

/** Replaces `from` by `to` in entity-reference properties; undefined when nothing refers to it. */
function repointProperties(
  schemaName: string,
  properties: EntityProperties,
  from: string,
  to: string,
): EntityProperties | undefined {
  const schemaProps = getSchema(schemaName).getProperties();
  let changed = false;
  const next: Record<string, readonly string[]> = {};
  for (const [name, values] of Object.entries(properties)) {
    if (schemaProps.get(name)?.type.isEntity && values.includes(from)) {
      changed = true;
      next[name] = [...new Set(values.map((value) => (value === from ? to : value)))];
    } else next[name] = values;
  }
  return changed ? next : undefined;
}

/** True when every entity reference of the record is `id` (a link from an entity to itself). */
function onlyRefersTo(schemaName: string, properties: EntityProperties, id: string): boolean {
  const schemaProps = getSchema(schemaName).getProperties();
  const refs = Object.entries(properties)
    .filter(([name]) => schemaProps.get(name)?.type.isEntity)
    .flatMap(([, values]) => values);
  return refs.length > 1 && refs.every((value) => value === id);
}

/** The stricter of two markings field by field: merged data must not be handled more loosely. */
function stricterMarkings(a: Markings, b: Markings): Markings {
  const tlp = TLP_LEVELS.indexOf(b.tlp) > TLP_LEVELS.indexOf(a.tlp) ? b.tlp : a.tlp;
  // Release only where both records may go; the classification ladder is agency-specific, so the
  // kept record's rung stays and a person reviews it.
  const releasableTo = a.releasableTo.filter((agency) => b.releasableTo.includes(agency));
  return {
    ...a,
    tlp,
    releasableTo,
    referToOriginator: a.referToOriginator || b.referToOriginator,
  };
}

/** Merges `dropId` into `keepId` (both live entities of one case) in one transaction. */
export async function mergeEntitiesInCase(
  work: UnitOfWork,
  keepId: string,
  dropId: string,
): Promise<MergeOutcome> {
  if (keepId === dropId) throw new Error('cannot merge an entity with itself');
  const { db, clock } = work;
  return work.commit({
    label: ({ kept, dropped }) =>
      `Merge ${captionOf(dropped.schema, dropped.properties)} into ${captionOf(kept.schema, kept.properties)}`,
    async write(tx) {
      const [keepStored, dropStored] = await db.entities.bulkGet([keepId, dropId]);
      if (!keepStored || keepStored.deleted) throw new Error(`entity ${keepId} does not exist`);
      if (!dropStored || dropStored.deleted) throw new Error(`entity ${dropId} does not exist`);
      const keep = stripEntity(keepStored);
      const drop = stripEntity(dropStored);
      if (keep.caseId !== drop.caseId) throw new Error('cannot merge entities of different cases');
      const caseId = keep.caseId;
      const merged = mergeEntities(
        {
          id: keep.id,
          schema: keep.schema,
          properties: ownProperties(keep) as Record<string, string[]>,
        },
        {
          id: drop.id,
          schema: drop.schema,
          properties: ownProperties(drop) as Record<string, string[]>,
        },
      );
      // A reference from one of the two to the other would become a reference to itself.
      const ownProps =
        repointProperties(merged.entity.schema, merged.entity.properties, dropId, keepId) ??
        merged.entity.properties;
      const properties = cleanProperties(ownProps);
      // An imported entity may lack a required value (see ValidateOptions); merging keeps that.
      const errors = validateEntity(merged.entity.schema, properties, undefined, {
        allowMissingRequired: keep.external !== undefined || drop.external !== undefined,
      });
      if (Object.keys(errors).length > 0) throw new RecordValidationError(errors);

      // Every new version must order after every version it replaces, whoever's clock wrote it.
      const touched = await readCaseItems(db, caseId);
      let latest = keep.updatedAt;
      for (const record of itemsOf(touched))
        if (compareHlc(record.updatedAt, latest) > 0) latest = record.updatedAt;
      clock.receive(latest);
      const { entities: others, notes, attachments: files, notices, charts } = touched;

      const write = async (
        action: AuditEntry['action'],
        before: AnyRecord,
        after: AnyRecord,
        summary: string,
      ) => {
        if (compareHlc(after.updatedAt, before.updatedAt) <= 0)
          throw new Error('clock went backwards');
        await tx.put(after, { action, summary: () => summary });
      };

      // Merging resolves an import's stand-in (shared/interchange/standIns.ts).
      const { external: _external, ...keepRest } = keep;
      const external = mergeExternal(keep.external, drop.external);
      const kept: EntityRecord = {
        ...keepRest,
        ...(external && { external }),
        schema: merged.entity.schema,
        properties,
        markings: stricterMarkings(keep.markings, drop.markings),
        ...(keep.propertyMarkings || drop.propertyMarkings
          ? { propertyMarkings: { ...drop.propertyMarkings, ...keep.propertyMarkings } }
          : {}),
        updatedAt: clock.now(),
      };
      const dropped: EntityRecord = { ...drop, deleted: true, updatedAt: clock.now() };
      await write(
        'merge',
        keep,
        kept,
        `${MERGE_PREFIX}d ${captionOfRecord(drop, 'audit')} (${drop.id}) into this record: ${summariseChange(keep, kept)}`,
      );
      await write(
        'merge',
        drop,
        dropped,
        `${MERGE_PREFIX}d into ${captionOfRecord(keep, 'audit')} (${keep.id})`,
      );

      let repointed = 0;
      const why = `re-pointed from ${captionOfRecord(drop, 'audit')} to ${captionOfRecord(keep, 'audit')}`;
      for (const stored of others) {
        if (stored.deleted || stored.id === keepId || stored.id === dropId) continue;
        const next = repointProperties(stored.schema, stored.properties, dropId, keepId);
        if (!next) continue;
        const before = stripEntity(stored);
        const selfLink = onlyRefersTo(stored.schema, next, keepId);
        const after: EntityRecord = {
          ...before,
          properties: next,
          deleted: selfLink,
          updatedAt: clock.now(),
        };
        await write(
          'update',
          before,
          after,
          selfLink
            ? `${why}: removed, it would link ${captionOfRecord(keep, 'audit')} to itself`
            : `${why}: ${summariseChange(before, after)}`,
        );
        repointed += 1;
      }
      for (const note of notes) {
        if (note.deleted || note.entityId !== dropId) continue;
        await write('update', note, { ...note, entityId: keepId, updatedAt: clock.now() }, why);
        repointed += 1;
      }
      for (const file of files) {
        if (file.deleted || file.entityId !== dropId) continue;
        await write('update', file, { ...file, entityId: keepId, updatedAt: clock.now() }, why);
        repointed += 1;
      }
      for (const notice of notices) {
        if (notice.deleted || notice.subjectId !== dropId) continue;
        await write(
          'update',
          notice,
          { ...notice, subjectId: keepId, updatedAt: clock.now() },
          why,
        );
        repointed += 1;
      }
      for (const chart of charts) {
        const view = chart.nodes[dropId];
        if (chart.deleted || !view) continue;
        const { [dropId]: _gone, ...nodes } = chart.nodes;
        // Where both were placed, the kept entity stays where it is.
        const after: ChartRecord = {
          ...chart,
          nodes: chart.nodes[keepId] ? nodes : { ...nodes, [keepId]: view },
          updatedAt: clock.now(),
        };
        await write('update', chart, after, `${why} on chart '${chart.name}'`);
        repointed += 1;
      }
      return { changeId: tx.changeId, kept, dropped, repointed };
    },
  });
}

/**
 * Restores every record a merge wrote, as it was before the merge, in one change (undoable in
 * turn). Throws UndoConflictError, writing nothing, when a record other than a chart was changed
 * after the merge.
 */
export async function undoMergeInCase(work: UnitOfWork, changeId: string): Promise<void> {
  const { db, clock } = work;
  await work.commit({
    label: (caption: string) => `Undo merge of ${caption}`,
    async write(tx) {
      const entries = await db.audit.where('changeId').equals(changeId).toArray();
      const merges = entries.filter((e) => e.action === 'merge');
      if (merges.length !== 2) throw new Error(`change ${changeId} is not a merge`);
      const droppedEntry = merges.find((e) => e.after?.deleted);
      const caption = droppedEntry?.before
        ? captionOfRecord(droppedEntry.before, 'audit')
        : changeId;
      let latest = entries[0]?.hlc ?? '';
      const moved: string[] = [];
      const restored: { current: AnyRecord; next: AnyRecord }[] = [];
      for (const done of entries) {
        const { before, after } = done;
        if (!before || !after) continue;
        const current = await tx.get(after.kind, after.id);
        if (!current) {
          moved.push(captionOfRecord(after, 'audit'));
          continue;
        }
        if (compareHlc(current.updatedAt, latest) > 0) latest = current.updatedAt;
        if (current.updatedAt === after.updatedAt) restored.push({ current, next: before });
        else if (current.kind === 'chart' && before.kind === 'chart') {
          restored.push({ current, next: restoreChartNode(current, before, merges) });
        } else moved.push(captionOfRecord(current, 'audit'));
      }
      if (moved.length > 0) throw new UndoConflictError('undo', `Merge of ${caption}`, moved);
      if (latest) clock.receive(latest);
      for (const { next } of restored) {
        await tx.put({ ...next, updatedAt: clock.now() } as AnyRecord, {
          action: 'restore',
          summary: (derived) => `undo merge: ${derived}`,
        });
      }
      return caption;
    },
  });
}

/** A chart moved since the merge: put only the dropped entity's node back. */
function restoreChartNode(
  current: ChartRecord,
  before: ChartRecord,
  merges: readonly AuditEntry[],
): ChartRecord {
  const droppedId = merges.find((e) => e.after?.deleted)?.recordId ?? '';
  const keptId = merges.find((e) => !e.after?.deleted)?.recordId ?? '';
  const nodes = { ...current.nodes };
  const droppedView = before.nodes[droppedId];
  if (droppedView) nodes[droppedId] = nodes[droppedId] ?? droppedView;
  if (!before.nodes[keptId]) delete nodes[keptId];
  return { ...current, nodes };
}

/** Merges recorded in the case's audit trail, newest first. */
export async function listMerges(db: TesseraDatabase, caseId: string): Promise<MergeSummary[]> {
  const merges = await db.audit
    .where('caseId')
    .equals(caseId)
    .filter((e) => e.action === 'merge')
    .toArray();
  const byChange = new Map<string, AuditEntry[]>();
  for (const e of merges) byChange.set(e.changeId, [...(byChange.get(e.changeId) ?? []), e]);
  const out: MergeSummary[] = [];
  for (const [changeId, pair] of byChange) {
    const dropEntry = pair.find((e) => e.after?.deleted);
    const keepEntry = pair.find((e) => !e.after?.deleted);
    if (!dropEntry || !keepEntry || dropEntry.before?.kind !== 'entity') continue;
    if (keepEntry.before?.kind !== 'entity') continue;
    const current = await db.entities.get(dropEntry.recordId);
    out.push({
      changeId,
      keptId: keepEntry.recordId,
      droppedId: dropEntry.recordId,
      keptCaption: captionOf(keepEntry.before.schema, keepEntry.before.properties),
      droppedCaption: captionOf(dropEntry.before.schema, dropEntry.before.properties),
      at: keepEntry.at,
      actor: keepEntry.actor,
      undoable: current?.updatedAt === dropEntry.after?.updatedAt,
    });
  }
  return out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
