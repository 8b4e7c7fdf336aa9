/**
 * Sharing what repeats between the records of a case held in memory (issue 13: a million-record
 * case within 1.5 GB of heap).
 *
 * Each record arrives from its own JSON.parse, so a million call records hold a million copies
 * of the same markings, grading, provenance strings and property values: measured on the call
 * case, about 1.6 kB of heap per record, half of it such copies. Records are immutable
 * (readonly types; a change makes a new record), so equal parts can be one object:
 * - markings and grading: one object per distinct value;
 * - each property's value list: one array per distinct list (a phone number, a party's id, a
 *   duration repeat across thousands of calls);
 * - the strings of provenance (file name, hash, recorder, time) and the fields every record of a
 *   case shares (caseId, originAgency, schema), and `updatedAt` where it equals `createdAt`;
 * - an external record's format and kept values (`extra`, value lists as above).
 * The result is deep-equal to the input. A `Compactor` keeps what it has seen; drop it after a
 * load so values that never repeat do not stay in its maps.
 */
import type { EntityProperties, EntityRecord, Provenance } from '../../shared/model/index.ts';

export interface Compactor {
  compact(record: EntityRecord): EntityRecord;
}

export function createCompactor(): Compactor {
  const strings = new Map<string, string>();
  const objects = new Map<string, unknown>();
  const lists = new Map<string, readonly string[]>();

  const text = (value: string): string => {
    const found = strings.get(value);
    if (found !== undefined) return found;
    strings.set(value, value);
    return value;
  };

  /** One object per distinct JSON form (small objects only: markings, grading, extras). */
  const shared = <T>(value: T): T => {
    if (value === undefined || value === null) return value;
    const key = JSON.stringify(value);
    const found = objects.get(key);
    if (found !== undefined) return found as T;
    objects.set(key, value);
    return value;
  };

  const list = (values: readonly string[]): readonly string[] => {
    // A one-value list is keyed by the value itself, so the key costs nothing extra.
    const key = values.length === 1 ? values[0]! : `${values.length}\u0000${values.join('\u0000')}`;
    const found = lists.get(key);
    if (found !== undefined && found.length === values.length) return found;
    lists.set(key, values);
    return values;
  };

  // An imported record's provenance names its row: only its strings repeat.
  const provenanceOf = (value: Provenance): Provenance => {
    const { imported } = value;
    if (!imported) return shared(value);
    return {
      ...value,
      source: text(value.source),
      originAgency: text(value.originAgency),
      recordedBy: text(value.recordedBy),
      recordedAt: text(value.recordedAt),
      imported: {
        ...imported,
        fileName: text(imported.fileName),
        fileSha256: text(imported.fileSha256),
        spec: text(imported.spec),
      },
    };
  };

  return {
    compact(record) {
      const lists = (values: EntityProperties): EntityProperties => {
        const out: Record<string, readonly string[]> = {};
        for (const [key, each] of Object.entries(values)) out[key] = list(each);
        return out;
      };
      const { provenance, external } = record;
      const out: EntityRecord = {
        ...record,
        caseId: text(record.caseId),
        originAgency: text(record.originAgency),
        schema: text(record.schema),
        updatedAt: record.updatedAt === record.createdAt ? record.createdAt : record.updatedAt,
        markings: shared(record.markings),
        grading: shared(record.grading),
        properties: lists(record.properties),
        provenance: provenanceOf(provenance),
        ...(external
          ? {
              // Its id is the record's own: only the format and the kept values repeat.
              external: {
                ...external,
                format: text(external.format),
                ...(external.extra ? { extra: lists(external.extra) } : {}),
              },
            }
          : {}),
      };
      return out;
    },
  };
}
