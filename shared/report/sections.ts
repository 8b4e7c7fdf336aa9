/**
 * The sections of a report, each made from a set of records that the audience may see (build.ts
 * has already applied the release policy for a partner). Every block carries the markings of what
 * it shows: a record's own markings combined with those of the properties shown, and of every
 * record whose caption it names (a relationship row names its two ends). Long tables are cut into
 * blocks of TABLE_CHUNK rows, so a marking raises only the pages its rows land on.
 */
import { mostRestrictive } from '../exchange/markings.ts';
import type { ClassificationLadder } from '../exchange/markings.ts';
import { describeGrading, formatGrading } from '../model/grading.ts';
import type { Markings } from '../model/markings.ts';
import { readableDate } from '../model/readable.ts';
import { captionOfRecord } from '../model/recordKinds.ts';
import type {
  AnyRecord,
  AuditEntry,
  CaseRecord,
  ChartRecord,
  EntityRecord,
  NoteRecord,
  NoticeRecord,
  AttachmentRecord,
} from '../model/records.ts';
import { captionOf, edgeEnds, isEdgeSchema, model } from '../model/schema.ts';
import { extractTimeItems } from '../time/extract.ts';
import { formatDate } from '../time/dates.ts';
import { chartToSvg } from './chartSvg.ts';
import type { ReportBlock } from './types.ts';

/** Rows per table block: a table that runs over pages raises only the pages its rows are on. */
export const TABLE_CHUNK = 12;

/** The records a report may show, by id, with helpers shared by the sections. */
export class ReportRecords {
  readonly byId = new Map<string, AnyRecord>();
  readonly entities: EntityRecord[] = [];

  constructor(
    readonly caseRecord: CaseRecord,
    readonly items: {
      readonly entities: readonly EntityRecord[];
      readonly notes: readonly NoteRecord[];
      readonly attachments: readonly AttachmentRecord[];
      readonly notices: readonly NoticeRecord[];
      readonly charts: readonly ChartRecord[];
    },
    readonly ladder: ClassificationLadder,
    readonly timeZone: string | undefined,
  ) {
    this.byId.set(caseRecord.id, caseRecord);
    for (const list of Object.values(items) as readonly (readonly AnyRecord[])[]) {
      for (const record of list) if (!record.deleted) this.byId.set(record.id, record);
    }
    this.entities = items.entities.filter((e) => !e.deleted);
  }

  /** The most restrictive of the given markings, never below the case's own. */
  combine(...markings: readonly (Markings | undefined)[]): Markings {
    return markings.reduce<Markings>(
      (acc, m) => (m ? mostRestrictive(acc, m, this.ladder) : acc),
      this.caseRecord.markings,
    );
  }

  markingsOf(...ids: readonly (string | undefined)[]): Markings {
    return this.combine(...ids.map((id) => (id ? this.byId.get(id)?.markings : undefined)));
  }

  /** A record's caption for people, or undefined when it is not in the report's set. */
  caption(id: string | undefined): string | undefined {
    const record = id ? this.byId.get(id) : undefined;
    if (!record) return undefined;
    return record.kind === 'entity'
      ? captionOf(record.schema, record.properties)
      : captionOfRecord(record, 'release');
  }

  date(text: string): string {
    return readableDate(text, this.timeZone);
  }

  things(filter?: ReadonlySet<string>): EntityRecord[] {
    return this.entities.filter((e) => !isEdgeSchema(e.schema) && (!filter || filter.has(e.id)));
  }

  relationships(touching?: ReadonlySet<string>): EntityRecord[] {
    return this.entities.filter((e) => {
      if (!isEdgeSchema(e.schema)) return false;
      const ends = edgeEnds(e.schema, e.properties);
      if (!ends || !this.byId.has(ends.source) || !this.byId.has(ends.target)) return false;
      return !touching || touching.has(ends.source) || touching.has(ends.target);
    });
  }
}

function schemaLabel(schema: string): string {
  return model.schemata[schema]?.label ?? schema;
}

/** Cuts rows into table blocks of TABLE_CHUNK, each with the markings of its rows. */
export function tableBlocks(
  records: ReportRecords,
  columns: readonly string[],
  rows: readonly { readonly cells: readonly string[]; readonly markings: Markings }[],
): ReportBlock[] {
  const blocks: ReportBlock[] = [];
  for (let i = 0; i < rows.length; i += TABLE_CHUNK) {
    const chunk = rows.slice(i, i + TABLE_CHUNK);
    blocks.push({
      kind: 'table',
      columns,
      rows: chunk.map((r) => r.cells),
      markings: records.combine(...chunk.map((r) => r.markings)),
    });
  }
  return blocks;
}

