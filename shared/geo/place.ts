/**
 * Where to put each entity on the map, most precise evidence first:
 * 1. its own latitude/longitude (FtM Address has them; any entity that carries both is honoured);
 * 2. for an Address, its city, else a city named in its full text, else its country;
 * 3. for anything else, the best-placed Address it references (addressEntity, a trip's start or
 *    end location…) or is linked to by a relationship; then a city named in its free-text
 *    address/location; then its country (country, jurisdiction, mainCountry).
 * Relationships are not placed. Entities with none of these stay off the map (listed as unplaced).
 */
import type { EntityRecord } from '../model/index.ts';
import { captionOf, edgeEnds, isEdgeSchema, model } from '../model/index.ts';
import type { Gazetteer, LatLon } from './gazetteer.ts';

export type PlacePrecision = 'exact' | 'city' | 'country';

export interface Placement extends LatLon {
  readonly entityId: string;
  readonly schema: string;
  readonly label: string;
  readonly precision: PlacePrecision;
  /** What the position rests on, for the tooltip: "Address: …", "city: Wien", "country: at". */
  readonly basis: string;
  /** The place itself, short: a city name, an upper-case country code, or "coordinates". */
  readonly place: string;
}

export interface PlacementResult {
  readonly placed: Placement[];
  /** Node entities that could not be placed. */
  readonly unplaced: string[];
}

const RANK: Record<PlacePrecision, number> = { exact: 0, city: 1, country: 2 };
const COUNTRY_PROPS = ['country', 'jurisdiction', 'mainCountry'];
const TEXT_PROPS = ['address', 'location'];

function coordinate(values: readonly string[] | undefined, limit: number): number | undefined {
  const value = Number(values?.[0]);
  return values?.[0] !== undefined && Number.isFinite(value) && Math.abs(value) <= limit
    ? value
    : undefined;
}

type Spot = Omit<Placement, 'entityId' | 'schema' | 'label'>;

function ownSpot(entity: EntityRecord, gazetteer: Gazetteer): Spot | undefined {
  const p = entity.properties;
  const lat = coordinate(p.latitude, 90);
  const lon = coordinate(p.longitude, 180);
  if (lat !== undefined && lon !== undefined) {
    return { lat, lon, precision: 'exact', basis: 'coordinates', place: 'coordinates' };
  }
  const country = COUNTRY_PROPS.map((name) => p[name]?.[0]).find(Boolean);
  const texts =
    entity.schema === 'Address'
      ? [...(p.city ?? []), ...(p.full ?? [])]
      : TEXT_PROPS.flatMap((name) => p[name] ?? []);
  for (const text of texts) {
    const city = gazetteer.cityInText(text, country);
    if (city) {
      const { lat: cityLat, lon: cityLon, name } = city;
      return { lat: cityLat, lon: cityLon, precision: 'city', basis: `city: ${name}`, place: name };
    }
  }
  if (country) {
    const point = gazetteer.countryPoint(country);
    if (point) {
      const code = country.toUpperCase();
      return { ...point, precision: 'country', basis: `country: ${code}`, place: code };
    }
  }
  return undefined;
}

function better(a: Spot | undefined, b: Spot | undefined): Spot | undefined {
  if (!a) return b;
  if (!b) return a;
  return RANK[b.precision] < RANK[a.precision] ? b : a;
}

export function placeEntities(
  entities: readonly EntityRecord[],
  gazetteer: Gazetteer,
): PlacementResult {
  const live = entities.filter((entity) => !entity.deleted);
  const byId = new Map(live.map((entity) => [entity.id, entity]));
  const addressSpots = new Map<string, Spot>();
  for (const entity of live) {
    if (!model.schemata[entity.schema]?.isA('Address')) continue;
    const spot = ownSpot(entity, gazetteer);
    if (spot) addressSpots.set(entity.id, spot);
  }
  const viaAddress = (addressId: string): Spot | undefined => {
    const spot = addressSpots.get(addressId);
    if (!spot || spot.precision === 'country') return spot;
    const address = byId.get(addressId)!;
    return { ...spot, basis: `address: ${captionOf(address.schema, address.properties)}` };
  };

  // Addresses each entity is tied to: by reference property or by a relationship.
  const linkedAddresses = new Map<string, Set<string>>();
  const tie = (entityId: string, addressId: string) => {
    if (!addressSpots.has(addressId) || entityId === addressId) return;
    const set = linkedAddresses.get(entityId) ?? new Set<string>();
    set.add(addressId);
    linkedAddresses.set(entityId, set);
  };
  for (const entity of live) {
    if (isEdgeSchema(entity.schema)) {
      const ends = edgeEnds(entity.schema, entity.properties);
      if (ends) {
        tie(ends.source, ends.target);
        tie(ends.target, ends.source);
      }
      continue;
    }
    for (const values of Object.values(entity.properties)) {
      for (const value of values) if (addressSpots.has(value)) tie(entity.id, value);
    }
  }

  const placed: Placement[] = [];
  const unplaced: string[] = [];
  for (const entity of live) {
    if (isEdgeSchema(entity.schema)) continue;
    let spot = addressSpots.get(entity.id);
    if (!spot) {
      const own = ownSpot(entity, gazetteer);
      if (own?.precision === 'exact') spot = own;
      else {
        let linked: Spot | undefined;
        for (const addressId of linkedAddresses.get(entity.id) ?? [])
          linked = better(linked, viaAddress(addressId));
        spot = better(linked, own);
      }
    }
    if (!spot) {
      unplaced.push(entity.id);
      continue;
    }
    placed.push({
      entityId: entity.id,
      schema: entity.schema,
      label: captionOf(entity.schema, entity.properties),
      ...spot,
    });
  }
  return { placed, unplaced };
}
