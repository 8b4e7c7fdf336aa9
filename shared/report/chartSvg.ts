/**
 * A saved chart drawn as a standalone SVG document, for reports: Node has no Cytoscape, so the
 * chart is drawn here from the stored node positions (ChartRecord.nodes) with a pure function.
 * Nodes are circles coloured by their data category (the legend lists the categories shown) with
 * the entity's caption below; relationships are straight lines with their type at the middle.
 * The drawing is scaled to fit `width` × `height`, keeping proportions.
 */
import { categoryOfSchema, DATA_CATEGORY_LABELS } from '../exchange/agreement.ts';
import type { DataCategory } from '../exchange/agreement.ts';
import { chartGraph } from '../model/chartGraph.ts';
import type { ChartRecord, EntityRecord } from '../model/records.ts';
import { captionOf, model } from '../model/schema.ts';

/** One colour per data category, legible on white and distinct in greyscale print. */
const CATEGORY_COLOURS: Readonly<Record<DataCategory, string>> = {
  persons: '#1f77b4',
  organisations: '#8c564b',
  communications: '#2ca02c',
  financial: '#d4a017',
  vehicles: '#9467bd',
  documents: '#7f7f7f',
  biometrics: '#e377c2',
  locations: '#17becf',
  events: '#ff7f0e',
  property: '#bcbd22',
  attachments: '#7f7f7f',
  notes: '#7f7f7f',
  notices: '#d62728',
  charts: '#7f7f7f',
};
const OTHER_COLOUR = '#555555';

export interface ChartSvg {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
  readonly legend: readonly { readonly label: string; readonly color: string }[];
  /** The entity captions drawn, unescaped (relationship types and the legend are fixed words). */
  readonly labels: readonly string[];
  /** Ids of the entities drawn (nodes and relationships), for the block's markings. */
  readonly drawn: readonly string[];
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Draws `chart` with the given (already released) entities; nodes of others are left out. */
export function chartToSvg(
  chart: Pick<ChartRecord, 'nodes'>,
  entities: readonly EntityRecord[],
  width = 500,
  height = 440,
): ChartSvg {
  const graph = chartGraph(entities, chart);
  const pad = 45;
  const xs = graph.nodes.map((n) => n.view.x);
  const ys = graph.nodes.map((n) => n.view.y);
  const minX = xs.length > 0 ? Math.min(...xs) : 0;
  const maxX = xs.length > 0 ? Math.max(...xs) : 1;
  const minY = ys.length > 0 ? Math.min(...ys) : 0;
  const maxY = ys.length > 0 ? Math.max(...ys) : 1;
  const scale = Math.min(
    (width - 2 * pad) / (maxX - minX || 1),
    (height - 2 * pad) / (maxY - minY || 1),
  );
  // Level of detail: on a crowded chart only the best-connected nodes and no relationship types
  // are labelled, so labels stay legible; the profiles and the relationship table list them all.
  const degree = new Map<string, number>();
  for (const edge of graph.edges) {
    degree.set(edge.source, (degree.get(edge.source) ?? 0) + 1);
    degree.set(edge.target, (degree.get(edge.target) ?? 0) + 1);
  }
  const crowded = graph.nodes.length > 25;
  const threshold = crowded
    ? ([...degree.values()].sort((a, b) => b - a)[19] ?? 0) + 0.5
    : Number.NEGATIVE_INFINITY;
  const at = new Map<string, { x: number; y: number }>();
  for (const node of graph.nodes) {
    at.set(node.entity.id, {
      x: pad + (node.view.x - minX) * scale,
      y: pad + (node.view.y - minY) * scale,
    });
  }
  const parts: string[] = [];
  const legend = new Map<string, string>();
  const labels: string[] = [];
  for (const edge of graph.edges) {
    const a = at.get(edge.source)!;
    const b = at.get(edge.target)!;
    const label = model.schemata[edge.entity.schema]?.label ?? edge.entity.schema;
    parts.push(
      `<line x1="${a.x.toFixed(1)}" y1="${a.y.toFixed(1)}" x2="${b.x.toFixed(1)}" y2="${b.y.toFixed(1)}" stroke="#999999" stroke-width="0.8"/>`,
    );
    if (!crowded) {
      parts.push(
        `<text x="${((a.x + b.x) / 2).toFixed(1)}" y="${((a.y + b.y) / 2 - 3).toFixed(1)}" font-size="6" fill="#666666" text-anchor="middle">${escapeXml(label)}</text>`,
      );
    }
  }
  for (const node of graph.nodes) {
    const p = at.get(node.entity.id)!;
    const category = categoryOfSchema(node.entity.schema);
    const color = category ? CATEGORY_COLOURS[category] : OTHER_COLOUR;
    legend.set(category ? DATA_CATEGORY_LABELS[category] : 'Other', color);
    parts.push(
      `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${crowded ? 6 : 9}" fill="${color}" stroke="#ffffff" stroke-width="1.2"/>`,
    );
    if ((degree.get(node.entity.id) ?? 0) > threshold) {
      const caption = clip(captionOf(node.entity.schema, node.entity.properties), 24);
      labels.push(caption);
      parts.push(
        `<text x="${p.x.toFixed(1)}" y="${(p.y + (crowded ? 14 : 19)).toFixed(1)}" font-size="${crowded ? 6.5 : 8}" fill="#111111" text-anchor="middle">${escapeXml(caption)}</text>`,
      );
    }
  }
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff" stroke="#cccccc"/>` +
    parts.join('') +
    '</svg>';
  return {
    svg,
    width,
    height,
    labels,
    legend: [...legend].map(([label, color]) => ({ label, color })),
    drawn: [...graph.nodes.map((n) => n.entity.id), ...graph.edges.map((e) => e.entity.id)],
  };
}
