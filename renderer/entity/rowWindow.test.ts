import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BLOCK_ROWS,
  MAX_CANVAS_PX,
  rowWindowGeometry,
  scrollToRow,
  slotCount,
  windowRows,
  windowSlots,
} from './rowWindow.ts';

const ROW = 30;
const HEADER = 66;
const VIEWPORT = 600;
const input = (count: number) => ({ count, rowHeight: ROW, header: HEADER, viewport: VIEWPORT });
/** Chromium's tallest element (about 2^25 px): a canvas must stay below it. */
const BROWSER_LIMIT = 33_554_428;

/** The rows fully visible below the header at `scrollTop`, as a user sees them. */
function seen(count: number, scrollTop: number, pinned?: Parameters<typeof windowRows>[3]) {
  return windowRows(input(count), scrollTop, 0, pinned).filter(
    (row) => row.top - scrollTop >= HEADER && row.top - scrollTop + ROW <= VIEWPORT,
  );
}

describe('row window', () => {
  it('changes nothing while the rows fit: row k sits at header + k × height', () => {
    const geometry = rowWindowGeometry(input(20_000));
    expect(geometry.ratio).toBe(1);
    expect(geometry.canvasHeight).toBe(HEADER + 20_000 * ROW);
    for (const row of windowRows(input(20_000), 12_345, 12)) {
      expect(row.top).toBe(HEADER + row.index * ROW);
    }
  });

  it('keeps the canvas below the browser limit at 2.5 million rows and reaches both ends', () => {
    const count = 2_500_000;
    const geometry = rowWindowGeometry(input(count));
    expect(geometry.canvasHeight).toBeLessThanOrEqual(MAX_CANVAS_PX);
    expect(geometry.canvasHeight).toBeLessThan(BROWSER_LIMIT);
    expect(count * ROW).toBeGreaterThan(BROWSER_LIMIT);
    expect(seen(count, 0)[0]!.index).toBe(0);
    const bottom = seen(count, geometry.canvasHeight - VIEWPORT);
    expect(bottom.at(-1)!.index).toBe(count - 1);
    // The last row ends at the bottom of the view.
    expect(bottom.at(-1)!.top + ROW).toBeCloseTo(geometry.canvasHeight, 6);
  });

  it('shows consecutive rows without gaps or overlaps anywhere in the range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (count, at) => {
          const geometry = rowWindowGeometry(input(count));
          const scrollTop = at * Math.max(0, geometry.canvasHeight - VIEWPORT);
          const rows = windowRows(input(count), scrollTop, 3);
          for (let k = 1; k < rows.length; k++) {
            expect(rows[k]!.index).toBe(rows[k - 1]!.index + 1);
            expect(rows[k]!.top - rows[k - 1]!.top).toBeCloseTo(ROW, 6);
          }
          if (count > 0) {
            // The view is covered: the first row starts at or above the header's bottom edge, the
            // last ends at or below the view's bottom (unless the rows end first).
            expect(rows[0]!.top - scrollTop).toBeLessThanOrEqual(HEADER + 1e-6);
            const last = rows.at(-1)!;
            if (last.index < count - 1)
              expect(last.top + ROW - scrollTop).toBeGreaterThanOrEqual(VIEWPORT);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('scrolls any row of 3 million fully into view below the header, exactly', () => {
    const count = 3_000_000;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: count - 1 }),
        fc.integer({ min: 0, max: count - 1 }),
        (from, to) => {
          const start = scrollToRow(input(count), 0, from);
          const pin = start ?? { scrollTop: 0, virtualTop: 0 };
          // The element rounds its scroll position; the pin keeps the exact position.
          const rounded = { scrollTop: Math.round(pin.scrollTop), virtualTop: pin.virtualTop };
          expect(seen(count, rounded.scrollTop, rounded).map((row) => row.index)).toContain(from);
          const next = scrollToRow(input(count), rounded.scrollTop, to, rounded);
          const after = next
            ? { scrollTop: Math.round(next.scrollTop), virtualTop: next.virtualTop }
            : rounded;
          expect(seen(count, after.scrollTop, after).map((row) => row.index)).toContain(to);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('draws a fixed run of slots that holds every row in view, each where windowRows puts it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 2_000 }),
        (count, at, overscan, viewport) => {
          const view = { ...input(count), viewport };
          const geometry = rowWindowGeometry(view);
          const scrollTop = at * Math.max(0, geometry.canvasHeight - viewport);
          const slots = windowSlots(view, scrollTop, overscan);
          expect(slots.slots).toBe(slotCount(view, overscan));
          expect(slots.count).toBe(Math.min(count, slots.slots));
          expect(slots.first).toBeGreaterThanOrEqual(0);
          expect(slots.first + slots.count).toBeLessThanOrEqual(count);
          for (const row of windowRows(view, scrollTop, overscan)) {
            expect(row.index).toBeGreaterThanOrEqual(slots.first);
            expect(row.index).toBeLessThan(slots.first + slots.count);
            const top = slots.blockTop + (row.index - slots.base) * ROW;
            expect(top).toBeCloseTo(row.top, 4);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the offset of a row that stays in view, above the cap too, within a block', () => {
    // Above the cap every row moves on the canvas at each scroll step; in the block they stay.
    const count = 3_000_000;
    expect(rowWindowGeometry(input(count)).ratio).toBeGreaterThan(1);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 900 }),
        (at, step) => {
          const scrollTop = at * (MAX_CANVAS_PX - VIEWPORT - 1_000);
          const before = windowSlots(input(count), scrollTop, 6);
          const after = windowSlots(input(count), scrollTop + step, 6);
          const sameBlock =
            Math.floor(before.first / BLOCK_ROWS) === Math.floor(after.first / BLOCK_ROWS);
          const offset = (slots: typeof before, index: number) => (index - slots.base) * ROW;
          const last = Math.min(before.first + before.count, after.first + after.count);
          for (let index = Math.max(before.first, after.first); index < last; index++) {
            if (sameBlock) expect(offset(after, index)).toBe(offset(before, index));
          }
          // Where the rows are drawn (the block's top) is checked against windowRows above.
        },
      ),
      { numRuns: 300 },
    );
  });
});
