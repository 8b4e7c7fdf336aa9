/**
 * One glyph and one colour per entity type, drawn here as 24×24 stroke icons (no icon font, no
 * remote asset) and handed to Cytoscape as SVG data URIs. Types outside the table borrow the icon
 * of the nearest charted ancestor (an Airplane draws as a Vehicle), else the generic glyph.
 */
import { model, NODE_SCHEMATA } from '../../shared/model/index.ts';

export interface ChartIcon {
  /** Node fill; the glyph is drawn in white on it, so it must be dark enough for contrast. */
  readonly color: string;
  /** SVG body (paths, circles, rects) in a 0 0 24 24 viewBox, stroked with currentColor. */
  readonly glyph: string;
}

export const GENERIC_ICON_KEY = 'Thing';

export const CHART_ICONS: Readonly<Record<string, ChartIcon>> = {
  Person: {
    color: '#2563eb',
    glyph: '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7"/>',
  },
  Organization: {
    color: '#7c3aed',
    glyph:
      '<circle cx="9" cy="8" r="3.5"/><path d="M2 20c0-3.6 3-6 7-6s7 2.4 7 6"/>' +
      '<circle cx="17" cy="7" r="2.5"/><path d="M17 12.5c2.6 0 5 1.8 5 4.5"/>',
  },
  Company: {
    color: '#4338ca',
    glyph: '<path d="M4 21V3h11v18M15 9h5v12M2 21h20M8 7h3M8 11h3M8 15h3"/>',
  },
  Phone: {
    color: '#0e7490',
    glyph: '<rect x="7" y="2" width="10" height="20" rx="2"/><path d="M11 18h2"/>',
  },
  Email: {
    color: '#0f766e',
    glyph: '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3 7l9 6 9-6"/>',
  },
  Address: {
    color: '#4d7c0f',
    glyph:
      '<path d="M12 22s7-6.2 7-12a7 7 0 0 0-14 0c0 5.8 7 12 7 12z"/><circle cx="12" cy="10" r="2.5"/>',
  },
  Vehicle: {
    color: '#c2410c',
    glyph:
      '<path d="M5 17H3v-5l2.5-5h13l2.5 5v5h-2M9 17h6M3 12h18"/>' +
      '<circle cx="7" cy="17" r="2"/><circle cx="17" cy="17" r="2"/>',
  },
  Vessel: {
    color: '#0369a1',
    glyph: '<path d="M3 15h18l-3 5H6zM12 3v12M12 4l6 8h-6"/>',
  },
  BankAccount: {
    color: '#15803d',
    glyph: '<path d="M3 9l9-5 9 5zM5 9v9M9.5 9v9M14.5 9v9M19 9v9M3 20h18"/>',
  },
  CryptoWallet: {
    color: '#a16207',
    glyph:
      '<path d="M19 7V5a1 1 0 0 0-1-1H5a2 2 0 0 0 0 4h15v12H5a2 2 0 0 1-2-2V6"/>' +
      '<circle cx="16" cy="14" r="1.5"/>',
  },
  Passport: {
    color: '#9f1239',
    glyph:
      '<rect x="5" y="2" width="14" height="20" rx="2"/><circle cx="12" cy="10" r="3.5"/><path d="M9 17h6"/>',
  },
  Identification: {
    color: '#be185d',
    glyph:
      '<rect x="2" y="5" width="20" height="14" rx="2"/><circle cx="8" cy="11" r="2.5"/>' +
      '<path d="M4.5 16.5c.6-1.6 1.9-2.5 3.5-2.5s2.9.9 3.5 2.5M14 10h5M14 14h4"/>',
  },
  Event: {
    color: '#b45309',
    glyph: '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>',
  },
  Document: {
    color: '#475569',
    glyph:
      '<path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6M8 13h8M8 17h8"/>',
  },
  StolenProperty: {
    color: '#dc2626',
    glyph:
      '<path d="M20.6 13.4l-7.2 7.2a2 2 0 0 1-2.8 0L2 12V2h10l8.6 8.6a2 2 0 0 1 0 2.8z"/>' +
      '<circle cx="7" cy="7" r="1.5"/>',
  },
  BiometricRecord: {
    color: '#a21caf',
    glyph:
      '<path d="M12 11v3M8.5 16.5c.9-1.5 1.5-3.5 1.5-5.5a2 2 0 0 1 4 0c0 2.5-.5 5-1.5 7"/>' +
      '<path d="M6 13c0-.7 0-1.3.1-2A6 6 0 0 1 18 11c0 1.7-.2 3.5-.6 5M4.2 8.5A8 8 0 0 1 20 11"/>',
  },
  [GENERIC_ICON_KEY]: {
    color: '#64748b',
    glyph: '<circle cx="12" cy="12" r="8"/><circle cx="12" cy="12" r="2.5"/>',
  },
};

/** The CHART_ICONS key used for an entity type (exact match, then nearest charted ancestor). */
export function iconKeyFor(schemaName: string): string {
  if (schemaName in CHART_ICONS) return schemaName;
  const schema = model.schemata[schemaName];
  if (!schema) return GENERIC_ICON_KEY;
  // NODE_SCHEMATA lists Company after Organization; a subtype of Company must not stop at Organization.
  let best: string | undefined;
  let bestDepth = -1;
  for (const candidate of NODE_SCHEMATA) {
    const ancestor = model.schemata[candidate];
    if (!ancestor || !schema.isA(ancestor)) continue;
    const depth = ancestor.getParents().length;
    if (depth > bestDepth) {
      best = candidate;
      bestDepth = depth;
    }
  }
  return best ?? GENERIC_ICON_KEY;
}

/** A standalone SVG document for the glyph, stroked in `stroke`. */
export function iconSvg(key: string, stroke = '#ffffff'): string {
  const icon = CHART_ICONS[key] ?? CHART_ICONS[GENERIC_ICON_KEY];
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 24 24" ' +
    `fill="none" stroke="${stroke}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">` +
    `${icon.glyph}</svg>`
  );
}

/** The glyph as a data URI Cytoscape can paint as a node background image. */
export function iconDataUri(key: string, stroke = '#ffffff'): string {
  return `data:image/svg+xml;utf8,${encodeURIComponent(iconSvg(key, stroke))}`;
}
