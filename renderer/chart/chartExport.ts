/**
 * The frame around an exported chart image: a classification banner at top and bottom, the case
 * reference, title and chart name, and a legend of the entity and relationship types drawn. A
 * chart image handed to a prosecutor or a partner must say how it is marked and what it shows,
 * like every other product of the case.
 *
 * The SVG frame is built as text around the chart's own SVG (nested, so its coordinates stay
 * as they are); the PNG frame is drawn on a canvas around the chart's bitmap.
 */
import type { CaseRecord, EntityRecord, Markings } from '../../shared/model/index.ts';
import { DEFAULT_MARKINGS } from '../../shared/model/index.ts';
import { mostRestrictive } from '../../shared/exchange/markings.ts';
import { CHART_ICONS, iconKeyFor } from './chartIcons.ts';
import type { ChartViewModel } from './chartModel.ts';
import { schemaLabel } from './chartModel.ts';

export interface LegendEntry {
  readonly label: string;
  readonly color: string;
  readonly count: number;
  /** Relationship types are drawn as a line, entity types as a dot. */
  readonly edge: boolean;
}

export interface ExportFrame {
  /** "RESTRICTED · TLP:AMBER · ORCON": the strictest marking of the case and what is drawn. */
  readonly banner: string;
  /** "AT/BK/2026/0042 · Vienna bus station smuggling · Chart: Suspects". */
  readonly caption: string;
  readonly legend: readonly LegendEntry[];
  readonly colors: { readonly bg: string; readonly fg: string; readonly edge: string };
}

/** The banner text of the strictest markings among the case and the records drawn. */
export function exportBanner(
  caseRecord: Pick<CaseRecord, 'markings'> | undefined,
  drawn: readonly Pick<EntityRecord, 'markings'>[],
): string {
  let markings: Markings = caseRecord?.markings ?? DEFAULT_MARKINGS;
  for (const record of drawn) markings = mostRestrictive(markings, record.markings);
  return [markings.classification, `TLP:${markings.tlp}`, markings.handlingCode]
    .filter((part): part is string => Boolean(part))
    .join(' · ');
}

/** Legend entries for the types drawn, most frequent first (combined links count their members). */
export function exportLegend(view: ChartViewModel, edgeColor: string): LegendEntry[] {
  const nodes = new Map<string, number>();
  const edges = new Map<string, number>();
  for (const node of view.nodes) {
    // Groups (compound nodes) are drawing aids, not entities.
    if (node.classes?.split(' ').includes('chart-group')) continue;
    nodes.set(node.schema, (nodes.get(node.schema) ?? 0) + 1);
  }
  for (const edge of view.edges) {
    edges.set(edge.schema, (edges.get(edge.schema) ?? 0) + (edge.members?.length ?? 1));
  }
  const byCount = (a: LegendEntry, b: LegendEntry) =>
    b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
  return [
    ...[...nodes]
      .map(([schema, count]) => ({
        label: schemaLabel(schema),
        color: (CHART_ICONS[iconKeyFor(schema)] ?? CHART_ICONS.Thing!).color,
        count,
        edge: false,
      }))
      .sort(byCount),
    ...[...edges]
      .map(([schema, count]) => ({
        label: schemaLabel(schema),
        color: edgeColor,
        count,
        edge: true,
      }))
      .sort(byCount),
  ];
}

const FONT = 'Helvetica, Arial, sans-serif';
const BANNER_HEIGHT = 28;
const CAPTION_HEIGHT = 26;
const LEGEND_ROW = 20;
const LEGEND_COLUMN = 190;
const MARGIN = 12;
/** Banner colours: black on amber reads in print and on both themes. */
const BANNER_BG = '#fbbf24';
const BANNER_FG = '#111827';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Where the parts of the frame go for a chart of `width` × `height`. */
export interface FrameLayout {
  readonly width: number;
  readonly height: number;
  readonly chartY: number;
  readonly legendY: number;
  readonly columns: number;
  readonly rows: number;
}

export function frameLayout(
  frame: ExportFrame,
  chartWidth: number,
  chartHeight: number,
): FrameLayout {
  const width = Math.max(Math.ceil(chartWidth), 2 * LEGEND_COLUMN + 2 * MARGIN);
  const columns = Math.max(1, Math.floor((width - 2 * MARGIN) / LEGEND_COLUMN));
  const rows = Math.ceil(frame.legend.length / columns);
  const chartY = BANNER_HEIGHT + CAPTION_HEIGHT;
  const legendY = chartY + Math.ceil(chartHeight) + MARGIN;
  const height = legendY + rows * LEGEND_ROW + MARGIN + BANNER_HEIGHT;
  return { width, height, chartY, legendY, columns, rows };
}

function legendText(entry: LegendEntry): string {
  return `${entry.label} (${entry.count})`;
}

/** The size the cytoscape-svg output declares. */
export function svgSize(svg: string): { width: number; height: number } {
  const open = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(open)?.[1] ?? 0);
  const height = Number(/\sheight="([\d.]+)"/.exec(open)?.[1] ?? 0);
  return { width, height };
}

