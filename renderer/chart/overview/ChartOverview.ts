/**
 * Level of detail for huge charts on the 2D canvas. Cytoscape's per-element work (style, z-order,
 * bounding boxes, a hit test on every mouse move) grows with every element it holds, whether on
 * screen or not, so for a chart over OVERVIEW_NODE_BUDGET nodes Cytoscape holds only a window:
 *
 * - zoomed out, where the viewport would show more than WINDOW_NODE_BUDGET, the window is empty and a
 *   canvas over Cytoscape shows the overview bitmap (painted by a worker), moved and scaled with
 *   the viewport: a frame is one drawImage;
 * - zoomed in, the window is the visible area plus a margin, and Cytoscape draws and hit-tests the
 *   elements in it as usual; panning past the margin moves the window. A window change goes in
 *   slices over a few frames (the adapter's, see elementDiff.ts `sliceWindowPatch`).
 *
 * Cytoscape keeps handling every gesture in both modes (it pans and zooms an empty graph too); the
 * overlay takes no pointer events. The adapter owns the elements: it asks `window` which part of
 * the chart to hold and is told through `onWindowChange` when that changes. The overview sees
 * Cytoscape only through the narrow `OverviewSurface` the adapter gives it.
 */
import { errorMessage } from '../../../shared/base/errors.ts';
import { WorkerCallError, WorkerRunner } from '../../platform/workerRunner.ts';
import type { ChartNodeModel, ChartTheme, ChartViewModel } from '../chartModel.ts';
import type { Point } from '../chartGeometry.ts';
import type { Bounds, ChartWindowView, OverviewScene, Raster } from './overviewScene.ts';
import {
  buildOverviewScene,
  CROSSING_STRIDE,
  contains,
  DensityGrid,
  expand,
  extentOf,
  overviewWanted,
  paintScene,
  placeRaster,
  rasterFor,
  sameScene,
  sceneToSvg,
  screenRasterFor,
  windowOfView,
} from './overviewScene.ts';
import type { PaintRequest, PaintResponse } from './protocol.ts';
import { paintRequest } from './protocol.ts';
import { timed, testHooksEnabled } from '../testHooks.ts';
import { earlySceneOf, takeEarlyPaint } from './earlyOverview.ts';
import { sceneAfterMoves, splitAfterMoves } from './movedScene.ts';

/**
 * Most nodes on screen Cytoscape's 2D canvas is asked to draw. Its per-element work is paid for
 * every element it holds (styles, z-order, bounding boxes; about 13 s for 150,000 elements on the
 * first frame without a GPU), so above this the overview stands in, and below it Cytoscape holds
 * only the window on screen.
 */
export const OVERVIEW_NODE_BUDGET = 2000;
/**
 * Most nodes on screen a huge chart's window may show zoomed in (below it Cytoscape draws; above
 * it the overview stands in). Smaller than OVERVIEW_NODE_BUDGET, the size of a chart Cytoscape
 * holds whole, because a window is drawn from nothing in one frame whenever it changes: its
 * first full draw, the hover hit test and the end of every pan scale with what it holds. At
 * 2,000 (windows of ~3,000 nodes with their margin) that draw alone took 230 ms at load 7
 * (bench/profiles/chart.md §9); charts up to OVERVIEW_NODE_BUDGET nodes look as before.
 */
export const WINDOW_NODE_BUDGET = 1500;
/** Share of the visible width and height added on each side of the window Cytoscape holds. */
const WINDOW_MARGIN = 0.15;
/** Most nodes a window holds with its margin, as a multiple of WINDOW_NODE_BUDGET. */
const WINDOW_HOLD = 1.5;

/** What Cytoscape holds: the whole chart, nothing (overview shown) or the elements in a rectangle. */
export type ChartWindow = 'all' | 'none' | Bounds;

type Source = ImageBitmap | HTMLCanvasElement;

