import { geoMercator, geoPath } from 'd3-geo';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { PointerEvent as ReactPointerEvent } from 'react';
import { createGazetteer, placeEntities } from '../../shared/geo/index.ts';
import type { EntityRecord } from '../../shared/model/index.ts';
import type { Basemap } from './basemap.ts';
import { loadBasemap } from './basemap.ts';
import { ClusterList, MapMarkers } from './MapMarkers.tsx';
import type { View } from './mapModel.ts';
import {
  coLocated,
  fitPoints,
  layoutMarkers,
  MAX_ZOOM,
  spotKey,
  visibleTiles,
  zoomAt,
} from './mapModel.ts';
import { MapSettings, useTileServerUrl } from './MapSettings.tsx';
import { MARKER_LEGEND, markerPath } from './markerStyle.ts';
import '../core/common.css';
import './map.css';
import { errorMessage } from '../../shared/base/errors.ts';

export interface MapPanelProps {
  readonly caseId: string;
  /** The case's live entities and relationships (useEntities(caseId)). */
  readonly entities: readonly EntityRecord[];
  readonly selectedId?: string | undefined;
  readonly onSelect: (entityId: string) => void;
  /** When given (the time filter), only these entities are drawn. */
  readonly visibleEntityIds?: ReadonlySet<string> | undefined;
}

const CLUSTER_RADIUS = 22;
/** Up to this many entities at one spot fan out on a ring; more open a list. */
const SPIDER_MAX = 24;
const WORLD: View = { k: 1, x: 0, y: 0 };