/** The chart's SVG inside the frame: banners, caption and legend as real text. */
export function framedSvg(chartSvg: string, frame: ExportFrame): string {
  const size = svgSize(chartSvg);
  const layout = frameLayout(frame, size.width, size.height);
  const { width, height } = layout;
  // The chart keeps its own document; drop any XML prolog so it can nest.
  const inner = chartSvg
    .replace(/^<\?xml[^>]*\?>\s*/, '')
    .replace(/^<svg\b/, `<svg x="0" y="${layout.chartY}"`);
  const banner = (y: number) =>
    `<rect x="0" y="${y}" width="${width}" height="${BANNER_HEIGHT}" fill="${BANNER_BG}"/>` +
    `<text x="${width / 2}" y="${y + BANNER_HEIGHT / 2}" text-anchor="middle" dominant-baseline="central" ` +
    `font-family="${FONT}" font-size="14" font-weight="bold" fill="${BANNER_FG}">${escapeXml(frame.banner)}</text>`;
  const legend = frame.legend
    .map((entry, index) => {
      const x = MARGIN + (index % layout.columns) * LEGEND_COLUMN;
      const y = layout.legendY + Math.floor(index / layout.columns) * LEGEND_ROW + LEGEND_ROW / 2;
      // Rectangles, not circles and lines: the chart's own shapes stay countable in the file.
      const mark = entry.edge
        ? `<rect x="${x}" y="${y - 1.5}" width="14" height="3" fill="${entry.color}"/>`
        : `<rect x="${x + 1}" y="${y - 6}" width="12" height="12" rx="6" fill="${entry.color}"/>`;
      return (
        mark +
        `<text x="${x + 20}" y="${y}" dominant-baseline="central" font-family="${FONT}" font-size="12" ` +
        `fill="${frame.colors.fg}">${escapeXml(legendText(entry))}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" ` +
    `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title>${escapeXml(`${frame.banner} — ${frame.caption}`)}</title>` +
    `<rect width="${width}" height="${height}" fill="${frame.colors.bg}"/>` +
    banner(0) +
    `<text x="${MARGIN}" y="${BANNER_HEIGHT + CAPTION_HEIGHT / 2}" dominant-baseline="central" ` +
    `font-family="${FONT}" font-size="13" font-weight="bold" fill="${frame.colors.fg}">${escapeXml(frame.caption)}</text>` +
    inner +
    legend +
    banner(height - BANNER_HEIGHT) +
    `</svg>`
  );
}

/** The chart's PNG inside the frame, drawn on a canvas (same layout as the SVG frame). */
export async function framedPng(chartPng: Blob, frame: ExportFrame, scale = 1): Promise<Blob> {
  const bitmap = await createImageBitmap(chartPng);
  // The chart bitmap is drawn at `scale` pixels per chart pixel; the frame's text follows it.
  const chartWidth = bitmap.width / scale;
  const chartHeight = bitmap.height / scale;
  const layout = frameLayout(frame, chartWidth, chartHeight);
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(layout.width * scale);
  canvas.height = Math.ceil(layout.height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas for the PNG export');
  ctx.scale(scale, scale);
  ctx.fillStyle = frame.colors.bg;
  ctx.fillRect(0, 0, layout.width, layout.height);
  const banner = (y: number) => {
    ctx.fillStyle = BANNER_BG;
    ctx.fillRect(0, y, layout.width, BANNER_HEIGHT);
    ctx.fillStyle = BANNER_FG;
    ctx.font = `bold 14px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(frame.banner, layout.width / 2, y + BANNER_HEIGHT / 2);
  };
  banner(0);
  ctx.textAlign = 'left';
  ctx.fillStyle = frame.colors.fg;
  ctx.font = `bold 13px ${FONT}`;
  ctx.fillText(frame.caption, MARGIN, BANNER_HEIGHT + CAPTION_HEIGHT / 2);
  ctx.drawImage(bitmap, 0, layout.chartY, chartWidth, chartHeight);
  bitmap.close();
  ctx.font = `12px ${FONT}`;
  frame.legend.forEach((entry, index) => {
    const x = MARGIN + (index % layout.columns) * LEGEND_COLUMN;
    const y = layout.legendY + Math.floor(index / layout.columns) * LEGEND_ROW + LEGEND_ROW / 2;
    if (entry.edge) {
      ctx.strokeStyle = entry.color;
      ctx.lineWidth = 3;
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 14, y);
      ctx.stroke();
    } else {
      ctx.fillStyle = entry.color;
      ctx.beginPath();
      ctx.arc(x + 7, y, 6, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.fillStyle = frame.colors.fg;
    ctx.fillText(legendText(entry), x + 20, y);
  });
  banner(layout.height - BANNER_HEIGHT);
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('the PNG export produced nothing'))),
      'image/png',
    ),
  );
}
