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
