/**
 * A huge chart's first bitmap, painted before its view model exists (issue 13: the 50,000-node
 * chart's first render). Without it the first render was, one after the other: the view model
 * (a model per node and per link), Cytoscape's Core, the overview's scene, and only then the
 * worker's paint. ChartPanel starts this as soon as the chart record is read:
 *
 * 1. the build's plan (combinedElements.ts `planOf`: the records read into columns once, kept for
 *    the build that follows) and the scene straight from it (`overviewSceneOfPlan`);
 * 2. a worker paints the canvas-sized raster of that scene while this thread builds the view
 *    model, creates Cytoscape and mounts the overview;
 * 3. the overview takes the paint (`takeEarlyPaint`) only when the scene it builds from the view
 *    is the same (`sameScene`: every column and colour) and the raster fits its canvas; otherwise
 *    the early bitmap is dropped and the overview paints as it always did.
 *
 * At most one early paint is held; a new one (another chart opened first) replaces it.
 */
import { WorkerRunner } from '../../platform/workerRunner.ts';
import type { ChartRecord, EntityRecord } from '../../../shared/model/index.ts';
import type { ChartTheme } from '../chartModel.ts';
import { overviewSceneOfPlan, planOf } from '../combinedElements.ts';
import type { OverviewScene, Raster } from './overviewScene.ts';
import { rasterFor, sameScene, screenRasterFor } from './overviewScene.ts';
import type { PaintRequest, PaintResponse } from './protocol.ts';
import { timed } from '../testHooks.ts';

/** The early paint, as the overview takes it: the bitmap's raster and the worker's answer. */
export interface EarlyPaint {
  readonly raster: Raster;
  readonly response: Promise<PaintResponse>;
}

interface Pending extends EarlyPaint {
  readonly scene: OverviewScene;
}

let pending: Pending | undefined;
let painter: WorkerRunner<PaintRequest, PaintResponse> | undefined;

/**
 * An early raster is taken when it is within these shares of the scale the overview would pick
 * for its canvas: a little blurred or a little large for the first second, never much.
 */
const SCALE_TOLERANCE = { below: 0.85, above: 1.25 } as const;

function drop(early: Pending | undefined): void {
  if (!early) return;
  void early.response.then(
    (response) => response.bitmap.close(),
    () => undefined,
  );
}

/**
 * Starts painting the first bitmap of `chart` (the case store's records, links combined, no
 * overlay) for a canvas of about `width` × `height` pixels. Returns whether a paint was started:
 * not where the browser has no worker canvas, nor for a chart of at most `minNodes` nodes (the
 * overview does not stand in for those).
 */
export function startEarlyOverview(
  entities: readonly EntityRecord[],
  chart: Pick<ChartRecord, 'nodes'>,
  theme: ChartTheme,
  width: number,
  height: number,
  minNodes: number,
): boolean {
  if (typeof OffscreenCanvas === 'undefined' || typeof Worker === 'undefined') return false;
  const planned = timed('plan', () => planOf(entities, chart, 'store'));
  if (planned.nodeIds.length <= minNodes) return false;
  const scene = timed('early-scene', () => overviewSceneOfPlan(planned, theme));
  const raster = screenRasterFor(scene.bounds, width, height, rasterFor(scene.bounds));
  if (!raster) return false;
  drop(pending);
  // Not kept alive: it paints this one bitmap; the overview's own workers paint the rest.
  painter ??= new WorkerRunner<PaintRequest, PaintResponse>(
    () => new Worker(new URL('./overviewWorker.ts', import.meta.url), { type: 'module' }),
    { name: 'chart overview (first sight)' },
  );
  const response = painter.run({ generation: 0, scene, raster });
  // A failure (the app locked: terminated) is the overview's to report if it takes this paint;
  // otherwise nobody waits for it.
  response.catch(() => undefined);
  pending = { scene, raster, response };
  return true;
}

/**
 * The early paint, if it shows `scene` and its raster is close to `wanted` (the canvas-sized
 * raster the overview would paint); it is taken once. A paint that does not fit is dropped.
 */
export function takeEarlyPaint(scene: OverviewScene, wanted: Raster): EarlyPaint | undefined {
  const early = pending;
  pending = undefined;
  if (!early) return undefined;
  const ratio = early.raster.scale / wanted.scale;
  if (
    ratio >= SCALE_TOLERANCE.below &&
    ratio <= SCALE_TOLERANCE.above &&
    sameScene(early.scene, scene)
  ) {
    return { raster: early.raster, response: early.response };
  }
  drop(early);
  return undefined;
}
