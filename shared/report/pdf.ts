/**
 * Writes a report (types.ts) as PDF with pdfmake. The pdfmake instance is handed in (`PdfEngine`),
 * because Node and the browser load it and its fonts differently (electron/cli reads the bundled
 * Roboto files; the renderer uses pdfmake's browser build with its virtual file system); this
 * module only describes the document.
 *
 * Markings per page: every page carries, at its top and bottom, the highest marking of what is on
 * it (never below the case's own). Which blocks land on which page is known only after layout, so
 * the document is laid out twice: the first pass records the pages of every block (each block is a
 * stack with an id, and pdfmake's pageBreakBefore callback sees every node with an id and its
 * `pageNumbers`, returning false so it changes nothing), the second draws the banners from that
 * map. Banners sit in the page margins and have a fixed height, so they do not move the content;
 * the second pass records the pages again and the two maps must agree (else a third pass runs).
 */
import type {
  Content,
  ContentStack,
  DynamicContent,
  TDocumentDefinitions,
  TableCell,
} from 'pdfmake/interfaces';
import { mostRestrictive } from '../exchange/markings.ts';
import type { Markings } from '../model/markings.ts';
import { readableDate } from '../model/readable.ts';
import type { ReportBlock, ReportDocument } from './types.ts';

/** What this module needs of pdfmake (its Node and browser builds both have it). */
export interface PdfEngine {
  createPdf(doc: TDocumentDefinitions): { getBuffer(): Promise<Uint8Array> };
}

/** The banner line of a marking: classification, TLP and handling codes. */
export function bannerText(markings: Markings): string {
  const parts = [markings.classification, `TLP:${markings.tlp}`];
  if (markings.handlingCode) parts.push(markings.handlingCode);
  return parts.join(' · ');
}

const TLP_FILL: Readonly<Record<string, string>> = {
  CLEAR: '#ffffff',
  GREEN: '#d8f5d0',
  AMBER: '#ffe8b0',
  'AMBER+STRICT': '#ffd98a',
  RED: '#ffc8c8',
};

type PageMap = Map<string, readonly number[]>;

/** pdfmake reads `id` on any node (pageBreakBefore sees it); its types name it on few. */
type IdentifiedStack = ContentStack & { readonly id: string };

const CHART_WIDTH = 495;

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function blockContent(block: ReportBlock, draft: boolean): Content[] {
  const portion: Content = { text: `[${bannerText(block.markings)}]`, style: 'portion' };
  switch (block.kind) {
    case 'heading':
      return [{ text: block.text, style: 'h2', headlineLevel: 1 }];
    case 'paragraph':
      return [portion, { text: block.text, margin: [0, 0, 0, 6] }];
    case 'fields':
      return [
        ...(block.title ? [{ text: block.title, style: 'h2', headlineLevel: 1 } as Content] : []),
        portion,
        {
          table: {
            widths: [130, '*'],
            // pdfmake refuses a table without rows.
            body: (block.rows.length > 0 ? block.rows : [['', '']]).map(
              ([label, value]): TableCell[] => [{ text: label, style: 'label' }, { text: value }],
            ),
          },
          layout: 'lightHorizontalLines',
          margin: [0, 0, 0, 8],
        },
      ];
    case 'table':
      return [
        portion,
        {
          table: {
            headerRows: 1,
            widths: block.columns.map(() => '*'),
            body: [
              block.columns.map((c): TableCell => ({ text: c, style: 'th' })),
              ...block.rows.map((row) => row.map((cell): TableCell => ({ text: cell }))),
            ],
          },
          layout: 'lightHorizontalLines',
          fontSize: 8,
          margin: [0, 0, 0, 8],
        },
      ];
    case 'chart':
      return [
        portion,
        // The draft pass only needs the chart's size: drawing the SVG is the slowest part.
        draft
          ? {
              canvas: [{ type: 'rect', x: 0, y: 0, w: CHART_WIDTH, h: chartHeight(block) }],
            }
          : { svg: block.svg, width: CHART_WIDTH, height: chartHeight(block) },
        ...legendContent(block.legend),
      ];
  }
}

/** The chart's legend, three entries a row (pdfmake refuses a table without rows). */
function legendContent(legend: readonly { label: string; color: string }[]): Content[] {
  if (legend.length === 0) return [];
  return [
    {
      // The legend, three entries a row.
      table: {
        widths: ['*', '*', '*'],
        body: chunks(legend, 3).map((row) =>
          [0, 1, 2].map((i): TableCell => {
            const item = row[i];
            if (!item) return { text: '' };
            return {
              columns: [
                {
                  width: 10,
                  canvas: [{ type: 'rect', x: 0, y: 2, w: 8, h: 8, color: item.color }],
                },
                { width: '*', text: item.label, fontSize: 8 },
              ],
            };
          }),
        ),
      },
      layout: 'noBorders',
      margin: [0, 4, 0, 8],
    },
  ];
}

function chartHeight(block: { readonly width: number; readonly height: number }): number {
  return Math.round((CHART_WIDTH * block.height) / block.width);
}

function pageMarkings(doc: ReportDocument, blocks: readonly ReportBlock[], pages: PageMap) {
  const byPage = new Map<number, Markings>();
  // The cover states the highest marking of the whole report, so its page carries it.
  for (const page of pages.get('cover') ?? []) byPage.set(page, doc.highest);
  blocks.forEach((block, index) => {
    for (const page of pages.get(`blk-${index}`) ?? []) {
      const current = byPage.get(page) ?? doc.floor;
      byPage.set(page, mostRestrictive(current, block.markings, doc.classifications));
    }
  });
  return (page: number): Markings => byPage.get(page) ?? doc.floor;
}

