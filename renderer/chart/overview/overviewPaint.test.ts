/**
 * The overview's paint hand-over (ChartOverview): a huge chart's first sight is a bitmap the size
 * of the canvas, painted first; the detailed raster follows from a second worker and replaces it,
 * and a newer scene stops a detailed paint still in flight. The workers, the animation frames and
 * the canvases are fakes: what is checked is which rasters are asked for, in which order, and
 * which bitmap ends up on screen.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChartNodeView, EntityRecord } from '../../../shared/model/index.ts';
import { entity } from '../../../shared/exchange/fixtures/releaseFixtures.ts';
import type { ChartNodeModel, ChartViewModel } from '../chartModel.ts';
import { LIGHT_CHART_THEME, schemaLabel } from '../chartModel.ts';
import { buildCombinedChartElements } from '../combinedElements.ts';
import { startEarlyOverview, warmEarlyOverview } from './earlyOverview.ts';
import type { WorkerReplyMessage, WorkerRequestMessage } from '../../platform/workerRunner.ts';
import type { OverviewSurface } from './ChartOverview.ts';
import { ChartOverview, OVERVIEW_NODE_BUDGET } from './ChartOverview.ts';
import { MAX_RASTER_SIDE } from './overviewScene.ts';
import type { OverviewScene } from './overviewScene.ts';
import type { PaintRequest, PaintResponse } from './protocol.ts';

const CANVAS = { width: 1300, height: 650 };

interface FakeBitmap {
  readonly width: number;
  readonly height: number;
  readonly close: () => void;
  closed: boolean;
}

class FakeWorker {
  static all: FakeWorker[] = [];
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  terminated = false;
  readonly requests: WorkerRequestMessage<PaintRequest>[] = [];

  constructor() {
    FakeWorker.all.push(this);
  }

  readonly transfers: { scene: OverviewScene; transfer: readonly unknown[] }[] = [];

  postMessage(message: WorkerRequestMessage<PaintRequest>, transfer: unknown[] = []): void {
    this.requests.push(message);
    this.transfers.push({ scene: message.payload.scene, transfer });
  }

  terminate(): void {
    this.terminated = true;
  }

  /** Answers request `index` with a bitmap of its raster's size. */
  answer(index: number): FakeBitmap {
    const { id, payload } = this.requests[index]!;
    const bitmap: FakeBitmap = {
      width: payload.raster.width,
      height: payload.raster.height,
      closed: false,
      close() {
        bitmap.closed = true;
      },
    };
    const reply: WorkerReplyMessage<PaintResponse> = {
      id,
      ok: true,
      result: {
        generation: payload.generation,
        bitmap: bitmap as unknown as ImageBitmap,
        milliseconds: 1,
        startedAt: performance.timeOrigin + performance.now(),
      },
    };
    this.onmessage?.({ data: reply } as MessageEvent);
    return bitmap;
  }
}

/** What the overlay canvas was last drawn with. */
let drawnImages: unknown[] = [];
let frames: FrameRequestCallback[] = [];

function flushFrames(): void {
  for (const callback of frames.splice(0)) callback(0);
}

/** Lets the promise chains of the runner and the overview run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function fakeCanvas(): HTMLCanvasElement {
  const context = new Proxy(
    {},
    {
      get: (_, name) =>
        name === 'drawImage'
          ? (image: unknown) => drawnImages.push(image)
          : typeof name === 'string' && /^[a-z]+[A-Z]?\w*$/.test(name)
            ? () => undefined
            : undefined,
      set: () => true,
    },
  );
  return {
    width: 0,
    height: 0,
    hidden: false,
    getContext: () => context,
  } as unknown as HTMLCanvasElement;
}

function surface(): OverviewSurface {
  return {
    isDestroyed: () => false,
    size: () => CANVAS,
    viewport: () => ({ zoom: 0.04, pan: { x: 600, y: 300 } }),
    heldPositions: () => new Map(),
    heldPosition: () => undefined,
    forceRender: () => undefined,
    onViewport: () => () => undefined,
    onRender: () => () => undefined,
  };
}

/** A grid of `count` nodes wide enough that the detailed raster is 4,096 px. */
function hugeView(count: number, shift = 0): ChartViewModel {
  const columns = Math.ceil(Math.sqrt(count * 2));
  const nodes: ChartNodeModel[] = Array.from({ length: count }, (_, i) => ({
    id: `n${i}`,
    label: `n${i}`,
    schema: 'Person',
    iconKey: 'Person',
    x: (i % columns) * 110 + shift,
    y: Math.floor(i / columns) * 110,
  }));
  const edges = nodes.slice(1).map((n, i) => ({
    id: `e${i}`,
    source: `n${i}`,
    target: n.id,
    schema: 'Associate',
    label: '',
    directed: false,
  }));
  return { nodes, edges };
}

