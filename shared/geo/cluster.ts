/**
 * Marker clustering in screen space: points closer than `radius` pixels to a cluster's first point
 * join it (greedy, in input order, over a uniform grid of `radius`-sized cells so each point looks
 * at nine cells only). Re-run on every zoom change; a few thousand points take well under a frame.
 */
export interface ScreenPoint {
  readonly id: string;
  readonly x: number;
  readonly y: number;
}

export interface Cluster {
  /** Mean position of the members. */
  readonly x: number;
  readonly y: number;
  readonly ids: readonly string[];
}

export function clusterPoints(points: readonly ScreenPoint[], radius: number): Cluster[] {
  interface Open {
    seedX: number;
    seedY: number;
    sumX: number;
    sumY: number;
    ids: string[];
  }
  const cells = new Map<string, Open[]>();
  const clusters: Open[] = [];
  const r2 = radius * radius;
  for (const point of points) {
    const cx = Math.floor(point.x / radius);
    const cy = Math.floor(point.y / radius);
    let home: Open | undefined;
    for (let dx = -1; dx <= 1 && !home; dx += 1) {
      for (let dy = -1; dy <= 1 && !home; dy += 1) {
        for (const candidate of cells.get(`${cx + dx},${cy + dy}`) ?? []) {
          const ex = candidate.seedX - point.x;
          const ey = candidate.seedY - point.y;
          if (ex * ex + ey * ey <= r2) {
            home = candidate;
            break;
          }
        }
      }
    }
    if (home) {
      home.sumX += point.x;
      home.sumY += point.y;
      home.ids.push(point.id);
      continue;
    }
    const created: Open = {
      seedX: point.x,
      seedY: point.y,
      sumX: point.x,
      sumY: point.y,
      ids: [point.id],
    };
    clusters.push(created);
    const key = `${cx},${cy}`;
    cells.set(key, [...(cells.get(key) ?? []), created]);
  }
  return clusters.map((c) => ({ x: c.sumX / c.ids.length, y: c.sumY / c.ids.length, ids: c.ids }));
}
