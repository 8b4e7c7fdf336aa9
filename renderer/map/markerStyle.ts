/** Marker kind by entity type: the shape and the colour class a marker gets. */
export type MarkerKind = 'person' | 'organization' | 'address' | 'event' | 'vehicle' | 'other';

export function markerKind(schema: string): MarkerKind {
  switch (schema) {
    case 'Person':
      return 'person';
    case 'Company':
    case 'Organization':
    case 'LegalEntity':
    case 'PublicBody':
      return 'organization';
    case 'Address':
      return 'address';
    case 'Event':
    case 'Trip':
      return 'event';
    case 'Vehicle':
    case 'Vessel':
    case 'Airplane':
      return 'vehicle';
    default:
      return 'other';
  }
}

export const MARKER_LEGEND: readonly { readonly kind: MarkerKind; readonly label: string }[] = [
  { kind: 'person', label: 'People' },
  { kind: 'organization', label: 'Organisations' },
  { kind: 'address', label: 'Addresses' },
  { kind: 'event', label: 'Events' },
  { kind: 'vehicle', label: 'Vehicles' },
  { kind: 'other', label: 'Other' },
];

/** SVG path of the marker shape, centred on (0, 0), about 14 px across. */
export function markerPath(kind: MarkerKind): string {
  switch (kind) {
    case 'person':
      return 'M-7 0a7 7 0 1 0 14 0a7 7 0 1 0 -14 0z';
    case 'organization':
      return 'M-6 -6h12v12h-12z';
    case 'address':
      return 'M0 8l-6 -8a6 6 0 1 1 12 0z';
    case 'event':
      return 'M0 -8l2.4 5 5.6 .6 -4.2 3.8 1.2 5.6 -5 -2.9 -5 2.9 1.2 -5.6 -4.2 -3.8 5.6 -.6z';
    case 'vehicle':
      return 'M0 -7l7 12h-14z';
    default:
      return 'M0 -6l6 6 -6 6 -6 -6z';
  }
}