/** Entities on an offline world map: placed by coordinates, city or country; clustered when dense. */
export function MapPanel({ entities, selectedId, onSelect, visibleEntityIds }: MapPanelProps) {
  const [basemap, setBasemap] = useState<Basemap>();
  const [failed, setFailed] = useState<string>();
  const [size, setSize] = useState({ width: 900, height: 560 });
  const [view, setView] = useState<View>();
  const [openCluster, setOpenCluster] = useState<number>();
  // The spot whose entities are fanned out (spotKey), if any.
  const [expanded, setExpanded] = useState<string>();
  const [tileUrl] = useTileServerUrl();
  const boxRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);

  useEffect(() => {
    let live = true;
    loadBasemap().then(
      (loaded) => live && setBasemap(loaded),
      (error: unknown) => live && setFailed(errorMessage(error)),
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return undefined;
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      setSize({
        width: Math.max(320, Math.floor(entry.contentRect.width)),
        height: Math.max(240, Math.floor(entry.contentRect.height)),
      });
    });
    observer.observe(box);
    return () => observer.disconnect();
  }, []);

  const projection = useMemo(
    () =>
      basemap
        ? geoMercator().fitExtent(
            [
              [8, 8],
              [size.width - 8, size.height - 8],
            ],
            basemap.outline,
          )
        : undefined,
    [basemap, size],
  );
  const paths = useMemo(() => {
    if (!basemap || !projection) return [];
    const path = geoPath(projection);
    return basemap.countries.map((country, index) => ({
      key: `${country.code}-${index}`,
      name: country.name,
      d: path(country.feature) ?? '',
    }));
  }, [basemap, projection]);

  const { placed, unplaced } = useMemo(
    () =>
      basemap
        ? placeEntities(entities, createGazetteer(basemap.centroids))
        : { placed: [], unplaced: [] },
    [basemap, entities],
  );
  const shown = useMemo(
    () => (visibleEntityIds ? placed.filter((p) => visibleEntityIds.has(p.entityId)) : placed),
    [placed, visibleEntityIds],
  );
  const project = useMemo(
    () => (projection ? (p: [number, number]) => projection(p) : undefined),
    [projection],
  );

  const fitted = useMemo(
    () =>
      project
        ? fitPoints(
            shown
              .map((p) => project([p.lon, p.lat]))
              .filter((p): p is [number, number] => p !== null),
            size.width,
            size.height,
          )
        : WORLD,
    [project, shown, size],
  );
  // Until the user pans or zooms, the view follows the markers (and the date filter).
  const current = view ?? fitted;
  const groups = useMemo(
    () =>
      project
        ? layoutMarkers(shown, project, current, CLUSTER_RADIUS, expanded)
        : { singles: [], clusters: [] },
    [shown, project, current, expanded],
  );

  const handlers = useRef({ current, setView });
  handlers.current = { current, setView };
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return undefined;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const box = svg.getBoundingClientRect();
      const { current: now, setView: set } = handlers.current;
      set(
        zoomAt(
          now,
          event.deltaY > 0 ? 0.8 : 1.25,
          event.clientX - box.left,
          event.clientY - box.top,
        ),
      );
      setOpenCluster(undefined);
    };
    svg.addEventListener('wheel', onWheel, { passive: false });
    return () => svg.removeEventListener('wheel', onWheel);
  }, [basemap]);

  const onPointerDown = (event: ReactPointerEvent<SVGSVGElement>) => {
    if ((event.target as Element).closest('.map-marker, .map-cluster, .map-spider')) return;
    setExpanded(undefined);
    const svg = event.currentTarget;
    let last = { x: event.clientX, y: event.clientY };
    svg.setPointerCapture(event.pointerId);
    const move = (e: PointerEvent) => {
      const now = handlers.current.current;
      handlers.current.setView({
        ...now,
        x: now.x + e.clientX - last.x,
        y: now.y + e.clientY - last.y,
      });
      last = { x: e.clientX, y: e.clientY };
    };
    const up = () => {
      svg.removeEventListener('pointermove', move);
      svg.removeEventListener('pointerup', up);
    };
    svg.addEventListener('pointermove', move);
    svg.addEventListener('pointerup', up);
    setOpenCluster(undefined);
  };

  const clickCluster = (index: number) => {
    const cluster = groups.clusters[index];
    if (!cluster || !project) return;
    if (coLocated(cluster.members) && cluster.members.length <= SPIDER_MAX) {
      setExpanded(spotKey(cluster.members[0]!));
      setOpenCluster(undefined);
      return;
    }
    if (coLocated(cluster.members) || current.k >= MAX_ZOOM) {
      setOpenCluster(index);
      return;
    }
    const base = cluster.members.map((m) => project([m.lon, m.lat])!);
    setView(fitPoints(base, size.width, size.height, MAX_ZOOM, 80));
  };
  const listed = openCluster === undefined ? undefined : groups.clusters[openCluster];
  const zoomCenter = (factor: number) =>
    setView(zoomAt(current, factor, size.width / 2, size.height / 2));
  const tiles =
    tileUrl && projection
      ? visibleTiles(
          tileUrl,
          projection.scale(),
          projection.translate(),
          current,
          size.width,
          size.height,
        )
      : [];

  return (
    <section className="view-panel map-panel" aria-label="Map" data-testid="map-panel">
      <div className="view-toolbar map-toolbar">
        <button
          type="button"
          onClick={() => zoomCenter(2)}
          aria-label="Zoom in"
          data-testid="map-zoom-in"
        >
          +
        </button>
        <button
          type="button"
          onClick={() => zoomCenter(0.5)}
          aria-label="Zoom out"
          data-testid="map-zoom-out"
        >
          −
        </button>
        <button type="button" onClick={() => setView(undefined)} data-testid="map-fit">
          Fit markers
        </button>
        <button type="button" onClick={() => setView(WORLD)}>
          World
        </button>
        <span className="map-count" data-testid="map-count">
          {shown.length} on the map
          {visibleEntityIds ? ` (date filter on, ${placed.length} in all)` : ''} · {unplaced.length}{' '}
          without a known place
        </span>
        <span className="map-spacer" />
        <MapSettings />
      </div>
      <div className="map-canvas" ref={boxRef}>
        {failed && <p className="map-error">The basemap could not be loaded: {failed}</p>}
        <svg
          ref={svgRef}
          className="map-svg"
          width={size.width}
          height={size.height}
          onPointerDown={onPointerDown}
          data-testid="map-svg"
          data-marker-count={shown.length}
          role="group"
          aria-label="World map"
        >
          <rect className="map-sea" width={size.width} height={size.height} />
          {tiles.map((tile) => (
            <image
              key={tile.url + tile.x}
              href={tile.url}
              x={tile.x}
              y={tile.y}
              width={tile.size}
              height={tile.size}
            />
          ))}
          <g transform={`translate(${current.x},${current.y}) scale(${current.k})`}>
            {paths.map((country) => (
              <path
                key={country.key}
                className="map-country"
                d={country.d}
                data-testid="map-country"
              >
                <title>{country.name}</title>
              </path>
            ))}
          </g>
          <MapMarkers
            groups={groups}
            selectedId={selectedId}
            onSelect={onSelect}
            onCluster={clickCluster}
          />
        </svg>
        {listed && (
          <ClusterList
            members={listed.members}
            left={Math.min(listed.x + 16, size.width - 260)}
            top={Math.min(listed.y, size.height - 200)}
            onSelect={onSelect}
            onClose={() => setOpenCluster(undefined)}
          />
        )}
        <ul className="map-legend" aria-label="Legend">
          {MARKER_LEGEND.map((item) => (
            <li key={item.kind} className={`map-marker-${item.kind}`}>
              <svg width="14" height="14" viewBox="-8 -8 16 16" aria-hidden="true">
                <path d={markerPath(item.kind)} />
              </svg>
              {item.label}
            </li>
          ))}
        </ul>
        <p className="map-attribution">
          Outlines: Natural Earth (public domain){tileUrl ? ' · tiles from your server' : ''}
        </p>
      </div>
    </section>
  );
}
