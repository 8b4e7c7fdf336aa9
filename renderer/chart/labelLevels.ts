/**
 * Level of detail for chart labels: which labels to draw at the current zoom so that no two
 * overlap and the ones that matter win. Zoomed in, every label that fits is drawn in full;
 * zoomed out, where text would be too small to read, only the labels of selected, hovered and
 * large nodes are drawn (at a readable size). Pure geometry on screen boxes, so it is tested
 * without a browser; the adapter measures the boxes and applies the result.
 */

/** A label's box on screen, in pixels. */
export interface LabelBox {
  readonly id: string;
  /** Centre of the box. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Higher wins a collision. */
  readonly priority: number;
  /** Drawn even when zoomed out too far for ordinary labels (selected, hovered, large nodes). */
  readonly important?: boolean;
}

/** Smallest on-screen font size, in pixels, at which ordinary labels are drawn. */
export const MIN_READABLE_FONT_PX = 7;

/** Priority bands: selection and hover always come first, then nodes before links. */
export const PRIORITY_SELECTED = 4e9;
export const PRIORITY_HOVERED = 3e9;
export const PRIORITY_NODE = 1e9;

function overlaps(a: LabelBox, b: LabelBox, gap: number): boolean {
  return (
    Math.abs(a.x - b.x) * 2 < a.width + b.width + 2 * gap &&
    Math.abs(a.y - b.y) * 2 < a.height + b.height + 2 * gap
  );
}

/**
 * The ids of the labels to draw: greedily by priority (ties by id, so the choice is stable),
 * each only where it overlaps none already placed. `zoomedOut`: ordinary labels are dropped and
 * only important ones compete. A grid of cells as large as the biggest box keeps it near linear.
 */
export function visibleLabels(
  boxes: readonly LabelBox[],
  options: { zoomedOut?: boolean; gap?: number } = {},
): Set<string> {
  const gap = options.gap ?? 2;
  const candidates = boxes
    .filter((box) => box.width > 0 && box.height > 0 && (!options.zoomedOut || box.important))
    .sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let cell = 1;
  for (const box of candidates) cell = Math.max(cell, box.width + 2 * gap, box.height + 2 * gap);
  const grid = new Map<string, LabelBox[]>();
  const shown = new Set<string>();
  for (const box of candidates) {
    const cx = Math.floor(box.x / cell);
    const cy = Math.floor(box.y / cell);
    let free = true;
    for (let dx = -1; dx <= 1 && free; dx++) {
      for (let dy = -1; dy <= 1 && free; dy++) {
        for (const placed of grid.get(`${cx + dx} ${cy + dy}`) ?? []) {
          if (overlaps(box, placed, gap)) {
            free = false;
            break;
          }
        }
      }
    }
    if (!free) continue;
    shown.add(box.id);
    const key = `${cx} ${cy}`;
    const list = grid.get(key);
    if (list) list.push(box);
    else grid.set(key, [box]);
  }
  return shown;
}
