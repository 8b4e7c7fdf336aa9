import { geoMercator } from 'd3-geo';
import { describe, expect, it } from 'vitest';
import { createDemoCase } from '../../shared/demo/demoCase.ts';
import { createGazetteer, placeEntities } from '../../shared/geo/index.ts';
import { buildBasemap } from './basemap.ts';
import { coLocated, fitPoints, layoutMarkers, spotKey, visibleTiles, zoomAt } from './mapModel.ts';
import type { Project } from './mapModel.ts';
import world from 'world-atlas/countries-110m.json';
import type { Topology } from 'topojson-specification';

const basemap = buildBasemap(world as unknown as Topology);

describe('basemap', () => {
  it('has the countries without Antarctica and sensible centroids', () => {
    expect(basemap.countries.length).toBe(176);
    const near = (code: string, lat: number, lon: number) => {
      const c = basemap.centroids.get(code)!;
      expect(Math.abs(c.lat - lat)).toBeLessThan(2);
      expect(Math.abs(c.lon - lon)).toBeLessThan(2);
    };
    near('ro', 45.9, 25.0);
    near('at', 47.6, 14.1);
    near('fr', 46.6, 2.4);
    near('it', 42.8, 12.5);
  });
});

describe('map view', () => {
  const projection = geoMercator().fitSize([1000, 600], basemap.outline);
  const project: Project = (p) => projection(p);

  it('zooms around the pointer', () => {
    const view = zoomAt({ k: 1, x: 0, y: 0 }, 2, 100, 50);
    expect(view).toEqual({ k: 2, x: -100, y: -50 });
    expect(zoomAt(view, 1000, 0, 0).k).toBe(64);
  });

  it('places, fits and clusters the demo case', () => {
    const demo = createDemoCase({ agencyId: 'demo', now: new Date('2024-06-01T00:00:00Z') });
    const { placed } = placeEntities(demo.entities, createGazetteer(basemap.centroids));
    const view = fitPoints(
      placed.map((p) => project([p.lon, p.lat])!),
      1000,
      600,
    );
    expect(view.k).toBeGreaterThan(4);
    const groups = layoutMarkers(placed, project, view, 22);
    const shown = groups.singles.length + groups.clusters.reduce((n, c) => n + c.members.length, 0);
    expect(shown).toBe(placed.length);
    for (const marker of groups.singles) {
      expect(marker.sx).toBeGreaterThan(0);
      expect(marker.sx).toBeLessThan(1000);
    }
    const together = groups.clusters.find((cluster) => coLocated(cluster.members))!;
    expect(together).toBeDefined();
    const fanned = layoutMarkers(placed, project, view, 22, spotKey(together.members[0]!));
    expect(fanned.spider?.members).toHaveLength(together.members.length);
    const ring = fanned.spider!.members.map((m) =>
      Math.hypot(m.sx - fanned.spider!.x, m.sy - fanned.spider!.y),
    );
    for (const distance of ring) expect(distance).toBeGreaterThanOrEqual(48 - 1e-9);
  });

  it('lays out XYZ tiles aligned with the projection', () => {
    const scale = projection.scale();
    const translate = projection.translate();
    expect(
      visibleTiles('no placeholders', scale, translate, { k: 1, x: 0, y: 0 }, 1000, 600),
    ).toEqual([]);
    const tiles = visibleTiles(
      't/{z}/{x}/{y}.png',
      scale,
      translate,
      { k: 1, x: 0, y: 0 },
      1000,
      600,
    );
    expect(tiles.length).toBeGreaterThan(0);
    // Tile (0,0) at its zoom starts where longitude −180 projects.
    const z = Number(tiles[0]!.url.split('/')[1]);
    const first = tiles.find((tile) => tile.url === `t/${z}/0/0.png`)!;
    expect(first.x).toBeCloseTo(projection([-180, 0])![0], 6);
    expect(first.y).toBeCloseTo(projection([0, 85.0511287798])![1], 3);
  });
});
