import { describe, expect, it } from 'vitest';
import { createDemoCase } from '../demo/demoCase.ts';
import { testEntity as entity } from '../model/fixtures/entities.ts';
import { CITIES } from './cities.ts';
import { clusterPoints } from './cluster.ts';
import { alpha2OfFeature } from './countries.ts';
import { createGazetteer, normalizePlaceName } from './gazetteer.ts';
import { placeEntities } from './place.ts';

const gazetteer = createGazetteer(new Map([['ro', { lat: 45.9, lon: 24.9 }]]));

describe('city table', () => {
  it('has a few hundred valid entries with unique names per country', () => {
    expect(CITIES.length).toBeGreaterThan(300);
    const seen = new Set<string>();
    for (const city of CITIES) {
      expect(Math.abs(city.lat)).toBeLessThanOrEqual(90);
      expect(Math.abs(city.lon)).toBeLessThanOrEqual(180);
      expect(city.country).toMatch(/^[a-z]{2}$/);
      const key = `${city.country}:${normalizePlaceName(city.name)}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
  });

  it('maps basemap ids to alpha-2 codes', () => {
    expect(alpha2OfFeature('642')).toBe('ro');
    expect(alpha2OfFeature(40)).toBe('at');
    expect(alpha2OfFeature(undefined, 'Kosovo')).toBe('xk');
    expect(alpha2OfFeature('999')).toBeUndefined();
  });
});

describe('gazetteer', () => {
  it('finds cities by any spelling, without accents', () => {
    expect(gazetteer.cityByName('Vienna')?.name).toBe('Wien');
    expect(gazetteer.cityByName('CONSTANTA')?.name).toBe('Constanța');
    expect(gazetteer.cityByName('münchen')?.name).toBe('München');
    expect(gazetteer.cityByName('Córdoba', 'es')?.country).toBe('es');
  });

  it('finds the city in a free-text address, only at home for words inside a part', () => {
    expect(gazetteer.cityInText('Beispielgasse 9/4, 1999 Wien')?.name).toBe('Wien');
    expect(gazetteer.cityInText('Strada Exemplului 17, 900999 Constanța', 'ro')?.name).toBe(
      'Constanța',
    );
    expect(gazetteer.cityInText('Hauptstrasse 3 8010 Graz', 'at')?.name).toBe('Graz');
    expect(gazetteer.cityInText('Hauptstrasse 3 8010 Graz')).toBeUndefined();
    expect(gazetteer.cityInText('Rue de Nice 4, 1000 Bruxelles', 'be')?.name).toBe('Bruxelles');
  });

  it('places countries by centroid, else by capital', () => {
    expect(gazetteer.countryPoint('RO')).toEqual({ lat: 45.9, lon: 24.9 });
    expect(gazetteer.countryPoint('mt')).toEqual({ lat: 35.9, lon: 14.51 });
    expect(gazetteer.countryPoint('zz')).toBeUndefined();
  });
});

describe('placeEntities', () => {
  it('uses coordinates, then city, then linked addresses, then country', () => {
    const { placed, unplaced } = placeEntities(
      [
        entity('exact', 'Address', { full: ['x'], latitude: ['48.2'], longitude: ['16.4'] }),
        entity('addr', 'Address', { full: ['Str. X 1, Constanța'], country: ['ro'] }),
        entity('bad', 'Address', { full: ['Nowhere'], latitude: ['200'], longitude: ['0'] }),
        entity('p', 'Person', { name: ['P'], country: ['ro'] }),
        entity('q', 'Person', { name: ['Q'], country: ['ro'] }),
        entity('c', 'Company', { name: ['C'], addressEntity: ['exact'] }),
        entity('ev', 'Event', { name: ['E'], location: ['Verona'], country: ['it'] }),
        entity('ph', 'Phone', { number: ['+40 1'] }),
        entity('link', 'UnknownLink', { subject: ['p'], object: ['addr'] }),
      ],
      gazetteer,
    );
    const at = new Map(placed.map((place) => [place.entityId, place]));
    expect(at.get('exact')).toMatchObject({ lat: 48.2, lon: 16.4, precision: 'exact' });
    expect(at.get('addr')).toMatchObject({ precision: 'city', lat: 44.18 });
    expect(at.get('p')).toMatchObject({ precision: 'city', lat: 44.18 });
    expect(at.get('p')?.basis).toContain('address');
    expect(at.get('q')).toMatchObject({ precision: 'country', lat: 45.9 });
    expect(at.get('c')).toMatchObject({ precision: 'exact' });
    expect(at.get('ev')).toMatchObject({ precision: 'city', lat: 45.44 });
    expect(at.has('link')).toBe(false);
    expect(unplaced.sort()).toEqual(['bad', 'ph']);
  });

  it('places the demo case’s addresses by city and its victims through them', () => {
    const demo = createDemoCase({ agencyId: 'demo', now: new Date('2024-06-01T00:00:00Z') });
    const { placed } = placeEntities(demo.entities, createGazetteer());
    const cities = placed.filter((place) => place.schema === 'Address');
    expect(cities).toHaveLength(5);
    expect(cities.every((place) => place.precision === 'city')).toBe(true);
    const victim = placed.find((place) => place.label === 'Victim V-03');
    expect(victim?.basis).toContain('Verona');
  });
});

describe('clusterPoints', () => {
  it('groups near points and keeps far ones apart', () => {
    const clusters = clusterPoints(
      [
        { id: 'a', x: 0, y: 0 },
        { id: 'b', x: 10, y: 0 },
        { id: 'c', x: 100, y: 100 },
        { id: 'd', x: 5, y: 5 },
      ],
      20,
    );
    expect(clusters).toHaveLength(2);
    expect(clusters[0]).toEqual({ x: 5, y: 5 / 3, ids: ['a', 'b', 'd'] });
    expect(clusters[1]?.ids).toEqual(['c']);
  });

  it('clusters 5,000 points quickly', () => {
    const points = Array.from({ length: 5000 }, (_, i) => ({
      id: String(i),
      x: (i * 7919) % 1300,
      y: (i * 104729) % 700,
    }));
    const started = performance.now();
    const clusters = clusterPoints(points, 24);
    expect(performance.now() - started).toBeLessThan(200);
    expect(clusters.reduce((sum, c) => sum + c.ids.length, 0)).toBe(5000);
  });
});