/** What the overview needs of the surface Cytoscape draws on (cytoscapeAdapter.ts provides it). */
export interface OverviewSurface {
  isDestroyed(): boolean;
  /** Size of the drawing area in CSS pixels. */
  size(): { width: number; height: number };
  viewport(): { zoom: number; pan: Point };
  /** Model positions of the nodes the surface holds now (at most a window of the chart). */
  heldPositions(): Map<string, Point>;
  heldPosition(id: string): Point | undefined;
  /** Redraws the surface in the next frame, even if nothing in it changed. */
  forceRender(): void;
  /** Calls `listener` on every pan or zoom; returns the unsubscriber. */
  onViewport(listener: () => void): () => void;
  /** Calls `listener` after every frame the surface draws; returns the unsubscriber. */
  onRender(listener: () => void): () => void;
}

export class ChartOverview {
  private view: ChartViewModel | undefined;
  private theme: ChartTheme | undefined;
  private grid: DensityGrid | undefined;
  private bounds: Bounds | undefined;
  /** Kept (copied to the worker, not transferred) for the SVG export. */
  private scene: OverviewScene | undefined;
  private bitmap: Source | undefined;
  /** Where `bitmap` sits: the screen-sized raster at first, then the detailed one. */
  private bitmapRaster: Raster | undefined;
  /** Whether `bitmap` is the detailed raster (which a screen-sized one never replaces). */
  private bitmapDetailed = false;
  private bitmapGeneration = -1;
  private drawnGeneration = -1;
  private generation = 0;
  /** The painter worker, started on the first huge scene and kept while the chart is open. */
  private painter: WorkerRunner<PaintRequest, PaintResponse> | undefined;
  /**
   * A second worker for the detailed raster, painted after the screen-sized one is shown: a
   * newer scene aborts its paint (the worker is terminated; a paint cannot be interrupted from
   * outside), so the next screen-sized bitmap never waits behind an outdated detailed one.
   */
  private detailPainter: WorkerRunner<PaintRequest, PaintResponse> | undefined;
  private detailAbort: AbortController | undefined;
  private readonly unsubscribe: (() => void)[];
  private current: ChartWindow = 'all';
  /** The view and crossing edges of the current window, when it is a rectangle. */
  private split: ChartWindowView | undefined;
  /** The view `split` was made of (what a saved drag's patch starts from). */
  private splitOf: ChartViewModel | undefined;
  /** The overview covers Cytoscape until its first frame after the window was filled. */
  private covering = false;
  /** The adapter is still adding the window's elements, a chunk a frame. */
  private filling = false;
  private frame: number | undefined;
  private selectedId: string | undefined;
  /** The selected entity's node, looked up once per selection or view, not once per frame. */
  private selectedNode: ChartNodeModel | undefined;
  private waiters: (() => void)[] = [];
  private lastPaintMs: number | undefined;
  private readonly onViewport = () => this.viewportChanged();
  private readonly onRender = () => {
    // Cytoscape has drawn the detailed view: only now may the overview stop covering its canvas.
    if (this.active || !this.covering || this.filling) return;
    this.covering = false;
    this.scheduleDraw();
  };

  constructor(
    private readonly surface: OverviewSurface,
    private readonly canvas: HTMLCanvasElement,
    private readonly onWindowChange: () => void,
  ) {
    this.unsubscribe = [surface.onViewport(this.onViewport), surface.onRender(this.onRender)];
  }

  /** Whether the overview is standing in for Cytoscape now. */
  get active(): boolean {
    return this.current === 'none';
  }

  /** Whether the overview hides Cytoscape's canvas now (standing in, or covering a window fill). */
  get covers(): boolean {
    return this.active || this.covering;
  }

  /** The part of the chart Cytoscape should hold now. */
  get window(): ChartWindow {
    return this.current;
  }

  /** What Cytoscape holds for a rectangular window (undefined otherwise). */
  get windowView(): ChartViewModel | undefined {
    return this.split?.view;
  }

  /** Model bounds of the chart's node discs and group boxes, when the chart is huge. */
  get sceneBounds(): Bounds | undefined {
    return this.bounds;
  }

  /** Painting time of the latest bitmap (for the benchmark's info line). */
  get paintMilliseconds(): number | undefined {
    return this.lastPaintMs;
  }

  setTheme(theme: ChartTheme): void {
    if (theme === this.theme) return;
    this.theme = theme;
    if (this.view) this.rebuild(true);
  }

