/**
 * The in-page half of the million bench's `views` section (bench/million/views.ts), run in
 * Chromium. The case's records are streamed from the Node side as JSON lines and held as the
 * store would hand them over; each measurement is a function on `window.tesseraViewsBench`:
 * - `tableModel`: the entity table's model (renderer/entity/tableModel.ts) on every record: the
 *   first sort by the name column (a text column, cold: its ranks are built) and a filter on it;
 * - `mountTable` / `scrollFrames`: the real EntityTable showing the million relationships, then
 *   scripted scrolling (small steps, page jumps, far jumps), one step per frame, while a
 *   requestAnimationFrame loop records the time between frames;
 * - `timeFilter`: the chart and map's date filter over the timeline's index (after the timeline
 *   built it), for one day and for the whole case;
 * - `mountTimeline`, `startFrames` / `stopFrames`: the real TimelinePanel, then (driven from
 *   Node with real input) wheel zooms in to the hour and out again and mouse drags, while a
 *   requestAnimationFrame loop records the time between frames.
 * The services the two components read (the repository, the stored table view) are stand-ins
 * that answer from memory: the bench measures the views, not the store.
 */
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import type { Root } from 'react-dom/client';
import type { EntityRecord } from '../../../shared/model/index.ts';
import { isEdgeSchema } from '../../../shared/model/index.ts';
import { AppServicesProvider } from '../../../renderer/core/context.ts';
import type { AppServices } from '../../../renderer/core/context.ts';
import { EntityTable } from '../../../renderer/entity/index.ts';
import { buildTable, DEFAULT_QUERY, visibleRows } from '../../../renderer/entity/tableModel.ts';
import { DEFAULT_VIEW } from '../../../renderer/entity/tableViewState.ts';
import { TimelinePanel } from '../../../renderer/timeline/index.ts';
import { timelineIndexOf, visibleInRangeOf } from '../../../renderer/timeline/timelineIndex.ts';
import '../../../renderer/styles/theme.css';
import '../../../renderer/core/common.css';

const CASE_ID = 'million-case';
let entities: EntityRecord[] = [];
let root: Root | undefined;

