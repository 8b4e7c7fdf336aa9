/**
 * A report as a Word document (docx), for users who edit it further. Word lays out pages itself,
 * so which block lands on which page is not known here: each report section is a Word section
 * whose header and footer carry the highest marking of everything in that section (never lower
 * than what is on any of its pages, possibly higher), with "Page x of y" in the footer. The cover
 * is its own section, marked with the highest marking of the whole report. The chart is not drawn
 * in DOCX (Word needs a raster fallback for SVG); its legend and a pointer to the PDF stand in.
 */
import {
  AlignmentType,
  Document,
  Footer,
  Header,
  HeadingLevel,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import type { ISectionOptions } from 'docx';
import { mostRestrictive } from '../exchange/markings.ts';
import type { Markings } from '../model/markings.ts';
import { readableDate } from '../model/readable.ts';
import { bannerText } from './pdf.ts';
import type { ReportBlock, ReportDocument } from './types.ts';

const TLP_FILL: Readonly<Record<string, string>> = {
  CLEAR: 'FFFFFF',
  GREEN: 'D8F5D0',
  AMBER: 'FFE8B0',
  'AMBER+STRICT': 'FFD98A',
  RED: 'FFC8C8',
};

function bannerParagraph(doc: ReportDocument, markings: Markings): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    shading: { type: ShadingType.CLEAR, fill: TLP_FILL[markings.tlp] ?? 'FFFFFF', color: 'auto' },
    children: [
      new TextRun({
        text: bannerText(markings) + (doc.authorCopy ? ' · AUTHOR’S COPY — NOT FOR RELEASE' : ''),
        bold: true,
      }),
    ],
  });
}

function cell(text: string, bold = false): TableCell {
  return new TableCell({
    children: [new Paragraph({ children: [new TextRun({ text, bold, size: 18 })] })],
  });
}

function table(
  columns: readonly string[] | undefined,
  rows: readonly (readonly string[])[],
): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      ...(columns
        ? [new TableRow({ tableHeader: true, children: columns.map((c) => cell(c, true)) })]
        : []),
      ...rows.map(
        (row) => new TableRow({ children: row.map((c, i) => cell(c, !columns && i === 0)) }),
      ),
    ],
  });
}

function portion(markings: Markings): Paragraph {
  return new Paragraph({
    children: [new TextRun({ text: `[${bannerText(markings)}]`, size: 14, color: '555555' })],
  });
}

function blockParts(block: ReportBlock): (Paragraph | Table)[] {
  switch (block.kind) {
    case 'heading':
      return [new Paragraph({ text: block.text, heading: HeadingLevel.HEADING_2 })];
    case 'paragraph':
      return [portion(block.markings), new Paragraph({ text: block.text })];
    case 'fields':
      return [
        ...(block.title
          ? [new Paragraph({ text: block.title, heading: HeadingLevel.HEADING_2 })]
          : []),
        portion(block.markings),
        table(undefined, block.rows),
        new Paragraph({ text: '' }),
      ];
    case 'table':
      return [
        portion(block.markings),
        table(block.columns, block.rows),
        new Paragraph({ text: '' }),
      ];
    case 'chart':
      return [
        portion(block.markings),
        new Paragraph({
          text: `The chart is drawn in the PDF edition of this report. It shows ${block.labels.join(', ')}.`,
        }),
        new Paragraph({ text: `Legend: ${block.legend.map((l) => l.label).join('; ')}` }),
      ];
  }
}

function section(
  doc: ReportDocument,
  markings: Markings,
  children: (Paragraph | Table)[],
): ISectionOptions {
  return {
    headers: { default: new Header({ children: [bannerParagraph(doc, markings)] }) },
    footers: {
      default: new Footer({
        children: [
          bannerParagraph(doc, markings),
          new Paragraph({
            alignment: AlignmentType.RIGHT,
            children: [
              new TextRun({
                children: [
                  `${doc.reference}    Page `,
                  PageNumber.CURRENT,
                  ' of ',
                  PageNumber.TOTAL_PAGES,
                ],
                size: 16,
              }),
            ],
          }),
        ],
      }),
    },
    children,
  };
}

export async function reportToDocx(doc: ReportDocument): Promise<Uint8Array> {
  const cover = section(doc, doc.highest, [
    new Paragraph({ text: doc.title, heading: HeadingLevel.TITLE }),
    new Paragraph({ text: doc.caseTitle, heading: HeadingLevel.HEADING_1 }),
    table(undefined, [
      ['Reference', doc.reference],
      ['Classification', bannerText(doc.highest)],
      ['Author', doc.author],
      ['Date', readableDate(doc.date)],
      ['Audience', doc.audience],
    ]),
    new Paragraph({ text: 'Contents', heading: HeadingLevel.HEADING_1 }),
    ...doc.sections.map((s, i) => new Paragraph({ text: `${i + 1}. ${s.title}` })),
  ]);
  const sections = doc.sections.map((s, i) =>
    section(
      doc,
      s.blocks.reduce((acc, b) => mostRestrictive(acc, b.markings, doc.classifications), doc.floor),
      [
        new Paragraph({ text: `${i + 1}. ${s.title}`, heading: HeadingLevel.HEADING_1 }),
        ...s.blocks.flatMap(blockParts),
      ],
    ),
  );
  const document = new Document({
    creator: doc.author,
    title: doc.title,
    description: doc.audience,
    sections: [cover, ...sections],
  });
  return new Uint8Array(await Packer.toArrayBuffer(document));
}
