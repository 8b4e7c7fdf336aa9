/**
 * The offline basemap: Natural Earth 1:110m country outlines (public domain) from the world-atlas
 * package, shipped inside the app bundle — nothing is fetched. Antarctica is left out (it would
 * take a third of a Mercator map). Each country's centroid, used to place entities known only by
 * country, is the spherical centroid of its largest polygon, so France lands in France and not in
 * the Atlantic between it and French Guiana.
 */
import { geoArea, geoCentroid } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { LatLon } from '../../shared/geo/index.ts';
import { alpha2OfFeature } from '../../shared/geo/index.ts';

export interface Country {
  /** Lower-case alpha-2 code, or '' when the feature has none. */
  readonly code: string;
  readonly name: string;
  readonly feature: Feature<Geometry>;
}

export interface Basemap {
  readonly countries: readonly Country[];
  readonly outline: FeatureCollection<Geometry>;
  readonly centroids: ReadonlyMap<string, LatLon>;
}

function largestPolygon(geometry: Geometry): Polygon | undefined {
  if (geometry.type === 'Polygon') return geometry;
  if (geometry.type !== 'MultiPolygon') return undefined;
  let best: Polygon | undefined;
  let bestArea = -1;
  for (const coordinates of (geometry as MultiPolygon).coordinates) {
    const polygon: Polygon = { type: 'Polygon', coordinates };
    const area = geoArea(polygon);
    if (area > bestArea) {
      best = polygon;
      bestArea = area;
    }
  }
  return best;
}

export function buildBasemap(topology: Topology): Basemap {
  const collection = feature(
    topology,
    topology.objects.countries as GeometryCollection<{ name: string }>,
  ) as FeatureCollection<Geometry, { name: string }>;
  const countries: Country[] = [];
  const centroids = new Map<string, LatLon>();
  for (const item of collection.features) {
    const name = item.properties?.name ?? '';
    const code = alpha2OfFeature(item.id, name) ?? '';
    if (code === 'aq' || !item.geometry) continue;
    countries.push({ code, name, feature: item });
    const main = largestPolygon(item.geometry);
    // Features sharing a code (Cyprus and N. Cyprus): the first, the ISO one, wins.
    if (code && main && !centroids.has(code)) {
      const [lon, lat] = geoCentroid(main);
      centroids.set(code, { lat, lon });
    }
  }
  return {
    countries,
    outline: { type: 'FeatureCollection', features: countries.map((country) => country.feature) },
    centroids,
  };
}

let loading: Promise<Basemap> | undefined;

/** The basemap, parsed once; the JSON is a separate chunk of the bundle, loaded on first use. */
export function loadBasemap(): Promise<Basemap> {
  loading ??= import('world-atlas/countries-110m.json').then((module) =>
    buildBasemap((module.default ?? module) as unknown as Topology),
  );
  return loading;
}
