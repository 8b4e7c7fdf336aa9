/**
 * A report in the chosen format. The DOCX and XLSX writers are loaded when first asked for, so an
 * app that only makes PDFs never loads them.
 */
import type { PdfEngine } from './pdf.ts';
import { reportToPdf } from './pdf.ts';
import type { ReportDocument, ReportFormat } from './types.ts';

export const REPORT_MEDIA_TYPES: Readonly<Record<ReportFormat, string>> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export async function writeReport(
  doc: ReportDocument,
  format: ReportFormat,
  pdfEngine: PdfEngine,
): Promise<Uint8Array> {
  switch (format) {
    case 'pdf':
      return reportToPdf(doc, pdfEngine);
    case 'docx':
      return (await import('./docx.ts')).reportToDocx(doc);
    case 'xlsx':
      return (await import('./xlsx.ts')).reportToXlsx(doc);
  }
}

/** A file name for the report: reference, template, audience, date. */
export function reportFileName(doc: ReportDocument, format: ReportFormat): string {
  const safe = (text: string): string =>
    text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  const audience = doc.audience.startsWith('Own')
    ? 'own'
    : doc.authorCopy
      ? 'author-copy'
      : 'release';
  return `${safe(doc.reference)}-${doc.template}-${audience}-${doc.date.slice(0, 10)}.${format}`;
}