beforeEach(() => {
  FakeWorker.all = [];
  drawnImages = [];
  frames = [];
  vi.stubGlobal('Worker', FakeWorker);
  vi.stubGlobal('OffscreenCanvas', class {});
  vi.stubGlobal('window', {});
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => {
    frames.push(callback);
    return frames.length;
  });
  vi.stubGlobal('cancelAnimationFrame', () => undefined);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function mounted(): ChartOverview {
  const overview = new ChartOverview(surface(), fakeCanvas(), () => undefined);
  overview.setTheme(LIGHT_CHART_THEME);
  return overview;
}

describe('overview paint hand-over', () => {
  it('shows a canvas-sized bitmap first, then swaps in the detailed raster from a second worker', async () => {
    const overview = mounted();
    overview.setView(hugeView(3000));
    expect(overview.active).toBe(true);
    const [painter] = FakeWorker.all;
    expect(FakeWorker.all).toHaveLength(1);
    const screen = painter!.requests[0]!.payload.raster;
    expect(screen.width).toBeLessThanOrEqual(CANVAS.width);
    expect(screen.height).toBeLessThanOrEqual(CANVAS.height);

    let drawn = false;
    void overview.whenDrawn().then(() => (drawn = true));
    const first = painter!.answer(0);
    await settle();
    flushFrames();
    await settle();
    // The first sight is on screen before the detailed raster is even asked for.
    expect(drawn).toBe(true);
    expect(drawnImages.at(-1)).toBe(first);

    const detailWorker = FakeWorker.all[1]!;
    expect(detailWorker).toBeDefined();
    const detail = detailWorker.requests[0]!.payload.raster;
    expect(Math.max(detail.width, detail.height)).toBe(MAX_RASTER_SIDE);
    expect(detail.scale).toBeGreaterThan(screen.scale * 2);
    const second = detailWorker.answer(0);
    await settle();
    flushFrames();
    expect(drawnImages.at(-1)).toBe(second);
    expect(first.closed).toBe(true);
    expect(second.closed).toBe(false);
    overview.destroy();
  });

  it('keeps the first bitmap on its way when the view is made again with nothing changed', async () => {
    const overview = mounted();
    overview.setView(hugeView(3000));
    const painter = FakeWorker.all[0]!;
    // The chart record read again: a new view object, the same picture.
    overview.setView(hugeView(3000));
    expect(painter.requests).toHaveLength(1);
    let drawn = false;
    void overview.whenDrawn().then(() => (drawn = true));
    const bitmap = painter.answer(0);
    await settle();
    flushFrames();
    await settle();
    expect(drawn).toBe(true);
    expect(drawnImages.at(-1)).toBe(bitmap);
    overview.destroy();
  });

  it('stops a detailed paint in flight when a newer scene comes, and never shows it', async () => {
    const overview = mounted();
    overview.setView(hugeView(3000));
    const painter = FakeWorker.all[0]!;
    painter.answer(0);
    await settle();
    const oldDetail = FakeWorker.all[1]!;
    expect(oldDetail.requests).toHaveLength(1);

    // A saved drag: the same chart, one node moved.
    overview.setView(hugeView(3000, 5));
    await settle();
    expect(oldDetail.terminated).toBe(true);
    // The new scene's screen-sized paint goes to the painter at once, not behind the old paint.
    expect(painter.requests).toHaveLength(2);
    expect(painter.requests[1]!.payload.raster.width).toBeLessThanOrEqual(CANVAS.width);

    const late = oldDetail.answer(0);
    const fresh = painter.answer(1);
    await settle();
    flushFrames();
    expect(drawnImages.at(-1)).toBe(fresh);
    expect(drawnImages).not.toContain(late);
    // The next detailed paint runs in a fresh worker.
    const newDetail = FakeWorker.all[2]!;
    expect(newDetail.requests[0]!.payload.generation).toBe(painter.requests[1]!.payload.generation);
    overview.destroy();
    expect(newDetail.terminated).toBe(true);
  });
});

/** A case of `count` people in a chain of associates, and its chart (a grid, as hugeView). */
function hugeCase(count: number): {
  entities: EntityRecord[];
  chart: { nodes: Record<string, ChartNodeView> };
} {
  const columns = Math.ceil(Math.sqrt(count * 2));
  const entities: EntityRecord[] = [];
  const nodes: Record<string, ChartNodeView> = {};
  for (let i = 0; i < count; i++) {
    entities.push(entity(`p${i}`, 'Person', { name: [`Person ${i}`] }));
    nodes[`p${i}`] = { x: (i % columns) * 110, y: Math.floor(i / columns) * 110 };
  }
  for (let i = 1; i < count; i++) {
    entities.push(entity(`a${i}`, 'Associate', { person: [`p${i - 1}`], associate: [`p${i}`] }));
  }
  return { entities, chart: { nodes } };
}

describe('overview after a saved drag', () => {
  it('patches the moved position into the scene instead of building it again', () => {
    const overview = mounted();
    const before = hugeView(3000);
    overview.setView(before);
    const painter = FakeWorker.all[0]!;
    // The scene the overview keeps (the requests carry copies of its columns).
    const kept = () => (overview as unknown as { scene: OverviewScene }).scene;
    const firstKept = kept();
    // What withNodeViews makes of a saved drag: the same lists but one new node model.
    const moved = 1000;
    const after: ChartViewModel = {
      nodes: before.nodes.map((n, i) => (i === moved ? { ...n, x: n.x + 30 } : n)),
      edges: before.edges,
    };
    overview.setView(after);
    expect(painter.requests).toHaveLength(2);
    const [first, second] = painter.requests.map((request) => request.payload.scene);
    expect(second!.nodeX[moved]).toBe(before.nodes[moved]!.x + 30);
    expect(second!.nodeX[moved + 1]).toBe(first!.nodeX[moved + 1]);
    expect(second!.edgeSource).toEqual(first!.edgeSource);
    // Nothing but the position columns was made again (a build flattens all 3,000 edges anew).
    expect(kept().edgeSource).toBe(firstKept.edgeSource);
    expect(kept().nodeRadius).toBe(firstKept.nodeRadius);
    // Each request's columns are its own buffers, handed over (not cloned by postMessage).
    for (const { scene, transfer } of painter.transfers) {
      const buffers = Object.values(scene)
        .filter((value) => ArrayBuffer.isView(value))
        .map((column) => (column as ArrayBufferView).buffer);
      expect(new Set(transfer)).toEqual(new Set(buffers));
      expect(buffers).not.toContain(kept().edgeSource.buffer);
    }
    overview.destroy();
  });
});

describe('early overview paint', () => {
  it("is taken by the overview when its scene is the view's: no second screen-sized paint", async () => {
    const { entities, chart } = hugeCase(3000);
    expect(
      startEarlyOverview(entities, chart, LIGHT_CHART_THEME, 1300, 650, OVERVIEW_NODE_BUDGET),
    ).toBe(true);
    const early = FakeWorker.all[0]!;
    expect(early.requests).toHaveLength(1);

    const overview = mounted();
    overview.setView(
      buildCombinedChartElements(entities, chart, { combine: true }, schemaLabel, 'store'),
    );
    // The overview's own painter was not asked (no worker started for it).
    expect(FakeWorker.all).toHaveLength(1);
    let drawn = false;
    void overview.whenDrawn().then(() => (drawn = true));
    const bitmap = early.answer(0);
    await settle();
    flushFrames();
    await settle();
    expect(drawn).toBe(true);
    expect(drawnImages.at(-1)).toBe(bitmap);
    // Then the detailed raster, as after any first bitmap.
    const detail = FakeWorker.all[1]!.requests[0]!.payload.raster;
    expect(Math.max(detail.width, detail.height)).toBe(MAX_RASTER_SIDE);
    overview.destroy();
  });

  it('is dropped when the view shows something else, and the overview paints its own', async () => {
    const { entities, chart } = hugeCase(3000);
    startEarlyOverview(entities, chart, LIGHT_CHART_THEME, 1300, 650, OVERVIEW_NODE_BUDGET);
    const early = FakeWorker.all[0]!;
    const overview = mounted();
    // One node moved since (a drag saved in between): not the scene that was painted early.
    const moved = { nodes: { ...chart.nodes, p7: { x: -500, y: 3 } } };
    overview.setView(
      buildCombinedChartElements(entities, moved, { combine: true }, schemaLabel, 'store'),
    );
    const own = FakeWorker.all[1]!;
    expect(own.requests).toHaveLength(1);
    const stale = early.answer(0);
    const fresh = own.answer(0);
    await settle();
    flushFrames();
    expect(drawnImages.at(-1)).toBe(fresh);
    expect(drawnImages).not.toContain(stale);
    expect(stale.closed).toBe(true);
    overview.destroy();
  });

  it('paints in the worker warmed while the charts were read, which stops once it is back', async () => {
    const release = warmEarlyOverview();
    const worker = FakeWorker.all[0]!;
    expect(worker.requests[0]!.payload.raster.width).toBe(1);
    worker.answer(0);
    await settle();
    // Kept for the early paint to come.
    expect(worker.terminated).toBe(false);
    const { entities, chart } = hugeCase(3000);
    startEarlyOverview(entities, chart, LIGHT_CHART_THEME, 1300, 650, OVERVIEW_NODE_BUDGET);
    release();
    expect(FakeWorker.all).toHaveLength(1);
    expect(worker.requests).toHaveLength(2);
    expect(worker.terminated).toBe(false);
    worker.answer(1);
    await settle();
    expect(worker.terminated).toBe(true);
  });

  it('stops the warmed worker when the chart panel goes away without an early paint', async () => {
    const release = warmEarlyOverview();
    const worker = FakeWorker.all[0]!;
    worker.answer(0);
    await settle();
    release();
    expect(worker.terminated).toBe(true);
  });

  it('is not started for a chart the overview does not stand in for', () => {
    const { entities, chart } = hugeCase(500);
    expect(
      startEarlyOverview(entities, chart, LIGHT_CHART_THEME, 1300, 650, OVERVIEW_NODE_BUDGET),
    ).toBe(false);
    expect(FakeWorker.all).toHaveLength(0);
  });
});