/** An entity's properties as label/value rows, and the markings of what is shown. */
export function propertyRows(
  records: ReportRecords,
  entity: EntityRecord,
): { rows: [string, string][]; markings: Markings } {
  const schema = model.schemata[entity.schema];
  const rows: [string, string][] = [];
  const shown: (Markings | undefined)[] = [entity.markings];
  const properties = schema ? [...schema.getProperties().values()] : [];
  // Properties outside the model are left out: their names are not the report's fixed words.
  // The caption properties (name first) lead, as on the entity's form.
  const caption = new Set(schema?.caption ?? []);
  const names = [
    ...properties.filter((p) => caption.has(p.name)),
    ...properties.filter((p) => !caption.has(p.name)),
  ].map((p) => p.name);
  for (const name of names) {
    const values = entity.properties[name];
    if (!values || values.length === 0) continue;
    const property = schema?.hasProperty(name) ? schema.getProperty(name) : undefined;
    if (property?.hidden) continue;
    let texts: string[];
    if (property?.type.name === 'entity') {
      // A reference shows the caption of what it points at, and only when that is in the report.
      texts = values.flatMap((id) => {
        const caption = records.caption(id);
        if (caption === undefined) return [];
        shown.push(records.byId.get(id)?.markings);
        return [caption];
      });
    } else if (property?.type.name === 'date') texts = values.map((v) => records.date(v));
    else if (property?.type.name === 'country') texts = values.map((v) => v.toUpperCase());
    else texts = [...values];
    if (texts.length === 0) continue;
    rows.push([property?.label ?? name, texts.join('; ')]);
    shown.push(entity.propertyMarkings?.[name]);
  }
  return { rows, markings: records.combine(...shown) };
}

export function profileBlocks(
  records: ReportRecords,
  entities: readonly EntityRecord[],
): ReportBlock[] {
  return entities.map((entity) => {
    const { rows, markings } = propertyRows(records, entity);
    const grade = formatGrading(entity.grading);
    return {
      kind: 'fields',
      title: `${schemaLabel(entity.schema)}: ${captionOf(entity.schema, entity.properties)}`,
      rows: [
        ...rows,
        ['Source', entity.provenance.source || '—'],
        ['Grade', `${grade} (${describeGrading(entity.grading)})`],
      ],
      markings: records.combine(markings, entity.markings),
    };
  });
}

export function sourceBlocks(
  records: ReportRecords,
  entities: readonly EntityRecord[],
): ReportBlock[] {
  return tableBlocks(
    records,
    ['Entity', 'Source', 'Originator', 'Grade', 'Recorded'],
    entities.map((e) => ({
      cells: [
        records.caption(e.id) ?? '',
        e.provenance.source || '—',
        e.provenance.originAgency,
        formatGrading(e.grading),
        records.date(e.provenance.recordedAt),
      ],
      markings: e.markings,
    })),
  );
}

function relationshipDetail(records: ReportRecords, edge: EntityRecord): string {
  const p = edge.properties;
  const parts: string[] = [];
  const dates = [p.date?.[0], p.startDate?.[0], p.endDate?.[0]].filter((d): d is string => !!d);
  if (dates.length > 0) parts.push(dates.map((d) => records.date(d)).join(' – '));
  if (p.amount?.[0]) parts.push(`${p.amount[0]}${p.currency?.[0] ? ` ${p.currency[0]}` : ''}`);
  if (p.role?.[0]) parts.push(p.role[0]);
  if (p.duration?.[0]) parts.push(`${p.duration[0]} s`);
  return parts.join('; ');
}

export function relationshipBlocks(
  records: ReportRecords,
  edges: readonly EntityRecord[],
): ReportBlock[] {
  return tableBlocks(
    records,
    ['From', 'Relationship', 'To', 'Details', 'Grade'],
    edges.map((edge) => {
      const ends = edgeEnds(edge.schema, edge.properties)!;
      return {
        cells: [
          records.caption(ends.source) ?? '',
          schemaLabel(edge.schema),
          records.caption(ends.target) ?? '',
          relationshipDetail(records, edge),
          formatGrading(edge.grading),
        ],
        markings: records.combine(
          edge.markings,
          records.markingsOf(ends.source, ends.target),
          ...['date', 'startDate', 'endDate', 'amount', 'currency', 'role', 'duration'].map(
            (name) => edge.propertyMarkings?.[name],
          ),
        ),
      };
    }),
  );
}

