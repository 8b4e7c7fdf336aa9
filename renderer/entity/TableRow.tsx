/**
 * One row of the entity grid, in one of TableBody's reused slots. Memoised: while scrolling, the
 * body re-renders at every frame, and rows that stay in view (same props: their offset is within
 * the body's block) are then skipped; the click handlers are stable (they read the table's latest
 * state through a ref), so they do not defeat the memo.
 */
import { memo } from 'react';
import type { MouseEvent } from 'react';
import { formatHlcTime } from '../audit/time.ts';
import type { ColumnId } from './tableColumns.ts';
import type { TableData } from './tableModel.ts';
import type { ShownColumn } from './tableViewState.ts';

export interface TableRowProps {
  readonly table: TableData;
  /** Index of the row in `table`. */
  readonly row: number;
  /** Position in the display order. */
  readonly position: number;
  /** Offset from the top of the body's block (TableBody.tsx), in pixels. */
  readonly top: number;
  readonly height: number;
  readonly columns: readonly ShownColumn[];
  readonly gridTemplate: string;
  readonly checked: boolean;
  /** Its details are open. */
  readonly open: boolean;
  /** The keyboard's current row. */
  readonly active: boolean;
  readonly onClick: (event: MouseEvent, position: number) => void;
  readonly onToggle: (position: number) => void;
}

/** The DOM id of an entity's row (the grid's aria-activedescendant and its row group's aria-owns). */
export function rowElementId(entityId: string): string {
  return `entity-grid-row-${entityId}`;
}

function cellText(table: TableData, column: ColumnId, row: number): string {
  const text = table.text[column][row] ?? '';
  // The clock is kept for sorting; people read its wall time, formatted only for rows in view.
  return column === 'updated' && text ? formatHlcTime(text) : text;
}

export const TableRow = memo(function TableRow(props: TableRowProps) {
  const { table, row, position } = props;
  const id = table.ids[row]!;
  const classes = ['entity-grid-row', 'entity-grid-body-row'];
  if (props.checked) classes.push('entity-row-checked');
  if (props.open) classes.push('entity-row-selected');
  if (props.active) classes.push('entity-row-active');
  return (
    <div
      id={rowElementId(id)}
      role="row"
      aria-rowindex={position + 3}
      aria-selected={props.checked}
      className={classes.join(' ')}
      data-testid={`entity-row-${id}`}
      data-position={position}
      style={{
        gridTemplateColumns: props.gridTemplate,
        transform: `translateY(${props.top}px)`,
        height: props.height,
      }}
      onClick={(event) => props.onClick(event, position)}
    >
      <div role="gridcell" className="entity-grid-check">
        <input
          type="checkbox"
          tabIndex={-1}
          aria-label="Select row"
          checked={props.checked}
          onClick={(event) => event.stopPropagation()}
          onChange={() => props.onToggle(position)}
        />
      </div>
      {props.columns.map((column) => {
        const text = cellText(table, column.id, row);
        return (
          <div
            key={column.id}
            role="gridcell"
            className={`entity-grid-cell entity-cell-${column.id}`}
            data-value={column.id === 'classification' || column.id === 'tlp' ? text : undefined}
            title={text}
          >
            {text}
          </div>
        );
      })}
    </div>
  );
});
