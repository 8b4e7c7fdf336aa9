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
import type { ChartTheme, ChartViewModel } from '../chartModel.ts';
import { LIGHT_CHART_THEME } from '../chartModel.ts';
import type { CombinedPlan } from '../combinedElements.ts';
import { overviewSceneOfPlan, planOf, planOfView } from '../combinedElements.ts';
import type { OverviewScene, Raster } from './overviewScene.ts';
import {
  plainScene,
  rasterFor,
  sameScene,
  sceneHasTheme,
  screenRasterFor,
} from './overviewScene.ts';
import type { PaintRequest, PaintResponse } from './protocol.ts';
import { paintRequest } from './protocol.ts';
import { timed } from '../testHooks.ts';

/** The early paint, as the overview takes it: the bitmap's raster and the worker's answer. */
export interface EarlyPaint {
  readonly raster: Raster;
  readonly response: Promise<PaintResponse>;
}

interface Pending extends EarlyPaint {
  readonly scene: OverviewScene;
  /** What the scene was made from: a view built from it has this scene (planOfView). */
  readonly plan: CombinedPlan;
}

let pending: Pending | undefined;
/** The early painter's worker: started by warmEarlyOverview, stopped when nothing needs it. */
let painter: WorkerRunner<PaintRequest, PaintResponse> | undefined;
/** Requests to the early painter not answered yet (the warm-up, the early paint). */
let inFlight = 0;
/** A chart panel warmed the painter and has not started its early paint or gone away yet. */
let held = false;

function earlyPainter(): WorkerRunner<PaintRequest, PaintResponse> {
  painter ??= new WorkerRunner<PaintRequest, PaintResponse>(
    () => new Worker(new URL('./overviewWorker.ts', import.meta.url), { type: 'module' }),
    { name: 'chart overview (first sight)', keepAlive: true },
  );
  return painter;
}

function stopWhenIdle(): void {
  if (inFlight > 0 || held) return;
  painter?.terminate();
  painter = undefined;
}

/** Sends one request to the early painter; its worker stops once nothing else needs it. */
function request(generation: number, scene: OverviewScene, raster: Raster): Promise<PaintResponse> {
  inFlight++;
  const { request: payload, transfer } = paintRequest(generation, scene, raster);
  const response = earlyPainter().run(payload, { transfer });
  const done = () => {
    inFlight--;
    stopWhenIdle();
  };
  response.then(done, done);
  return response;
}

/** An empty scene, for the warm-up paint. */
const NOTHING: OverviewScene = plainScene(
  [],
  new Uint32Array(0),
  new Uint32Array(0),
  new Uint32Array(0),
  LIGHT_CHART_THEME,
);

/**
 * Starts the early painter's worker now, while the chart record is still being read: a worker
 * took 680 ms to start painting on the busy two-core machine (10k nodes, load 13), which the
 * first paint would otherwise wait for. A one-pixel paint loads its code. Returns the release
 * for when the chart panel goes away (the worker stops once its early paint, if any, is back).
 */
export function warmEarlyOverview(): () => void {
  if (typeof OffscreenCanvas === 'undefined' || typeof Worker === 'undefined') {
    return () => undefined;
  }
  held = true;
  request(-1, NOTHING, { width: 1, height: 1, scale: 1, originX: 0, originY: 0 }).then(
    (response) => response.bitmap.close(),
    () => undefined,
  );
  return () => {
    held = false;
    stopWhenIdle();
  };
}

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
  // One early paint per warm-up: the painter stops once this one is back.
  held = false;
  if (typeof OffscreenCanvas === 'undefined' || typeof Worker === 'undefined') return false;
  const planned = timed('plan', () => planOf(entities, chart, 'store'));
  const scene =
    planned.nodeIds.length > minNodes
      ? timed('early-scene', () => overviewSceneOfPlan(planned, theme))
      : undefined;
  const raster = scene && screenRasterFor(scene.bounds, width, height, rasterFor(scene.bounds));
  if (!scene || !raster) {
    stopWhenIdle();
    return false;
  }
  drop(pending);
  // A failure (the app locked: terminated) is the overview's to report if it takes this paint;
  // otherwise nobody waits for it.
  pending = {
    scene,
    raster,
    plan: planned,
    response: request(0, scene, raster),
  };
  return true;
}

/**
 * An early raster is taken when it is within these shares of the scale the overview would pick
 * for its canvas: a little blurred or a little large for the first second, never much.
 */
const SCALE_TOLERANCE = { below: 0.85, above: 1.25 } as const;

/**
 * The early paint's scene, when `view` is the plain combined view of the plan it was painted from
 * (same records, same node map, nothing expanded) in the same colours: then it is the view's own
 * scene (combinedElements.test.ts checks the two are equal), and the overview need not build it
 * from 50,000 node models (up to 300 ms at 20,000 nodes on the loaded machine).
 */
export function earlySceneOf(view: ChartViewModel, theme: ChartTheme): OverviewScene | undefined {
  if (!pending || planOfView(view) !== pending.plan) return undefined;
  return sceneHasTheme(pending.scene, theme) ? pending.scene : undefined;
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
