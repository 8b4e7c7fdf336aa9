import type { MarkerGroups, ScreenMarker } from './mapModel.ts';
import { markerKind, markerPath } from './markerStyle.ts';

interface MapMarkersProps {
  readonly groups: MarkerGroups;
  readonly selectedId?: string | undefined;
  readonly onSelect: (entityId: string) => void;
  readonly onCluster: (index: number) => void;
}

/** The members' common place ("Wien"), or the first one's with an ellipsis. */
function clusterPlace(members: readonly ScreenMarker[]): string {
  const first = members[0]?.place ?? '';
  return members.every((m) => m.place === first) ? first : `${first} …`;
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
            <text className="map-cluster-place" x={radius + 4} dy="0.35em">
              {clusterPlace(cluster.members)}
            </text>
          </g>
        );
      })}
      {groups.singles.map((marker) => (
        <SingleMarker
          key={marker.entityId}
          marker={marker}
          selectedId={selectedId}
          onSelect={onSelect}
        />
      ))}
      {groups.spider && (
        <g className="map-spider" data-testid="map-spider">
          {groups.spider.members.map((marker) => (
            <line
              key={marker.entityId}
              x1={groups.spider!.x}
              y1={groups.spider!.y}
              x2={marker.sx}
              y2={marker.sy}
            />
          ))}
          <circle className="map-spider-hub" cx={groups.spider.x} cy={groups.spider.y} r={4} />
          {groups.spider.members.map((marker) => (
            <SingleMarker
              key={marker.entityId}
              marker={marker}
              selectedId={selectedId}
              onSelect={onSelect}
            />
          ))}
        </g>
      )}
    </g>
  );
}

function SingleMarker({
  marker,
  selectedId,
  onSelect,
}: {
  readonly marker: ScreenMarker;
  readonly selectedId?: string | undefined;
  readonly onSelect: (entityId: string) => void;
}) {
  const kind = markerKind(marker.schema);
  const classes = `map-marker map-marker-${kind}${marker.entityId === selectedId ? ' map-marker-selected' : ''}${marker.precision === 'country' ? ' map-marker-vague' : ''}`;
  return (
    <g
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
      <text
        className="map-marker-label"
        x={marker.labelSide === 'left' ? -10 : 10}
        textAnchor={marker.labelSide === 'left' ? 'end' : 'start'}
        dy="0.35em"
      >
        {marker.label.length > 24 ? `${marker.label.slice(0, 23)}…` : marker.label}
      </text>
    </g>
  );
}

/** The entities of a crowded spot as a list (used when too many to fan out). */
export function ClusterList(props: {
  readonly members: readonly ScreenMarker[];
  readonly left: number;
  readonly top: number;
  readonly onSelect: (entityId: string) => void;
  readonly onClose: () => void;
}) {
  const { members, left, top, onSelect, onClose } = props;
  return (
    <div
      className="view-buttons map-cluster-list"
      style={{ left, top }}
      data-testid="map-cluster-list"
    >
      <div className="map-cluster-list-head">
        <strong>{members.length} here</strong>
        <button type="button" onClick={onClose} aria-label="Close the list">
          ×
        </button>
      </div>
      <ul>
        {members.map((member) => (
          <li key={member.entityId}>
            <button type="button" onClick={() => onSelect(member.entityId)}>
              {member.label} <span className="map-muted">{member.schema}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