  /**
   * The chart now shows `view`. Updates `window` without calling onWindowChange: the adapter
   * applies the view (and so the window) itself afterwards.
   */
  setView(view: ChartViewModel): void {
    const previous = this.view;
    this.view = view;
    this.selectedNode = this.findSelected();
    this.rebuild(false, previous);
  }

  /** Whether the adapter is still filling the window; the overview covers it until it is done. */
  setFilling(filling: boolean): void {
    if (filling === this.filling) return;
    this.filling = filling;
    // The frame after the last chunk uncovers Cytoscape (see onRender).
    if (!filling && this.covering) this.surface.forceRender();
  }

  select(id: string | undefined): void {
    this.selectedId = id;
    this.selectedNode = this.findSelected();
    if (this.active) this.scheduleDraw();
  }

  /** Resolves once what the viewport needs is on screen: the current bitmap, or nothing held. */
  whenDrawn(): Promise<void> {
    if (!this.active || this.drawnGeneration === this.generation) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The overview bitmap as PNG: the whole chart, as drawn zoomed out. */
  exportPng(): Blob | undefined {
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d');
    if (!context) return undefined;
    const bitmap = this.bitmap;
    if (bitmap && (this.bitmapDetailed || !this.scene)) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      context.drawImage(bitmap, 0, 0);
    } else if (this.scene) {
      // Only the canvas-sized first bitmap is here yet: the export holds the detailed raster,
      // painted here now (an export is a deliberate wait; the worker's copy replaces it soon).
      const detail = rasterFor(this.scene.bounds);
      canvas.width = detail.width;
      canvas.height = detail.height;
      paintScene(context, this.scene, detail);
    } else {
      return undefined;
    }
    // toDataURL is synchronous, as the export path expects (cy.png returns its Blob at once).
    const base64 = canvas.toDataURL('image/png').split(',')[1] ?? '';
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new Blob([bytes], { type: 'image/png' });
  }

  exportSvg(): string | undefined {
    return this.scene ? sceneToSvg(this.scene) : undefined;
  }

