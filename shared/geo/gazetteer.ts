/**
 * Offline geocoding: a city name (or a free-text address) is looked up in the hand-written city
 * table, a country code falls back to the country's centroid (computed from the basemap by the
 * caller) or, for countries too small for the basemap, its capital. Text is compared without case,
 * accents or punctuation. Inside a free-text address, words are tried as one- to four-word names,
 * last comma-separated part first (where addresses put the city), and only within the address's
 * country when it is known, so street names do not match cities abroad.
 */
import type { City } from './cities.ts';
import { CITIES } from './cities.ts';

export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

/** Lower case, no accents, no punctuation, single spaces. */
export function normalizePlaceName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[łŁ]/g, 'l')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export interface Gazetteer {
  /** A city whose name or alias is exactly `name`, preferring `country` when given. */
  cityByName(name: string, country?: string): City | undefined;
  /** The city named somewhere in a free-text address. */
  cityInText(text: string, country?: string): City | undefined;
  /** A point for a country code: the basemap centroid, else the capital; undefined if unknown. */
  countryPoint(code: string): LatLon | undefined;
}

export function createGazetteer(
  centroids: ReadonlyMap<string, LatLon> = new Map(),
  cities: readonly City[] = CITIES,
): Gazetteer {
  const byName = new Map<string, City[]>();
  const capitals = new Map<string, City>();
  for (const city of cities) {
    for (const name of [city.name, ...city.aliases]) {
      const key = normalizePlaceName(name);
      const list = byName.get(key) ?? [];
      if (!list.includes(city)) list.push(city);
      byName.set(key, list);
    }
    if (city.capital && !capitals.has(city.country)) capitals.set(city.country, city);
  }

  const cityByName = (name: string, country?: string): City | undefined => {
    const list = byName.get(normalizePlaceName(name));
    if (!list) return undefined;
    const code = country?.toLowerCase();
    if (code) return list.find((city) => city.country === code);
    return list[0];
  };

  const cityInText = (text: string, country?: string): City | undefined => {
    const whole = cityByName(text, country);
    if (whole) return whole;
    const parts = text.split(/[,;\n]/).reverse();
    // A whole part (postcode dropped) may name a city anywhere; words inside a part only at home.
    for (const part of parts) {
      const found = cityByName(part.replace(/\d+/g, ' '), country);
      if (found) return found;
    }
    if (!country) return undefined;
    for (const part of parts) {
      const words = normalizePlaceName(part.replace(/\d+/g, ' ')).split(' ').filter(Boolean);
      for (let size = Math.min(4, words.length); size >= 1; size -= 1) {
        for (let start = words.length - size; start >= 0; start -= 1) {
          const found = cityByName(words.slice(start, start + size).join(' '), country);
          if (found) return found;
        }
      }
    }
    return undefined;
  };

  const countryPoint = (code: string): LatLon | undefined => {
    const key = code.toLowerCase();
    const centroid = centroids.get(key);
    if (centroid) return centroid;
    const capital = capitals.get(key);
    return capital ? { lat: capital.lat, lon: capital.lon } : undefined;
  };

  return { cityByName, cityInText, countryPoint };
}
