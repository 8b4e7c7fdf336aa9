/**
 * Bulk edit of entities: one property set on many entities at once (nationality, keywords…) as ONE
 * change of the unit of work, so one transaction writes every entity with its audit entry and one
 * Ctrl+Z reverts them all. Bulk marking is setMarkingsBulk (exchangeApply.ts).
 *
 * An entity whose type has no such property (a phone has no nationality) is skipped and reported;
 * a value the property's type refuses (a country code that is not one) fails the whole change
 * with RecordValidationError before anything is written.
 */
import { getSchema, isKnownSchema, validateEntity } from '../../shared/model/index.ts';
import type { EntityRecord } from '../../shared/model/index.ts';
import { RecordValidationError } from './repository.types.ts';
import type { UnitOfWork } from './unitOfWork.ts';

export interface BulkPropertyEdit {
  readonly property: string;
  readonly values: readonly string[];
  /** 'set' replaces the property's values; 'add' keeps them and adds these. */
  readonly mode: 'set' | 'add';
}

export interface BulkEditResult {
  readonly updated: readonly string[];
  readonly unchanged: readonly string[];
  /** Entities whose type has no such property. */
  readonly skipped: readonly string[];
}

/** Property types a bulk edit may set: references between entities are drawn, not typed. */
const NOT_BULK_EDITABLE = new Set(['entity']);

/** Whether `property` of `schemaName` can be set by a bulk edit. */
export function isBulkEditable(schemaName: string, property: string): boolean {
  if (!isKnownSchema(schemaName)) return false;
  const found = getSchema(schemaName).getProperties().get(property);
  return found !== undefined && !NOT_BULK_EDITABLE.has(found.type.name);
}

export async function setPropertyBulk(
  work: UnitOfWork,
  entityIds: readonly string[],
  edit: BulkPropertyEdit,
): Promise<BulkEditResult> {
  const values = [...new Set(edit.values.map((value) => value.trim()).filter(Boolean))];
  if (edit.mode === 'add' && values.length === 0) {
    throw new RecordValidationError({ [edit.property]: 'Give a value to add' });
  }
  return work.commit({
    label: ({ updated }) =>
      `Set ${edit.property} of ${updated.length} entit${updated.length === 1 ? 'y' : 'ies'}`,
    async write(tx) {
      const updated: string[] = [];
      const unchanged: string[] = [];
      const skipped: string[] = [];
      for (const id of new Set(entityIds)) {
        const found = await tx.get('entity', id);
        if (!found || found.deleted || found.kind !== 'entity') {
          throw new Error(`entity ${id} does not exist`);
        }
        if (!isBulkEditable(found.schema, edit.property)) {
          skipped.push(id);
          continue;
        }
        const current = found.properties[edit.property] ?? [];
        const next =
          edit.mode === 'set'
            ? values
            : [...current, ...values.filter((v) => !current.includes(v))];
        if (next.length === current.length && next.every((value, i) => value === current[i])) {
          unchanged.push(id);
          continue;
        }
        const properties = { ...found.properties };
        if (next.length > 0) properties[edit.property] = next;
        else delete properties[edit.property];
        // Only this property is checked: an imported entity may lack a required value (issue 11).
        const errors = validateEntity(found.schema, { [edit.property]: next }, undefined, {
          allowMissingRequired: true,
        });
        if (errors[edit.property]) {
          throw new RecordValidationError({ [edit.property]: errors[edit.property] });
        }
        const after: EntityRecord = { ...found, properties, updatedAt: work.clock.now() };
        await tx.put(after, { summary: (derived) => `bulk edit: ${derived}` });
        updated.push(id);
      }
      return { updated, unchanged, skipped };
    },
  });
}