  destroy(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.painter?.terminate();
    this.painter = undefined;
    this.detailAbort?.abort();
    this.detailPainter?.terminate();
    this.detailPainter = undefined;
    if (this.bitmap && 'close' in this.bitmap) this.bitmap.close();
    this.bitmap = undefined;
    this.current = 'all';
    this.canvas.hidden = true;
    if (!this.surface.isDestroyed()) for (const stop of this.unsubscribe) stop();
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** `previous`: the view the current scene shows, when only the view changed (not the theme). */
  private rebuild(notify: boolean, previous?: ChartViewModel): void {
    const view = this.view;
    const theme = this.theme;
    if (!view || !theme || this.surface.isDestroyed()) return;
    const firstScene = this.grid === undefined;
    if (view.nodes.length <= OVERVIEW_NODE_BUDGET) {
      // Small enough for Cytoscape to hold whole at any zoom.
      this.grid = undefined;
      this.bounds = undefined;
      this.scene = undefined;
      this.setWindow('all', notify);
      return;
    }
    // Positions Cytoscape holds may be newer than the view's (a drag not yet saved); it holds at
    // most a window, so reading its nodes beats looking up every node of the chart in it.
    const held = this.surface.heldPositions();
    // The scene the first bitmap was painted from before the view existed, if it is this view's.
    const early = held.size === 0 ? earlySceneOf(view, theme) : undefined;
    const positionOf = (id: string) => held.get(id);
    // A saved drag moves a few nodes of the same view: their positions are patched in.
    const moved =
      early || !this.scene || !previous
        ? undefined
        : sceneAfterMoves(this.scene, previous, view, positionOf);
    const scene =
      early ?? moved ?? timed('overview-scene', () => buildOverviewScene(view, theme, positionOf));
    // The same picture again (a view re-made with nothing moved: the chart record read again, a
    // theme object re-made with the same colours) keeps the bitmap shown or still painting; a
    // new generation would throw away a first bitmap about to arrive (50k run: a second
    // 2.5 s paint before first sight).
    const unchanged = this.scene !== undefined && sameScene(this.scene, scene);
    this.bounds = scene.bounds;
    this.scene = scene;
    if (!unchanged) {
      this.generation += 1;
      // Posted before anything else here, so the worker paints while this thread goes on.
      this.paintPasses(scene, this.generation);
    }
    this.grid = new DensityGrid(scene.bounds, scene.nodeX, scene.nodeY);
    if (typeof this.current === 'object') {
      // A saved drag (the scene patched): the window's split is patched too (splitAfterMoves).
      const split = this.split;
      const window = this.current;
      this.split =
        (moved && split && previous && this.splitOf === previous
          ? timed('overview-split-move', () => splitAfterMoves(split, previous, view, window))
          : undefined) ?? windowOfView(view, window);
      this.splitOf = view;
    }
    // A chart that just became huge starts on the overview: the fit that follows picks the window.
    if (firstScene) this.setWindow('none', notify);
    else this.evaluate(notify);
  }

  /**
   * Paints `scene` in two passes: first a bitmap the size of the canvas (what a fit shows, about
   * a third of the detailed raster's time at 50,000 nodes), shown as soon as it is back; then,
   * in the background, the detailed raster that zooming in needs, which replaces it.
   */
  private paintPasses(scene: OverviewScene, generation: number): void {
    // The detailed paint of an older scene is of no use any more: stop it.
    this.detailAbort?.abort();
    this.detailAbort = undefined;
    const detail = rasterFor(scene.bounds);
    if (typeof OffscreenCanvas === 'undefined' || typeof Worker === 'undefined') {
      // No worker canvas in this browser: paint here, once per scene, the detailed raster only
      // (a second pass would hold this thread twice).
      const canvas = document.createElement('canvas');
      canvas.width = detail.width;
      canvas.height = detail.height;
      const context = canvas.getContext('2d');
      if (!context) return;
      const started = performance.now();
      paintScene(context, scene, detail);
      this.received(canvas, detail, true, generation, performance.now() - started);
      return;
    }
    const { width, height } = this.surface.size();
    const screen = screenRasterFor(scene.bounds, Math.round(width), Math.round(height), detail);
    this.painter ??= new WorkerRunner<PaintRequest, PaintResponse>(
      () => new Worker(new URL('./overviewWorker.ts', import.meta.url), { type: 'module' }),
      { name: 'chart overview', keepAlive: true },
    );
    const paint = (
      runner: WorkerRunner<PaintRequest, PaintResponse>,
      raster: Raster,
      signal?: AbortSignal,
    ) => {
      const { request, transfer } = paintRequest(generation, scene, raster);
      return runner.run(request, { transfer, ...(signal ? { signal } : {}) });
    };
    if (!screen) {
      void this.paintIn(paint(this.painter, detail), detail, true, generation);
      return;
    }
    // The first bitmap may be painting already, from before the view existed (earlyOverview.ts).
    const early = takeEarlyPaint(scene, screen);
    const first = early
      ? this.paintIn(early.response, early.raster, false, generation)
      : this.paintIn(paint(this.painter, screen), screen, false, generation);
    void first.then((shown) => {
      if (!shown || generation !== this.generation) return;
      const abort = new AbortController();
      this.detailAbort = abort;
      // Not kept alive: an abort terminates it, and it is idle between scenes anyway.
      this.detailPainter ??= new WorkerRunner<PaintRequest, PaintResponse>(
        () => new Worker(new URL('./overviewWorker.ts', import.meta.url), { type: 'module' }),
        { name: 'chart overview detail' },
      );
      void this.paintIn(paint(this.detailPainter, detail, abort.signal), detail, true, generation);
    });
  }

  /**
   * One paint in a worker, of `raster` for scene `generation` (the response's own generation is
   * not read: an early paint was asked for before the overview numbered its scenes). Resolves to
   * whether its bitmap was taken (not outdated, not failed).
   */
  private async paintIn(
    painting: Promise<PaintResponse>,
    raster: Raster,
    detailed: boolean,
    generation: number,
  ): Promise<boolean> {
    const posted = performance.now();
    try {
      const response = await painting;
      if (testHooksEnabled()) {
        // Posted to received, for the bench's timeline of the first render.
        const pass = detailed ? 'detail' : 'screen';
        performance.measure(`chart:overview-${pass}`, { start: posted, end: performance.now() });
        // The worker's own paint, on this page's clock.
        const start = response.startedAt - performance.timeOrigin;
        performance.measure(`chart:overview-${pass}-worker`, {
          start,
          end: start + response.milliseconds,
        });
      }
      return this.received(response.bitmap, raster, detailed, generation, response.milliseconds);
    } catch (error) {
      // Terminated means the chart closed (or the app locked), cancelled that a newer scene
      // replaced this one: nothing is waiting for it.
      if (
        error instanceof WorkerCallError &&
        (error.code === 'terminated' || error.code === 'cancelled')
      ) {
        return false;
      }
      console.error(`chart overview: ${errorMessage(error)}`);
      return false;
    }
  }

  private received(
    bitmap: Source,
    raster: Raster,
    detailed: boolean,
    generation: number,
    milliseconds: number,
  ): boolean {
    if (
      generation !== this.generation ||
      (!detailed && this.bitmapDetailed && generation === this.bitmapGeneration)
    ) {
      // A newer scene is on its way (this one is already out of date), or the detailed bitmap
      // of this scene is here already.
      if ('close' in bitmap) bitmap.close();
      return false;
    }
    // The first bitmap of a scene is the one the user waits for (the bench's info line).
    if (generation !== this.bitmapGeneration) this.lastPaintMs = milliseconds;
    if (this.bitmap && 'close' in this.bitmap) this.bitmap.close();
    this.bitmap = bitmap;
    this.bitmapRaster = raster;
    this.bitmapDetailed = detailed;
    this.bitmapGeneration = generation;
    if (this.active) this.scheduleDraw();
    else this.notifyDrawn();
    return true;
  }

  private viewportChanged(): void {
    this.evaluate(true);
  }

  /** Picks the window for the current viewport. */
  private evaluate(notify: boolean): void {
    if (this.surface.isDestroyed()) return;
    const grid = this.grid;
    if (!grid) {
      this.setWindow('all', notify);
      return;
    }
    const { width, height } = this.surface.size();
    const extent = extentOf(this.viewport(), width, height);
    const onScreen = this.nodesIn(extent, grid);
    if (overviewWanted(this.active, onScreen, WINDOW_NODE_BUDGET)) {
      this.setWindow('none', notify);
    } else if (
      this.current === 'none' ||
      this.current === 'all' ||
      !contains(this.current, extent)
    ) {
      this.setWindow(this.windowAround(extent, grid), notify);
    }
    this.scheduleDraw();
  }

  /**
   * Nodes inside `extent`, counted up to just past the budget. The density grid's count is an
   * upper bound (its 64 x 64 cells count whole where the view cuts them), so where the bound
   * says "too many" the scene's positions are counted exactly, stopping once past the budget (a
   * scan of typed arrays, at most once per viewport change).
   */
  private nodesIn(extent: Bounds, grid: DensityGrid): number {
    const bound = grid.countIn(extent);
    const scene = this.scene;
    if (!scene || bound <= WINDOW_NODE_BUDGET * 0.8) return bound;
    const { nodeX, nodeY } = scene;
    const stop = WINDOW_NODE_BUDGET + 1;
    let count = 0;
    for (let i = 0; i < nodeX.length && count < stop; i++) {
      const x = nodeX[i]!;
      const y = nodeY[i]!;
      if (x >= extent.x1 && x <= extent.x2 && y >= extent.y1 && y <= extent.y2) count++;
    }
    return count;
  }

  /**
   * The visible area plus a margin to pan into, narrower where the chart is dense: the margin is
   * measured in screen widths, so zoomed out beside the chart it could reach thousands of nodes.
   */
  private windowAround(extent: Bounds, grid: DensityGrid): Bounds {
    for (const margin of [WINDOW_MARGIN, WINDOW_MARGIN / 2]) {
      const candidate = expand(extent, margin);
      if (grid.countIn(candidate) <= WINDOW_HOLD * WINDOW_NODE_BUDGET) return candidate;
    }
    return extent;
  }

  private viewport(): { zoom: number; pan: Point } {
    return this.surface.viewport();
  }

  private setWindow(next: ChartWindow, notify: boolean): void {
    if (next === this.current) return;
    const wasOverview = this.current === 'none';
    this.current = next;
    this.split = typeof next === 'object' && this.view ? windowOfView(this.view, next) : undefined;
    this.splitOf = this.split ? this.view : undefined;
    this.canvas.hidden = next === 'all';
    if (next !== 'none') {
      // The overview stays up until Cytoscape has drawn the window (see onRender).
      if (wasOverview) this.covering = true;
      this.surface.forceRender();
      this.notifyDrawn();
    }
    if (notify) this.onWindowChange();
    this.scheduleDraw();
  }

  private scheduleDraw(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.draw();
    });
  }

  private draw(): void {
    if (this.current === 'all' || this.surface.isDestroyed()) return;
    const canvas = this.canvas;
    const size = this.surface.size();
    const width = Math.max(1, Math.round(size.width));
    const height = Math.max(1, Math.round(size.height));
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const context = canvas.getContext('2d');
    if (!context || !this.theme) return;
    context.setTransform(1, 0, 0, 1, 0, 0);
    const viewport = this.viewport();
    if (!this.active && !this.covering) {
      context.clearRect(0, 0, width, height);
      this.drawCrossingEdges(context, viewport);
      return;
    }
    context.fillStyle = this.theme.bg;
    context.fillRect(0, 0, width, height);
    if (this.bitmap && this.bitmapRaster) {
      const at = placeRaster(this.bitmapRaster, viewport);
      context.imageSmoothingEnabled = true;
      context.drawImage(this.bitmap, at.x, at.y, at.width, at.height);
    }
    if (this.bitmapGeneration !== this.generation) {
      context.fillStyle = this.theme.fgMuted;
      context.font = '13px system-ui, sans-serif';
      context.textAlign = 'center';
      context.fillText('Drawing the chart overview…', width / 2, 24);
    }
    this.drawSelection(context, viewport);
    if (this.bitmapGeneration === this.generation) {
      this.drawnGeneration = this.generation;
      this.notifyDrawn();
    }
  }

  /** Edges leaving the window, from the border of their inside node outwards. */
  private drawCrossingEdges(
    context: CanvasRenderingContext2D,
    viewport: { zoom: number; pan: Point },
  ): void {
    const crossing = this.split?.crossing;
    if (!crossing || crossing.length === 0 || !this.theme) return;
    const { zoom, pan } = viewport;
    context.strokeStyle = this.theme.edge;
    context.globalAlpha = 0.7;
    context.lineWidth = Math.max(0.5, Math.min(1.5, zoom));
    context.beginPath();
    for (let i = 0; i < crossing.length; i += CROSSING_STRIDE) {
      const nx = crossing[i]! * zoom + pan.x;
      const ny = crossing[i + 1]! * zoom + pan.y;
      const fx = crossing[i + 2]! * zoom + pan.x;
      const fy = crossing[i + 3]! * zoom + pan.y;
      const length = Math.hypot(fx - nx, fy - ny);
      const radius = crossing[i + 4]! * zoom;
      if (length <= radius) continue;
      context.moveTo(nx + ((fx - nx) * radius) / length, ny + ((fy - ny) * radius) / length);
      context.lineTo(fx, fy);
    }
    context.stroke();
    context.globalAlpha = 1;
  }

  /** A ring around the selected entity: dark halo, then the accent, so it shows on any fill. */
  private drawSelection(
    context: CanvasRenderingContext2D,
    viewport: { zoom: number; pan: Point },
  ): void {
    const node = this.selectedNode;
    if (!node || !this.theme) return;
    const { x, y } = this.surface.heldPosition(node.id) ?? node;
    const cx = x * viewport.zoom + viewport.pan.x;
    const cy = y * viewport.zoom + viewport.pan.y;
    const radius = Math.max(7, ((node.size ?? 40) / 2) * viewport.zoom + 4);
    for (const [colour, width] of [
      [this.theme.fg, 6],
      [this.theme.accent, 3],
    ] as const) {
      context.strokeStyle = colour;
      context.lineWidth = width;
      context.beginPath();
      context.arc(cx, cy, radius, 0, 2 * Math.PI);
      context.stroke();
    }
  }

  private findSelected(): ChartNodeModel | undefined {
    const id = this.selectedId;
    return id === undefined ? undefined : this.view?.nodes.find((node) => node.id === id);
  }

  private notifyDrawn(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
