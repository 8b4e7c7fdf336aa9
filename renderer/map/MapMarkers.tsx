import type { MarkerGroups, ScreenMarker } from './mapModel.ts';
import { markerKind, markerPath } from './markerStyle.ts';

interface MapMarkersProps {
  readonly groups: MarkerGroups;
  readonly selectedId?: string | undefined;
  readonly onSelect: (entityId: string) => void;
  readonly onCluster: (index: number) => void;
}

const PRECISION: Record<ScreenMarker['precision'], string> = {
  exact: 'exact position',
  city: 'placed by city',
  country: 'placed by country',
};

/** Single markers (shape and colour by type) and numbered cluster discs, in screen space. */
export function MapMarkers({ groups, selectedId, onSelect, onCluster }: MapMarkersProps) {
  return (
    <g className="map-markers">
      {groups.clusters.map((cluster, index) => {
        const radius = 11 + Math.min(10, Math.log2(cluster.members.length) * 3);
        const selected = cluster.members.some((m) => m.entityId === selectedId);
        return (
          <g
            key={`c${cluster.members[0]!.entityId}`}
            className={selected ? 'map-cluster map-marker-selected' : 'map-cluster'}
            transform={`translate(${cluster.x},${cluster.y})`}
            role="button"
            tabIndex={0}
            aria-label={`${cluster.members.length} entities here`}
            data-testid="map-cluster"
            data-count={cluster.members.length}
            onClick={() => onCluster(index)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                onCluster(index);
              }
            }}
          >
            <title>{cluster.members.map((m) => m.label).join('\n')}</title>
            <circle r={radius} />
            <text dy="0.35em">{cluster.members.length}</text>
          </g>
        );
      })}
      {groups.singles.map((marker) => {
        const kind = markerKind(marker.schema);
        const classes = `map-marker map-marker-${kind}${marker.entityId === selectedId ? ' map-marker-selected' : ''}${marker.precision === 'country' ? ' map-marker-vague' : ''}`;
        return (
          <g
            key={marker.entityId}
            className={classes}
            transform={`translate(${marker.sx},${marker.sy})`}
            role="button"
            tabIndex={0}
            aria-label={`${marker.label} (${marker.schema}), ${PRECISION[marker.precision]}`}
            data-testid="map-marker"
            data-entity-id={marker.entityId}
            onClick={() => onSelect(marker.entityId)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                onSelect(marker.entityId);
              }
            }}
          >
            <title>{`${marker.label} — ${marker.schema}\n${PRECISION[marker.precision]} (${marker.basis})`}</title>
            <path d={markerPath(kind)} />
            <text className="map-marker-label" x={10} dy="0.35em">
              {marker.label.length > 24 ? `${marker.label.slice(0, 23)}…` : marker.label}
            </text>
          </g>
        );
      })}
    </g>
  );
}
