/**
 * Map geometry without React: the view is a zoom `k` and offset (x, y) applied to the base Mercator
 * projection fitted to the panel (screen = k · base + offset). Markers stay screen-sized, so they are
 * projected and clustered in screen space after every change of view. Optional XYZ tiles (only when
 * the user configured a tile server) are laid out from the same projection: d3's Mercator with
 * scale s spans 2πs pixels around the world, which fixes the tile zoom and the tiles' origin.
 */
import type { Cluster, Placement } from '../../shared/geo/index.ts';
import { clusterPoints } from '../../shared/geo/index.ts';

export interface View {
  readonly k: number;
  readonly x: number;
  readonly y: number;
}

const MIN_ZOOM = 1;
export const MAX_ZOOM = 64;

export type Project = (lonLat: [number, number]) => [number, number] | null;

/** Zooms by `factor` around the screen point (px, py). */
export function zoomAt(view: View, factor: number, px: number, py: number): View {
  const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.k * factor));
  const applied = k / view.k;
  return { k, x: px - (px - view.x) * applied, y: py - (py - view.y) * applied };
}

/** A view that shows the base-projected points with a margin, not closer than `maxZoom`. */
export function fitPoints(
  points: readonly [number, number][],
  width: number,
  height: number,
  maxZoom = 12,
  margin = 60,
): View {
  if (points.length === 0) return { k: 1, x: 0, y: 0 };
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const k = Math.min(
    maxZoom,
    Math.max(
      MIN_ZOOM,
      Math.min(
        (width - 2 * margin) / Math.max(x1 - x0, 1e-6),
        (height - 2 * margin) / Math.max(y1 - y0, 1e-6),
      ),
    ),
  );
  return { k, x: width / 2 - k * ((x0 + x1) / 2), y: height / 2 - k * ((y0 + y1) / 2) };
}

export interface ScreenMarker extends Placement {
  readonly sx: number;
  readonly sy: number;
  /** Where the label goes; fanned-out markers on the left of their ring label leftwards. */
  readonly labelSide?: 'left' | 'right';
}

export interface Spider {
  /** Screen position of the shared spot. */
  readonly x: number;
  readonly y: number;
  /** Members on a ring around the spot (their sx, sy are on the ring). */
  readonly members: ScreenMarker[];
}

export interface MarkerGroups {
  readonly singles: ScreenMarker[];
  readonly clusters: (Cluster & { readonly members: ScreenMarker[] })[];
  /** The expanded spot, when one is. */
  readonly spider?: Spider;
}

/** Identifies a spot shared by several entities (a city or a country centroid). */
export function spotKey(place: Placement): string {
  return `${place.lat},${place.lon}`;
}

/**
 * Projects placements to the screen and clusters those closer than `radius` pixels. The entities
 * at the `expanded` spot are not clustered but fanned out on a ring around it ("spiderfied"), so
 * entities placed at the same city or centroid can each be seen and clicked.
 */
export function layoutMarkers(
  placements: readonly Placement[],
  project: Project,
  view: View,
  radius: number,
  expanded?: string,
): MarkerGroups {
  const markers: ScreenMarker[] = [];
  const fanned: ScreenMarker[] = [];
  for (const place of placements) {
    const base = project([place.lon, place.lat]);
    if (!base) continue;
    const marker = { ...place, sx: view.k * base[0] + view.x, sy: view.k * base[1] + view.y };
    (expanded !== undefined && spotKey(place) === expanded ? fanned : markers).push(marker);
  }
  let spider: Spider | undefined;
  if (fanned.length > 0) {
    const { sx: x, sy: y } = fanned[0]!;
    const ring = Math.max(48, (fanned.length * 40) / (2 * Math.PI));
    spider = {
      x,
      y,
      members: fanned.map((marker, index) => {
        const angle = -Math.PI / 2 + (2 * Math.PI * index) / fanned.length;
        return {
          ...marker,
          sx: x + ring * Math.cos(angle),
          sy: y + ring * Math.sin(angle),
          labelSide: Math.cos(angle) < -1e-9 ? ('left' as const) : ('right' as const),
        };
      }),
    };
  }
  const byId = new Map(markers.map((marker) => [marker.entityId, marker]));
  const singles: ScreenMarker[] = [];
  const clusters: MarkerGroups['clusters'] = [];
  for (const cluster of clusterPoints(
    markers.map((m) => ({ id: m.entityId, x: m.sx, y: m.sy })),
    radius,
  )) {
    const members = cluster.ids.map((id) => byId.get(id)!);
    if (members.length === 1) singles.push(members[0]!);
    else clusters.push({ ...cluster, members });
  }
  return spider ? { singles, clusters, spider } : { singles, clusters };
}

/** True when every member sits on the same spot, so zooming will never separate them. */
export function coLocated(members: readonly Placement[]): boolean {
  return members.every((m) => m.lat === members[0]!.lat && m.lon === members[0]!.lon);
}

export interface Tile {
  readonly url: string;
  readonly x: number;
  readonly y: number;
  readonly size: number;
}

/**
 * XYZ tiles covering the panel. `scale` and `translate` are the base projection's (d3 geoMercator,
 * unrotated); `template` holds {z}, {x} and {y}. Returns none for a template without them.
 */
export function visibleTiles(
  template: string,
  scale: number,
  translate: [number, number],
  view: View,
  width: number,
  height: number,
): Tile[] {
  if (!/\{z\}/.test(template) || !/\{x\}/.test(template) || !/\{y\}/.test(template)) return [];
  const worldPx = 2 * Math.PI * scale * view.k;
  const z = Math.max(0, Math.min(19, Math.round(Math.log2(worldPx / 256))));
  const count = 2 ** z;
  const size = worldPx / count;
  const originX = view.k * (translate[0] - Math.PI * scale) + view.x;
  const originY = view.k * (translate[1] - Math.PI * scale) + view.y;
  const tiles: Tile[] = [];
  const firstX = Math.floor(-originX / size);
  const lastX = Math.floor((width - originX) / size);
  const firstY = Math.max(0, Math.floor(-originY / size));
  const lastY = Math.min(count - 1, Math.floor((height - originY) / size));
  for (let ty = firstY; ty <= lastY; ty += 1) {
    for (let tx = firstX; tx <= lastX; tx += 1) {
      const wrapped = ((tx % count) + count) % count;
      tiles.push({
        url: template
          .replace('{z}', String(z))
          .replace('{x}', String(wrapped))
          .replace('{y}', String(ty)),
        x: originX + tx * size,
        y: originY + ty * size,
        size,
      });
    }
  }
  return tiles;
}