/** Streams JSON lines (the file is larger than a string may be) into `entities`. */
async function load(url: string): Promise<{ records: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`fetch ${url}: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  entities = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = rest + value;
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line !== '') entities.push(JSON.parse(line) as EntityRecord);
  }
  if (rest !== '') entities.push(JSON.parse(rest) as EntityRecord);
  return { records: entities.length, ms: performance.now() - started };
}

function tableModel(filterText: string): {
  buildMs: number;
  sortMs: number;
  filterMs: number;
  rows: number;
  filtered: number;
} {
  let started = performance.now();
  const table = buildTable(entities);
  const buildMs = performance.now() - started;
  started = performance.now();
  const sorted = visibleRows(table, {
    ...DEFAULT_QUERY,
    showRelationships: true,
    sort: { column: 'caption', direction: 'asc' },
  });
  const sortMs = performance.now() - started;
  started = performance.now();
  const filtered = visibleRows(table, {
    ...DEFAULT_QUERY,
    showRelationships: true,
    sort: { column: 'caption', direction: 'asc' },
    filters: { caption: { kind: 'text', text: filterText } },
  });
  const filterMs = performance.now() - started;
  return { buildMs, sortMs, filterMs, rows: sorted.rows.length, filtered: filtered.rows.length };
}

/** In-memory stand-ins for the services the table and the timeline read. */
function services(): AppServices {
  const view = { ...DEFAULT_VIEW, showRelationships: true };
  // The case's in-memory store (renderer/db/caseStore.ts), already loaded: what the views read.
  const loaded = {
    caseId: CASE_ID,
    phase: 'ready',
    all: entities,
    nodes: entities.filter((entity) => !isEdgeSchema(entity.schema)),
    loaded: entities.length,
    total: entities.length,
    version: 1,
    lastChange: undefined,
  };
  const store = {
    caseId: CASE_ID,
    snapshot: () => loaded,
    subscribe: () => () => undefined,
    get: () => undefined,
  };
  const repository = {
    listEntities: () => Promise.resolve(entities),
    listNotices: () => Promise.resolve([]),
    caseStores: {
      store: () => store,
      acquire: () => ({ store, release: () => undefined }),
      rememberFirstPage: () => undefined,
      apply: () => undefined,
      dispose: () => undefined,
    },
  };
  return {
    repository,
    storage: {
      db: { meta: { get: () => Promise.resolve({ value: view }) } },
      work: {},
    },
    notify: () => undefined,
  } as unknown as AppServices;
}

async function mount(element: ReturnType<typeof createElement>): Promise<void> {
  root?.unmount();
  root = createRoot(document.getElementById('root')!);
  root.render(createElement(AppServicesProvider, { value: services() }, element));
  await Promise.resolve();
}

async function until(test: () => boolean, timeoutMs = 300_000): Promise<number> {
  const started = performance.now();
  while (!test()) {
    if (performance.now() - started > timeoutMs) throw new Error('timed out waiting for the view');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - started;
}

async function mountTable(expectedRows: number): Promise<{ ms: number; count: string }> {
  const started = performance.now();
  await mount(createElement(EntityTable, { caseId: CASE_ID, onSelect: () => undefined }));
  const count = () => document.querySelector('[data-testid="entity-count"]')?.textContent ?? '';
  await until(() => count().startsWith(`${expectedRows} `));
  return { ms: performance.now() - started, count: count() };
}

/**
 * Runs `steps` one per animation frame and returns the longest time between two frames, per
 * named phase: the worst frame the user saw while each kind of step ran.
 */
async function frames(
  phases: readonly { readonly name: string; readonly steps: readonly (() => void)[] }[],
): Promise<{ maxMs: number; frames: number; byPhase: Record<string, number> }> {
  // Two frames first, so that nothing left over from before is counted.
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const steps = phases.flatMap((phase) => phase.steps.map((step) => ({ phase: phase.name, step })));
  const byPhase: Record<string, number> = {};
  return new Promise((resolve) => {
    let last = 0;
    let k = 0;
    const tick = (now: number) => {
      if (last > 0 && k > 0) {
        const phase = steps[k - 1]!.phase;
        byPhase[phase] = Math.max(byPhase[phase] ?? 0, now - last);
      }
      last = now;
      if (k < steps.length) {
        steps[k++]!.step();
        requestAnimationFrame(tick);
      } else {
        resolve({ maxMs: Math.max(...Object.values(byPhase)), frames: k, byPhase });
      }
    };
    requestAnimationFrame(tick);
  });
}

async function scrollFrames(): Promise<{
  maxMs: number;
  frames: number;
  byPhase: Record<string, number>;
  rowsShown: number;
}> {
  const grid = document.querySelector<HTMLElement>('[data-testid="entity-table"]')!;
  const by = (dy: number) => () => grid.scrollBy(0, dy);
  const repeat = (count: number, step: (k: number) => () => void) =>
    Array.from({ length: count }, (_, k) => step(k));
  const result = await frames([
    { name: 'wheel', steps: repeat(60, () => by(90)) },
    { name: 'page', steps: repeat(30, () => by(600)) },
    {
      // Dragging the scroll thumb: anywhere in the million rows.
      name: 'jump',
      steps: repeat(30, (k) => () => {
        grid.scrollTop = (((k * 7919) % 1000) / 1000) * grid.scrollHeight;
      }),
    },
    { name: 'back', steps: repeat(60, () => by(-90)) },
  ]);
  return { ...result, rowsShown: grid.querySelectorAll('[role="row"]').length };
}

async function mountTimeline(): Promise<{ ms: number; count: string }> {
  const started = performance.now();
  await mount(
    createElement(TimelinePanel, {
      caseId: CASE_ID,
      entities,
      onSelect: () => undefined,
      range: null,
      onRangeChange: () => undefined,
    }),
  );
  await until(() => document.querySelector('[data-testid="timeline-svg"]') !== null);
  const count = document.querySelector('[data-testid="timeline-count"]')?.textContent ?? '';
  return { ms: performance.now() - started, count };
}

/**
 * Records the time between animation frames until `stopFrames`, while the Node side drives the
 * timeline with real wheel and mouse input (a pan captures the pointer, which only a real
 * pointer can be).
 */
let recording: { maxMs: number; frames: number; modes: Set<string>; stop: boolean } | undefined;

function startFrames(): void {
  const state = { maxMs: 0, frames: 0, modes: new Set<string>(), stop: false };
  recording = state;
  let last = 0;
  const tick = (now: number) => {
    if (last > 0) state.maxMs = Math.max(state.maxMs, now - last);
    last = now;
    state.frames += 1;
    const mode = document.querySelector<SVGSVGElement>('[data-testid="timeline-svg"]')?.dataset[
      'mode'
    ];
    if (mode) state.modes.add(mode);
    if (!state.stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

async function stopFrames(): Promise<{ maxMs: number; frames: number; modes: string }> {
  // One more frame, so that the last input's render is counted.
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const state = recording!;
  state.stop = true;
  return { maxMs: state.maxMs, frames: state.frames, modes: [...state.modes].sort().join(',') };
}

function timelineBox(): { x: number; y: number; width: number } {
  const box = document.querySelector('[data-testid="timeline-svg"]')!.getBoundingClientRect();
  return { x: box.left, y: box.top, width: box.width };
}

/**
 * The chart and map's date filter (useTimeFilter) for a range of one day in the middle of the
 * case, and for the whole case: the ids shown, from the timeline's index.
 */
function timeFilter(): { dayMs: number; day: number; allMs: number; all: number } {
  const index = timelineIndexOf(entities, []);
  const { start, end } = index.extent!;
  const middle = (start + end) / 2;
  let started = performance.now();
  const day = visibleInRangeOf(index, middle, middle + 86_400_000).size;
  const dayMs = performance.now() - started;
  started = performance.now();
  const all = visibleInRangeOf(index, start, end).size;
  return { dayMs, day, allMs: performance.now() - started, all };
}

const api = {
  load,
  timeFilter,
  tableModel,
  mountTable,
  scrollFrames,
  mountTimeline,
  timelineBox,
  startFrames,
  stopFrames,
};
export type ViewsBenchApi = typeof api;
(globalThis as unknown as { tesseraViewsBench: ViewsBenchApi }).tesseraViewsBench = api;
