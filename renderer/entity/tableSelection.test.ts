import { describe, expect, it } from 'vitest';
import {
  clickSelection,
  EMPTY_SELECTION,
  selectedShown,
  toggleAll,
  toggleSelection,
} from './tableSelection.ts';
import type { ClickModifiers, TableSelection } from './tableSelection.ts';

const shown = ['a', 'b', 'c', 'd', 'e'];
const click = (
  selection: TableSelection,
  position: number,
  modifiers: Partial<ClickModifiers> = {},
) =>
  clickSelection(
    selection,
    (k) => shown[k]!,
    position,
    { shift: false, toggle: false, ...modifiers },
    (id) => shown.indexOf(id),
  );
const ids = (selection: TableSelection) => [...selection.ids].sort();

describe('table selection', () => {
  it('click selects one, Ctrl/Cmd+click toggles, Shift+click selects the range from the anchor', () => {
    let selection = click(EMPTY_SELECTION, 1);
    expect(ids(selection)).toEqual(['b']);
    selection = click(selection, 3, { toggle: true });
    expect(ids(selection)).toEqual(['b', 'd']);
    // The anchor is now d: Shift+click on a selects a..d, replacing the rest.
    selection = click(selection, 0, { shift: true });
    expect(ids(selection)).toEqual(['a', 'b', 'c', 'd']);
    // Shift keeps the anchor, so the range can be changed: d..e.
    selection = click(selection, 4, { shift: true });
    expect(ids(selection)).toEqual(['d', 'e']);
    selection = click(selection, 3, { toggle: true });
    expect(ids(selection)).toEqual(['e']);
    // Ctrl+Shift adds a range to what is selected.
    selection = click(click(selection, 0), 1, { shift: true, toggle: true });
    expect(ids(selection)).toEqual(['a', 'b']);
  });

  it('Space toggles, select-all takes every shown row and clears when all are selected', () => {
    let selection = toggleSelection(EMPTY_SELECTION, 'c');
    expect(ids(selection)).toEqual(['c']);
    selection = toggleAll(selection, shown);
    expect(ids(selection)).toEqual(shown);
    expect(ids(toggleAll(selection, shown))).toEqual([]);
    expect(toggleSelection(toggleSelection(EMPTY_SELECTION, 'c'), 'c').ids.size).toBe(0);
  });

  it('acts on the selected rows that are shown, in display order', () => {
    const selection = { ids: new Set(['e', 'x', 'a']) };
    expect(selectedShown(selection, shown)).toEqual(['a', 'e']);
  });
});
