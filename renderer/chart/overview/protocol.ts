import type { OverviewScene, Raster } from './overviewScene.ts';

/** One scene to paint; `generation` lets the caller drop a bitmap that a newer scene replaced. */
export interface PaintRequest {
  readonly generation: number;
  readonly scene: OverviewScene;
  readonly raster: Raster;
}

export interface PaintResponse {
  readonly generation: number;
  readonly bitmap: ImageBitmap;
  readonly milliseconds: number;
  /**
   * When the worker began painting, on the epoch clock (performance.timeOrigin + now()): the
   * page's timeline of the first render shows how long the request waited for the worker.
   */
  readonly startedAt: number;
}

/** The columns of a scene, by name: what paintRequest copies and transfers. */
const COLUMNS = [
  'nodeX',
  'nodeY',
  'nodeRadius',
  'nodeFill',
  'nodeDimmed',
  'nodeRing',
  'edgeSource',
  'edgeTarget',
  'edgeLook',
  'edgeWeight',
  'groupBoxes',
] as const satisfies readonly (keyof OverviewScene)[];

/**
 * A paint request for `scene` and the buffers to transfer with it: its columns copied into
 * fresh buffers that the worker takes over. Posted as they are, the columns were cloned by
 * postMessage itself, 20-120 ms per request for a 50,000-node, 100,000-edge scene in the bench's
 * Chromium (load 4), against 8 ms for the copies and under 1 ms for the post (bench/profiles/
 * chart.md §15); a saved drag posts two requests. The scene itself is kept as it is (the
 * overview reads it again for the next drag, the SVG export, the early paint's check).
 */
export function paintRequest(
  generation: number,
  scene: OverviewScene,
  raster: Raster,
): { request: PaintRequest; transfer: ArrayBuffer[] } {
  const copy: Record<string, unknown> = { ...scene };
  const transfer: ArrayBuffer[] = [];
  for (const name of COLUMNS) {
    const column = scene[name].slice();
    copy[name] = column;
    transfer.push(column.buffer);
  }
  return { request: { generation, scene: copy as unknown as OverviewScene, raster }, transfer };
}
