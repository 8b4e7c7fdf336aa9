/**
 * Builds a report (types.ts) from a case and an audience.
 *
 * Audience rules (docs/reports.md):
 *   R1 our own copy shows the live records of the case (deleted ones never);
 *   R2 a report for a partner runs the SAME release policy as an export to it (`decideRelease`,
 *      shared/exchange/policy.ts, with the partner's sharing agreement) and is made only from what
 *      the decision releases: records withheld stay out, stripped properties stay out, and a
 *      reference to a withheld entity shows nothing. When the case itself may not go, there is no
 *      report (ReportError `case-withheld`);
 *   R3 the second check: before anything is written, every text of the partner's part of the
 *      report (cover, every block, the chart's labels and SVG) is searched for the ids and the
 *      distinctive values of what stays home, with the same needles as the export's second check
 *      (releaseNeedles.ts); a hit refuses the report (ReportError `mention`);
 *   R4 what was withheld is listed only in the author's copy (`authorCopy`), which says so on
 *      every page; the partner's copy does not say what it lacks;
 *   R5 the audit appendix of a partner's report lists only entries of records in it, without the
 *      change summaries (they quote earlier values that the policy never judged).
 */
import { decideRelease } from '../exchange/policy.ts';
import type { ReleaseDecision, ReleaseInput } from '../exchange/policy.ts';
import { recordsOf } from '../exchange/caseRecords.ts';
import { needlesOf } from '../exchange/releaseNeedles.ts';
import { formatGrading } from '../model/grading.ts';
import { DEFAULT_CLASSIFICATIONS } from '../model/markings.ts';
import type { Markings } from '../model/markings.ts';
import { describeMarkings } from '../exchange/markings.ts';
import { captionOfRecord, RECORD_KINDS } from '../model/recordKinds.ts';
import type { AnyRecord, AttachmentRecord, AuditEntry } from '../model/records.ts';
import { isEdgeSchema } from '../model/schema.ts';
import {
  attachmentBlocks,
  auditBlocks,
  chartBlocks,
  noteBlocks,
  noticeBlocks,
  profileBlocks,
  relationshipBlocks,
  ReportRecords,
  sourceBlocks,
  tableBlocks,
  timelineBlocks,
} from './sections.ts';
import { reportValues } from './text.ts';
import type {
  ReportBlock,
  ReportDocument,
  ReportOptions,
  ReportSection,
  ScheduleRow,
} from './types.ts';
import { REPORT_TEMPLATES, ReportError } from './types.ts';

/** A case as the case file holds it, with the audit entries for the appendix. */
export type ReportInput<A extends AttachmentRecord = AttachmentRecord> = ReleaseInput<A> & {
  readonly audit?: readonly AuditEntry[];
};

function section(key: string, title: string, blocks: readonly ReportBlock[]): ReportSection[] {
  return blocks.length === 0 ? [] : [{ key, title, blocks }];
}

function scheduleRows(
  records: readonly AnyRecord[],
  status: (record: AnyRecord) => ScheduleRow['status'],
): ScheduleRow[] {
  return records.map((record, index) => ({
    ref: `D-${String(index + 1).padStart(3, '0')}`,
    recordId: record.id,
    kind:
      record.kind === 'entity'
        ? isEdgeSchema(record.schema)
          ? 'relationship'
          : 'entity'
        : RECORD_KINDS[record.kind].table.replace(/s$/, ''),
    caption: captionOfRecord(record, 'release'),
    marking: describeMarkings(record.markings),
    source: 'provenance' in record ? record.provenance.source : '',
    grade: 'grading' in record ? formatGrading(record.grading) : '',
    sha256: record.kind === 'attachment' ? record.sha256 : '',
    status: status(record),
    markings: record.markings,
  }));
}

