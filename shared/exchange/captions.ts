/** How the release policy and its preview name a record for people. */
import type { AnyRecord } from '../model/records.ts';
import { captionOf, model } from '../model/schema.ts';

/** A label for people: type and caption of an entity, the title or name of anything else. */
export function captionOfRecord(record: AnyRecord): string {
  switch (record.kind) {
    case 'entity':
      return `${model.schemata[record.schema]?.label ?? record.schema} “${captionOf(record.schema, record.properties)}”`;
    case 'case':
      return `case “${record.title}”`;
    case 'note':
      return `note “${record.title}”`;
    case 'attachment':
      return `attachment “${record.fileName}”`;
    case 'notice':
      return `notice ${record.reference}`;
    case 'chart':
      return `chart “${record.name}”`;
  }
}
