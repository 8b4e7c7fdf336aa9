/** The entity table's column picker: show or hide each column and move shown ones left or right. */
import { COLUMN_SPECS } from './tableColumns.ts';
import type { ColumnId } from './tableColumns.ts';
import { columnChoices } from './tableViewState.ts';
import type { TableViewState } from './tableViewState.ts';

export interface TableColumnsMenuProps {
  readonly view: TableViewState;
  readonly onToggle: (column: ColumnId) => void;
  readonly onMove: (column: ColumnId, step: -1 | 1) => void;
}

export function TableColumnsMenu({ view, onToggle, onMove }: TableColumnsMenuProps) {
  const choices = columnChoices(view);
  const shownCount = view.columns.length;
  return (
    <details className="entity-columns-menu" data-testid="entity-columns-menu">
      <summary>Columns</summary>
      <ul className="entity-columns-list" aria-label="Columns">
        {choices.map(({ id, shown }, index) => (
          <li key={id}>
            <label>
              <input
                type="checkbox"
                checked={shown}
                disabled={id === 'caption'}
                data-testid={`entity-column-toggle-${id}`}
                onChange={() => onToggle(id)}
              />
              {COLUMN_SPECS[id].label}
            </label>
            {shown && (
              <span className="entity-columns-move">
                <button
                  type="button"
                  aria-label={`Move ${COLUMN_SPECS[id].label} left`}
                  data-testid={`entity-column-left-${id}`}
                  disabled={index === 0}
                  onClick={() => onMove(id, -1)}
                >
                  ←
                </button>
                <button
                  type="button"
                  aria-label={`Move ${COLUMN_SPECS[id].label} right`}
                  data-testid={`entity-column-right-${id}`}
                  disabled={index === shownCount - 1}
                  onClick={() => onMove(id, 1)}
                >
                  →
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </details>
  );
}