/** Builds the report; throws ReportError (see its codes) when none may be made. */
export function buildReport<A extends AttachmentRecord>(
  input: ReportInput<A>,
  options: ReportOptions,
): ReportDocument {
  const ladder = options.classifications ?? DEFAULT_CLASSIFICATIONS;
  const partner = options.partner;
  let decision: ReleaseDecision<A> | undefined;
  let set: ReleaseInput<A>;
  if (partner) {
    decision = decideRelease(input, partner.agreement, partner.partnerId, options.ownAgencyId, {
      now: options.now,
      classifications: ladder,
    });
    const released = decision.released;
    if (!released.case) {
      throw new ReportError(
        'case-withheld',
        `the case may not go to ${partner.partnerName}: mark it releasable to ${partner.partnerId} and check the agreement`,
      );
    }
    set = { ...released, case: released.case };
  } else set = input;

  const records = new ReportRecords(
    set.case,
    {
      entities: set.entities,
      notes: set.notes,
      attachments: set.attachments,
      notices: set.notices,
      charts: set.charts,
    },
    ladder,
    options.timeZone,
  );
  const caseRecord = set.case;
  const selected = options.entityIds ? new Set(options.entityIds) : undefined;
  const chart =
    options.chartId !== undefined
      ? set.charts.find((c) => c.id === options.chartId && !c.deleted)
      : set.charts.find((c) => !c.deleted);
  const live = <T extends AnyRecord>(list: readonly T[]): T[] => list.filter((r) => !r.deleted);
  const about = (id: string | undefined): boolean =>
    !selected || (id !== undefined && selected.has(id));

  const summary: ReportBlock[] = [
    {
      kind: 'fields',
      rows: [
        ['Reference', caseRecord.reference],
        ['Title', caseRecord.title],
        ['Status', caseRecord.status],
        ['Lead investigator', caseRecord.leadInvestigator],
        ['Crime areas', caseRecord.crimeAreas.join('; ')],
        ['Jurisdictions', caseRecord.jurisdictions.map((j) => j.toUpperCase()).join(', ')],
        ['Opened', records.date(caseRecord.openedOn)],
        ...(caseRecord.closedOn
          ? [['Closed', records.date(caseRecord.closedOn)] as [string, string]]
          : []),
      ],
      markings: caseRecord.markings,
    },
    ...(caseRecord.description
      ? [
          {
            kind: 'paragraph',
            text: caseRecord.description,
            markings: caseRecord.markings,
          } as const,
        ]
      : []),
  ];

  let sections: ReportSection[];
  const template = options.template;
  if (template === 'subject') {
    if (!selected || selected.size === 0) {
      throw new ReportError('no-subject', 'a subject profile needs the entities it is about');
    }
    const subjects = records.things(selected);
    if (subjects.length === 0) {
      throw new ReportError('no-subject', 'none of the chosen entities is in this report');
    }
    const ids = new Set(subjects.map((s) => s.id));
    const edges = records.relationships(ids);
    const timelineEntities = [...subjects, ...edges];
    sections = [
      ...section('summary', 'Summary', [
        summary[0]!,
        {
          kind: 'paragraph',
          text: `Profile of ${subjects.map((s) => records.caption(s.id)).join(', ')}.`,
          markings: records.combine(...subjects.map((s) => s.markings)),
        },
      ]),
      ...section('profiles', 'Subjects', profileBlocks(records, subjects)),
      ...section('relationships', 'Relationships', relationshipBlocks(records, edges)),
      ...section('sources', 'Sources and grades', sourceBlocks(records, subjects)),
      ...section(
        'timeline',
        'Timeline',
        timelineBlocks(
          records,
          timelineEntities,
          live(set.notices).filter((n) => ids.has(n.subjectId ?? '')),
        ),
      ),
      ...section(
        'notes',
        'Notes',
        noteBlocks(
          records,
          live(set.notes).filter((n) => ids.has(n.entityId ?? '')),
        ),
      ),
      ...section(
        'notices',
        'Notices',
        noticeBlocks(
          records,
          live(set.notices).filter((n) => ids.has(n.subjectId ?? '')),
        ),
      ),
      ...section(
        'attachments',
        'Attachments',
        attachmentBlocks(
          records,
          live(set.attachments).filter((a) => ids.has(a.entityId ?? '')),
        ),
      ),
    ];
  } else if (template === 'chart') {
    if (!chart) throw new ReportError('no-chart', 'there is no such chart in this report');
    const onChart = new Set(Object.keys(chart.nodes));
    const things = records.things(onChart);
    const edges = records.relationships(onChart).filter((e) => {
      const ids = Object.values(e.properties).flat();
      return ids.filter((id) => onChart.has(id)).length >= 2;
    });
    sections = [
      ...section('summary', 'Summary', [
        summary[0]!,
        { kind: 'heading', text: captionOfRecord(chart, 'release'), markings: chart.markings },
      ]),
      ...section('chart', 'Chart', chartBlocks(records, chart)),
      ...section('profiles', 'Entities on the chart', profileBlocks(records, things)),
      ...section('relationships', 'Relationships', relationshipBlocks(records, edges)),
      ...section('sources', 'Sources and grades', sourceBlocks(records, things)),
    ];
  } else if (template === 'schedule') {
    sections = [...section('summary', 'Summary', [summary[0]!])];
  } else {
    const things = records.things(selected);
    sections = [
      ...section('summary', 'Summary', summary),
      ...(chart ? section('chart', 'Chart', chartBlocks(records, chart)) : []),
      ...section('profiles', 'Entity profiles', profileBlocks(records, things)),
      ...section('sources', 'Sources and grades', sourceBlocks(records, things)),
      ...section(
        'relationships',
        'Relationships',
        relationshipBlocks(records, records.relationships()),
      ),
      ...section(
        'timeline',
        'Timeline',
        timelineBlocks(records, records.entities, live(set.notices)),
      ),
      ...section(
        'notes',
        'Notes',
        noteBlocks(
          records,
          live(set.notes).filter((n) => about(n.entityId) || !n.entityId),
        ),
      ),
      ...section('notices', 'Notices', noticeBlocks(records, live(set.notices))),
      ...section('attachments', 'Attachments', attachmentBlocks(records, live(set.attachments))),
    ];
  }

  // The disclosure schedule: every record of the report; the author's copy adds what stays.
  const shown = recordsOf(set).filter((r) => !r.deleted && r.kind !== 'case');
  const withheldIds = new Set(decision?.withheld.map((w) => w.id) ?? []);
  const withheldRecords = recordsOf(input).filter((r) => withheldIds.has(r.id));
  let schedule = scheduleRows(shown, () => (partner ? 'released' : 'held'));
  if (partner && options.authorCopy) {
    schedule = scheduleRows([...shown, ...withheldRecords], (r) =>
      withheldIds.has(r.id) ? 'withheld' : 'released',
    );
  }
  if (template === 'schedule') {
    const visible = schedule.filter((row) => row.status !== 'withheld');
    sections.push(
      ...section(
        'schedule',
        'Disclosure schedule',
        tableBlocks(
          records,
          ['Ref', 'Kind', 'Item', 'Marking', 'Source', 'Grade', 'SHA-256'],
          visible.map((row) => ({
            cells: [row.ref, row.kind, row.caption, row.marking, row.source, row.grade, row.sha256],
            markings: row.markings,
          })),
        ),
      ),
    );
  }
  if (options.auditAppendix) {
    sections.push(
      ...section('audit', 'Audit appendix', auditBlocks(records, input.audit ?? [], !!partner)),
    );
  }

  const title = `${REPORT_TEMPLATES[template]}: ${caseRecord.reference}`;
  const audience = partner
    ? options.authorCopy
      ? `Author’s copy of the report for ${partner.partnerName} (${partner.partnerId}) — not for release`
      : `For ${partner.partnerName} (${partner.partnerId}) under “${partner.agreement.legalBasis}”`
    : 'Own copy — not released to any partner';
  const base = {
    template,
    title,
    reference: caseRecord.reference,
    caseTitle: caseRecord.title,
    author: options.author,
    date: options.now,
    audience,
    authorCopy: !!(partner && options.authorCopy),
    floor: caseRecord.markings,
    classifications: ladder,
  };
  const highestOf = (list: readonly ReportSection[], extra: readonly ScheduleRow[]) =>
    records.combine(
      ...list.flatMap((s) => s.blocks.map((b) => b.markings)),
      ...extra.map((r) => r.markings),
    );

  if (partner && decision) {
    // R3: the partner's part is checked before the author's list of what stays is added.
    const partnerSchedule = schedule.filter((row) => row.status !== 'withheld');
    const partnerDoc: ReportDocument = {
      ...base,
      sections,
      schedule: partnerSchedule,
      highest: highestOf(sections, partnerSchedule),
    };
    const released = recordsOf(decision.released);
    const finder = needlesOf(
      input,
      withheldIds,
      decision.stripped,
      released,
      released.flatMap((r) =>
        'provenance' in r && r.provenance.source ? [r.provenance.source] : [],
      ),
    );
    for (const text of reportValues(partnerDoc)) {
      const hit = finder.find(text);
      if (hit !== undefined) {
        throw new ReportError(
          'mention',
          `the report for ${partner.partnerId} would mention ${hit} (F5): nothing written`,
        );
      }
    }
    if (!options.authorCopy) return partnerDoc;
    const local = new Map(recordsOf(input).map((r) => [r.id, r]));
    const withheldBlocks = tableBlocks(
      records,
      ['Item', 'Withheld because'],
      decision.withheld.map((w) => ({
        cells: [w.caption, w.reasons.map((r, i) => `${r} (${w.rules[i]})`).join('; ')],
        markings: local.get(w.id)?.markings ?? caseRecord.markings,
      })),
    );
    const strippedBlocks = tableBlocks(
      records,
      ['Item', 'Left out', 'Because'],
      decision.stripped.map((s) => ({
        cells: [s.caption, s.property, s.reasons.map((r, i) => `${r} (${s.rules[i]})`).join('; ')],
        markings: records.combine(
          local.get(s.id)?.markings,
          propertyMarkingsOf(local.get(s.id), s.property),
        ),
      })),
    );
    const withAuthor = [
      ...sections,
      ...section('withheld', `Withheld from ${partner.partnerName}`, [
        {
          kind: 'paragraph',
          text: `This author’s copy lists what the release policy kept from ${partner.partnerName}. Do not release it.`,
          markings: caseRecord.markings,
        },
        ...withheldBlocks,
        ...strippedBlocks,
      ]),
    ];
    return { ...base, sections: withAuthor, schedule, highest: highestOf(withAuthor, schedule) };
  }
  return { ...base, sections, schedule, highest: highestOf(sections, schedule) };
}

function propertyMarkingsOf(record: AnyRecord | undefined, property: string): Markings | undefined {
  return record?.kind === 'entity' ? record.propertyMarkings?.[property] : undefined;
}
