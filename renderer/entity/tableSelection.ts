/**
 * Multi-selection in the entity table, as desktop lists do it: a click selects one row, Ctrl/Cmd+
 * click toggles one, Shift+click selects the range from the anchor (the last row clicked without
 * Shift) to the clicked row in the current display order, Ctrl/Cmd+Shift+click adds that range.
 * Selected ids survive sorting and filtering; rows filtered away stay selected until the
 * selection is replaced, and bulk actions act on what is selected and still shown.
 */

export interface TableSelection {
  readonly ids: ReadonlySet<string>;
  /** The row id a Shift+click range starts from. */
  readonly anchor?: string;
}

export const EMPTY_SELECTION: TableSelection = { ids: new Set() };

export interface ClickModifiers {
  readonly shift: boolean;
  /** Ctrl on Windows and Linux, Cmd on macOS. */
  readonly toggle: boolean;
}

/**
 * The selection after a click on the row at `position` of the display order; `idAt(k)` is the id
 * of the row shown at position k.
 */
export function clickSelection(
  selection: TableSelection,
  idAt: (position: number) => string,
  position: number,
  modifiers: ClickModifiers,
  positionOf: (id: string) => number,
): TableSelection {
  const id = idAt(position);
  if (modifiers.shift && selection.anchor !== undefined) {
    const from = positionOf(selection.anchor);
    if (from >= 0) {
      const ids = new Set(modifiers.toggle ? selection.ids : []);
      const [lo, hi] = from <= position ? [from, position] : [position, from];
      for (let k = lo; k <= hi; k++) ids.add(idAt(k));
      return { ids, anchor: selection.anchor };
    }
  }
  if (modifiers.toggle) {
    const ids = new Set(selection.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { ids, anchor: id };
  }
  return { ids: new Set([id]), anchor: id };
}

/** Space on the focused row: toggles it and makes it the anchor. */
export function toggleSelection(selection: TableSelection, id: string): TableSelection {
  const ids = new Set(selection.ids);
  if (ids.has(id)) ids.delete(id);
  else ids.add(id);
  return { ids, anchor: id };
}

/** Every row shown (the filtered rows), or none when all of them are selected already. */
export function toggleAll(selection: TableSelection, shown: readonly string[]): TableSelection {
  const all = shown.length > 0 && shown.every((id) => selection.ids.has(id));
  return all ? EMPTY_SELECTION : { ids: new Set(shown), anchor: selection.anchor };
}

/** The selected ids that are shown, in display order. */
export function selectedShown(selection: TableSelection, shown: readonly string[]): string[] {
  if (selection.ids.size === 0) return [];
  return shown.filter((id) => selection.ids.has(id));
}
