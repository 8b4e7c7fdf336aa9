import { describe, expect, it } from 'vitest';
import {
  columnChoices,
  DEFAULT_VIEW,
  MAX_WIDTH,
  moveColumn,
  resizeColumn,
  restoreViewState,
  setFilter,
  toggleColumn,
} from './tableViewState.ts';

describe('table view state', () => {
  it('adds, removes, reorders and resizes columns; the caption stays', () => {
    let view = toggleColumn(DEFAULT_VIEW, 'birthDate');
    expect(view.columns.at(-1)).toEqual({ id: 'birthDate', width: 110 });
    view = moveColumn(view, 'birthDate', -1);
    expect(view.columns.at(-2)?.id).toBe('birthDate');
    expect(moveColumn(view, 'caption', -1)).toBe(view);
    view = resizeColumn(view, 'birthDate', 5000);
    expect(view.columns.find((c) => c.id === 'birthDate')?.width).toBe(MAX_WIDTH);
    view = setFilter(view, 'birthDate', { kind: 'date', from: '1970', to: '' });
    // Hiding a column drops its filter: nothing on screen would say why rows are missing.
    view = toggleColumn(view, 'birthDate');
    expect(view.columns.some((c) => c.id === 'birthDate')).toBe(false);
    expect(view.filters.birthDate).toBeUndefined();
    expect(toggleColumn(view, 'caption')).toBe(view);
    expect(
      columnChoices(view)
        .filter((c) => !c.shown)
        .map((c) => c.id),
    ).toContain('birthDate');
  });

  it('restores a stored view, repairing what it cannot use', () => {
    const stored = {
      columns: [
        { id: 'tlp', width: 20 },
        { id: 'fromTheFuture', width: 100 },
        { id: 'tlp', width: 300 },
        { id: 'source', width: Number.NaN },
      ],
      sort: { column: 'tlp', direction: 'desc' },
      filters: {
        tlp: { kind: 'pick', values: ['RED'] },
        // A text filter on a pick column, and one on an unknown column: dropped.
        classification: { kind: 'text', text: 'x' },
        nope: { kind: 'text', text: 'x' },
      },
      showRelationships: true,
    };
    expect(restoreViewState(stored)).toEqual({
      columns: [
        { id: 'caption', width: 240 },
        { id: 'tlp', width: 48 },
      ],
      sort: { column: 'tlp', direction: 'desc' },
      filters: { tlp: { kind: 'pick', values: ['RED'] } },
      showRelationships: true,
    });
    expect(restoreViewState(undefined)).toBe(DEFAULT_VIEW);
    expect(restoreViewState({ columns: 'x' })).toBe(DEFAULT_VIEW);
    expect(restoreViewState(JSON.parse(JSON.stringify(DEFAULT_VIEW)))).toEqual(DEFAULT_VIEW);
  });
});
