/**
 * The texts of a report. `reportTexts` is everything it shows, in reading order (tests compare it
 * with the text read back from a written file). `reportValues` is only what comes from the case
 * (values, captions, free text, the reference), without the report's own fixed words (section
 * titles, column headers, FtM property labels, legend entries): the second check (build.ts, R3)
 * searches these, since a fixed word such as "Case summary" proves nothing about a withheld note
 * of that title.
 */
import type { ReportBlock, ReportDocument } from './types.ts';

function blockValues(block: ReportBlock): string[] {
  switch (block.kind) {
    case 'heading':
    case 'paragraph':
      return [block.text];
    case 'fields':
      return [...(block.title ? [block.title] : []), ...block.rows.map(([, value]) => value)];
    case 'table':
      return block.rows.flat();
    case 'chart':
      return [...block.labels];
  }
}

function blockTexts(block: ReportBlock): string[] {
  switch (block.kind) {
    case 'fields':
      return [...(block.title ? [block.title] : []), ...block.rows.flat()];
    case 'table':
      return [...block.columns, ...block.rows.flat()];
    case 'chart':
      return [block.svg, ...block.labels, ...block.legend.map((l) => l.label)];
    default:
      return blockValues(block);
  }
}

function scheduleValues(doc: ReportDocument): string[] {
  return doc.schedule.flatMap((r) => [r.recordId, r.caption, r.source, r.sha256]);
}

export function reportTexts(doc: ReportDocument): string[] {
  return [
    doc.title,
    doc.caseTitle,
    doc.author,
    doc.audience,
    ...doc.sections.flatMap((s) => [s.title, ...s.blocks.flatMap(blockTexts)]),
    ...scheduleValues(doc),
  ];
}

export function reportValues(doc: ReportDocument): string[] {
  return [
    doc.reference,
    doc.caseTitle,
    doc.author,
    ...doc.sections.flatMap((s) => s.blocks.flatMap(blockValues)),
    ...scheduleValues(doc),
  ];
}
