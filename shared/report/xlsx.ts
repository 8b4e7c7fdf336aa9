/**
 * The disclosure schedule as an XLSX workbook (exceljs), for users who edit it further: one row
 * per item (ref, kind, caption, marking, source, grade, SHA-256, released/withheld). The sheet's
 * header and footer carry the highest marking of the rows (Excel prints them on every page), and
 * the first rows repeat it for readers who never print.
 */
import ExcelJS from 'exceljs';
import { bannerText } from './pdf.ts';
import type { ReportDocument } from './types.ts';

export async function reportToXlsx(doc: ReportDocument): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = doc.author;
  workbook.created = new Date(doc.date);
  workbook.title = doc.title;
  const banner =
    bannerText(doc.highest) + (doc.authorCopy ? ' · AUTHOR’S COPY — NOT FOR RELEASE' : '');
  const sheet = workbook.addWorksheet('Disclosure schedule', {
    headerFooter: {
      oddHeader: `&C&B${banner.replace(/&/g, '&&')}`,
      oddFooter: `&L${doc.reference.replace(/&/g, '&&')}&C&B${banner.replace(/&/g, '&&')}&RPage &P of &N`,
    },
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  sheet.addRow([banner]).font = { bold: true };
  sheet.addRow([doc.title]);
  sheet.addRow([doc.audience]);
  sheet.addRow([]);
  const header = sheet.addRow([
    'Ref',
    'Kind',
    'Item',
    'Marking',
    'Source',
    'Grade',
    'SHA-256',
    'Status',
    'Record id',
  ]);
  header.font = { bold: true };
  for (const row of doc.schedule) {
    sheet.addRow([
      row.ref,
      row.kind,
      row.caption,
      row.marking,
      row.source,
      row.grade,
      row.sha256,
      row.status,
      row.recordId,
    ]);
  }
  sheet.views = [{ state: 'frozen', ySplit: 5 }];
  sheet.columns.forEach((column, i) => {
    column.width = [8, 12, 36, 36, 30, 7, 66, 10, 28][i] ?? 12;
  });
  const buffer = await workbook.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}