export function timelineBlocks(
  records: ReportRecords,
  entities: readonly EntityRecord[],
  notices: readonly NoticeRecord[],
): ReportBlock[] {
  const items = extractTimeItems(entities, notices)
    .filter((item) => Number.isFinite(item.start))
    .sort((a, b) => a.start - b.start);
  return tableBlocks(
    records,
    ['When', 'What', 'Detail'],
    items.map((item) => {
      const record = records.byId.get(item.recordId);
      const dateMarkings =
        record?.kind === 'entity' ? Object.values(record.propertyMarkings ?? {}) : [];
      return {
        cells: [
          item.end !== item.start && Number.isFinite(item.end)
            ? `${formatDate(item.start, item.precision)} – ${formatDate(item.end, item.precision)}`
            : formatDate(item.start, item.precision),
          item.label,
          item.detail ?? '',
        ],
        markings: records.combine(
          records.markingsOf(item.recordId, ...item.entityIds),
          ...dateMarkings,
        ),
      };
    }),
  );
}

export function noteBlocks(records: ReportRecords, notes: readonly NoteRecord[]): ReportBlock[] {
  return notes.map((note) => ({
    kind: 'fields',
    title: note.title,
    rows: [
      ...(note.entityId && records.caption(note.entityId)
        ? [['About', records.caption(note.entityId)!] as [string, string]]
        : []),
      ['Author', note.author],
      ['Text', note.body],
    ],
    markings: records.combine(note.markings, records.markingsOf(note.entityId)),
  }));
}

export function noticeBlocks(
  records: ReportRecords,
  notices: readonly NoticeRecord[],
): ReportBlock[] {
  return tableBlocks(
    records,
    ['Reference', 'Type', 'Subject', 'Status', 'Issued', 'Expires', 'Summary'],
    notices.map((n) => ({
      cells: [
        n.reference,
        n.noticeType,
        records.caption(n.subjectId) ?? '',
        n.status,
        n.issuedOn ? records.date(n.issuedOn) : '',
        n.expiresOn ? records.date(n.expiresOn) : '',
        n.summary,
      ],
      markings: records.combine(n.markings, records.markingsOf(n.subjectId)),
    })),
  );
}

export function attachmentBlocks(
  records: ReportRecords,
  attachments: readonly AttachmentRecord[],
): ReportBlock[] {
  return tableBlocks(
    records,
    ['File', 'Type', 'Size', 'About', 'SHA-256'],
    attachments.map((a) => ({
      cells: [
        a.fileName,
        a.mediaType,
        `${new Intl.NumberFormat('en-GB').format(a.size)} bytes`,
        records.caption(a.entityId) ?? '',
        a.sha256,
      ],
      markings: records.combine(a.markings, records.markingsOf(a.entityId)),
    })),
  );
}

export function chartBlocks(records: ReportRecords, chart: ChartRecord): ReportBlock[] {
  const drawing = chartToSvg(chart, records.entities);
  return [
    {
      kind: 'chart',
      svg: drawing.svg,
      width: drawing.width,
      height: drawing.height,
      legend: drawing.legend,
      labels: drawing.labels,
      markings: records.combine(chart.markings, records.markingsOf(...drawing.drawn)),
    },
  ];
}

/**
 * The audit appendix. For a partner only the entries of records in the report are listed, and
 * without their summaries: a summary quotes values as they were before, which the release
 * policy never judged (it judges what a record holds now).
 */
export function auditBlocks(
  records: ReportRecords,
  entries: readonly AuditEntry[],
  forPartner: boolean,
): ReportBlock[] {
  const shown = entries.filter((e) => records.byId.has(e.recordId));
  return tableBlocks(
    records,
    forPartner
      ? ['When', 'Who', 'Action', 'Record']
      : ['When', 'Who', 'Action', 'Record', 'Change'],
    shown.map((e) => ({
      cells: [
        records.date(e.at),
        e.actor,
        e.action,
        records.caption(e.recordId) ?? '',
        ...(forPartner ? [] : [e.summary]),
      ],
      // Our own copy quotes the change, so the markings the record had before count too.
      markings: forPartner
        ? records.markingsOf(e.recordId)
        : records.combine(records.markingsOf(e.recordId), e.before?.markings, e.after?.markings),
    })),
  );
}
