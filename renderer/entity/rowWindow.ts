/**
 * Which rows of a long grid are in view, and where to draw them, for any number of rows
 * (issue 13: a million rows and more).
 *
 * A browser will not make an element taller than a limit (Chromium: about 33.5 million px), so a
 * canvas of 30 px per row stops growing past about 1.1 million rows and the rows beyond can never
 * be scrolled to. The canvas is therefore capped (MAX_CANVAS_PX) and the scroll position stands
 * for a position in the full height, in proportion: `virtualTop = scrollTop × ratio`, where ratio
 * maps the canvas's scroll range onto the full one (1 while the rows fit: nothing changes for
 * cases below the cap). Each row in view is drawn at `scrollTop + (its full-height offset −
 * virtualTop)`, so it sits exactly where it would in a canvas of full height. This is how
 * ag-grid's "stretching" row container handles the same limit.
 *
 * A jump to a row (keyboard) sets the position it wants; the scroll position the browser keeps
 * is rounded, so the wanted virtual position is remembered with the scroll position it gave
 * (`Pinned`) and used while the element stays there: the row lands exactly, not a few pixels off.
 */

/** The tallest canvas made; well below Chromium's limit, so zoom and headers never reach it. */
export const MAX_CANVAS_PX = 15_000_000;

export interface RowWindowInput {
  readonly count: number;
  readonly rowHeight: number;
  /** Sticky header height at the top of the canvas; rows start below it. */
  readonly header: number;
  /** Height of the scrolled element's view. */
  readonly viewport: number;
  readonly maxCanvas?: number;
}

export interface RowWindowGeometry {
  /** The canvas's height (the element's scroll height). */
  readonly canvasHeight: number;
  /** The rows' full height, header included. */
  readonly fullHeight: number;
  /** Full-height pixels per canvas pixel of scrolling (1 while the rows fit the cap). */
  readonly ratio: number;
}

export function rowWindowGeometry(input: RowWindowInput): RowWindowGeometry {
  const fullHeight = input.header + input.count * input.rowHeight;
  const canvasHeight = Math.min(fullHeight, input.maxCanvas ?? MAX_CANVAS_PX);
  const canvasRange = Math.max(0, canvasHeight - input.viewport);
  const fullRange = Math.max(0, fullHeight - input.viewport);
  const ratio = canvasRange > 0 && fullRange > canvasRange ? fullRange / canvasRange : 1;
  return { canvasHeight, fullHeight, ratio };
}

/** A scroll position set on purpose, and the full-height position it stands for. */
export interface Pinned {
  readonly scrollTop: number;
  readonly virtualTop: number;
}

/** The full-height position the element's scroll position stands for. */
export function virtualTopOf(
  geometry: RowWindowGeometry,
  viewport: number,
  scrollTop: number,
  pinned?: Pinned,
): number {
  if (pinned && Math.abs(pinned.scrollTop - scrollTop) < 1) return pinned.virtualTop;
  const top = scrollTop * geometry.ratio;
  return Math.min(Math.max(0, top), Math.max(0, geometry.fullHeight - viewport));
}

export interface WindowRow {
  /** Position in the display order. */
  readonly index: number;
  /** Offset from the top of the canvas, in pixels. */
  readonly top: number;
}

/** The rows in view (plus `overscan` on each side) and where to draw them on the canvas. */
export function windowRows(
  input: RowWindowInput,
  scrollTop: number,
  overscan: number,
  pinned?: Pinned,
): WindowRow[] {
  if (input.count === 0) return [];
  const geometry = rowWindowGeometry(input);
  const virtualTop = virtualTopOf(geometry, input.viewport, scrollTop, pinned);
  const firstShown = Math.floor((virtualTop - input.header) / input.rowHeight);
  const lastShown = Math.floor((virtualTop + input.viewport - input.header) / input.rowHeight);
  const first = Math.max(0, firstShown - overscan);
  const last = Math.min(input.count - 1, lastShown + overscan);
  const rows: WindowRow[] = [];
  for (let index = first; index <= last; index++) {
    rows.push({
      index,
      top: scrollTop + input.header + index * input.rowHeight - virtualTop,
    });
  }
  return rows;
}

/**
 * The scroll position that brings row `index` fully into view below the header (moving as
 * little as possible), with the full-height position it stands for; undefined when the row is
 * in view already.
 */
export function scrollToRow(
  input: RowWindowInput,
  scrollTop: number,
  index: number,
  pinned?: Pinned,
): Pinned | undefined {
  const geometry = rowWindowGeometry(input);
  const virtualTop = virtualTopOf(geometry, input.viewport, scrollTop, pinned);
  const rowTop = input.header + index * input.rowHeight;
  let wanted: number;
  if (rowTop - input.header < virtualTop) wanted = rowTop - input.header;
  else if (rowTop + input.rowHeight > virtualTop + input.viewport) {
    wanted = rowTop + input.rowHeight - input.viewport;
  } else return undefined;
  wanted = Math.min(Math.max(0, wanted), Math.max(0, geometry.fullHeight - input.viewport));
  return { scrollTop: wanted / geometry.ratio, virtualTop: wanted };
}

/**
 * Rows are drawn relative to the first row of their block: row i sits `(i − base) × rowHeight`
 * below the block's top, and only the block moves when the view scrolls. Above the cap every
 * scroll moves every row by a fraction of a pixel (the canvas scrolls `1 / ratio` as fast as the
 * rows), so rows placed on the canvas would all change at every frame; placed in the block, a row
 * that stays in view keeps its position and is not drawn again. The block's first row changes
 * once per BLOCK_ROWS rows scrolled.
 */
export const BLOCK_ROWS = 1024;

/** The rows drawn for one scroll position: a fixed number of them, so DOM rows can be reused. */
export interface RowSlots {
  /** The first row drawn; rows `first … first + count − 1` are drawn. */
  readonly first: number;
  readonly count: number;
  /** How many rows a view of this height draws (`count`, unless the rows run out). */
  readonly slots: number;
  /** The block's first row; row i is drawn `(i − base) × rowHeight` below `blockTop`. */
  readonly base: number;
  /** Where the block's first row would be drawn, from the top of the canvas, in pixels. */
  readonly blockTop: number;
}

/**
 * How many rows a view draws: every row that can be partly in view (one more than fit, for a
 * view that starts inside a row) and `overscan` on each side.
 */
export function slotCount(input: RowWindowInput, overscan: number): number {
  return Math.ceil(input.viewport / input.rowHeight) + 1 + 2 * overscan;
}

/**
 * The rows to draw at `scrollTop`: the same rows as windowRows (and where to draw them), as a
 * run of exactly `slots` rows while there are that many, so that a renderer can keep one DOM row
 * per slot (row i in slot `i mod slots`) and only refill the slots whose row changed.
 */
export function windowSlots(
  input: RowWindowInput,
  scrollTop: number,
  overscan: number,
  pinned?: Pinned,
): RowSlots {
  const slots = slotCount(input, overscan);
  const geometry = rowWindowGeometry(input);
  const virtualTop = virtualTopOf(geometry, input.viewport, scrollTop, pinned);
  const firstShown = Math.floor((virtualTop - input.header) / input.rowHeight);
  const count = Math.min(slots, input.count);
  const first = Math.max(0, Math.min(firstShown - overscan, input.count - count));
  const base = first - (first % BLOCK_ROWS);
  const blockTop = scrollTop + input.header + base * input.rowHeight - virtualTop;
  return { first, count, slots, base, blockTop };
}