function definition(
  doc: ReportDocument,
  onNode: (id: string, pages: readonly number[]) => void,
  markingsOf: (page: number) => Markings,
  draft: boolean,
): TDocumentDefinitions {
  let index = 0;
  const stackOf = (block: ReportBlock): ContentStack => {
    const node: IdentifiedStack = {
      stack: blockContent(block, draft),
      id: `blk-${index++}`,
      // Never `unbreakable`: pdfmake lays such a block out, then moves it to the next page when
      // it does not fit, and keeps the first page in its positions, so the banner of the page
      // it lands on would miss its marking. Titles are kept with what follows them below.
    };
    return node;
  };
  const banner =
    (where: 'top' | 'bottom'): DynamicContent =>
    (current, count) => {
      const markings = markingsOf(current);
      const line: Content[] = [
        {
          table: {
            widths: ['*'],
            body: [
              [
                {
                  text:
                    bannerText(markings) +
                    (doc.authorCopy ? '   ·   AUTHOR’S COPY — NOT FOR RELEASE' : ''),
                  bold: true,
                  alignment: 'center',
                  fillColor: TLP_FILL[markings.tlp] ?? '#ffffff',
                  fontSize: 9,
                },
              ],
            ],
          },
          layout: 'noBorders',
        },
      ];
      const footer: Content = {
        columns: [
          { text: doc.reference, fontSize: 8 },
          { text: `Page ${current} of ${count}`, alignment: 'right', fontSize: 8 },
        ],
        margin: [0, 2, 0, 0],
      };
      return {
        stack: where === 'top' ? line : [...line, footer],
        margin: where === 'top' ? [50, 24, 50, 0] : [50, 8, 50, 0],
      };
    };
  const cover: IdentifiedStack = {
    stack: [
      { text: bannerText(doc.highest), style: 'coverMarking' },
      { text: doc.title, style: 'title' },
      { text: doc.caseTitle, style: 'subtitle' },
      {
        table: {
          widths: [130, '*'],
          body: [
            ['Reference', doc.reference],
            ['Classification', bannerText(doc.highest)],
            ['Author', doc.author],
            ['Date', readableDate(doc.date)],
            ['Audience', doc.audience],
          ].map(([label, value]): TableCell[] => [
            { text: label!, style: 'label' },
            { text: value! },
          ]),
        },
        layout: 'lightHorizontalLines',
        margin: [0, 30, 0, 0],
      },
    ],
    id: 'cover',
  };
  const content: Content[] = [
    cover,
    {
      toc: { title: { text: 'Contents', style: 'h1' } },
      pageBreak: 'before',
    },
  ];
  for (const section of doc.sections) {
    content.push({ text: section.title, style: 'h1', tocItem: true, pageBreak: 'before' });
    for (const block of section.blocks) content.push(stackOf(block));
  }
  return {
    pageSize: 'A4',
    pageMargins: [50, 60, 50, 70],
    info: { title: doc.title, author: doc.author, subject: doc.audience, creator: 'Tessera' },
    header: banner('top'),
    footer: banner('bottom'),
    content,
    defaultStyle: { font: 'Roboto', fontSize: 9.5 },
    styles: {
      title: { fontSize: 22, bold: true, margin: [0, 120, 0, 8] },
      subtitle: { fontSize: 14, margin: [0, 0, 0, 8] },
      coverMarking: { fontSize: 12, bold: true, alignment: 'center' },
      h1: { fontSize: 15, bold: true, margin: [0, 0, 0, 8] },
      h2: { fontSize: 11, bold: true, margin: [0, 6, 0, 2] },
      label: { bold: true },
      th: { bold: true },
      portion: { fontSize: 7, color: '#555555', margin: [0, 2, 0, 1] },
    },
    pageBreakBefore: (node, following) => {
      if (typeof node.id === 'string') onNode(node.id, node.pageNumbers);
      // A title last on its page goes to the next one with what it titles. The block around it
      // was recorded already, so its pages may name one page too many: that page's banner can
      // only be higher than needed, never lower.
      return node.headlineLevel === 1 && following.getFollowingNodesOnPage().length === 0;
    },
  };
}

/** Lays the report out and returns the PDF's bytes (see the two passes above). */
export async function reportToPdf(doc: ReportDocument, engine: PdfEngine): Promise<Uint8Array> {
  const blocks = doc.sections.flatMap((s) => s.blocks);
  let known: PageMap = new Map();
  for (let pass = 0; pass < 4; pass += 1) {
    const seen: PageMap = new Map();
    const markingsOf = pageMarkings(doc, blocks, known);
    const bytes = await engine
      .createPdf(definition(doc, (id, pages) => seen.set(id, pages), markingsOf, pass === 0))
      .getBuffer();
    if (pass > 0 && samePages(known, seen)) return bytes;
    known = seen;
  }
  throw new Error('the report’s pages did not settle after four layouts');
}

function samePages(a: PageMap, b: PageMap): boolean {
  if (a.size !== b.size) return false;
  for (const [id, pages] of a) {
    const other = b.get(id);
    if (!other || other.length !== pages.length || other.some((p, i) => p !== pages[i]))
      return false;
  }
  return true;
}
