/**
 * The rows of the entity grid in view: the only part of the table that renders while scrolling
 * (useWindowSlots). Every DOM row is reused: the row at position i is drawn in slot
 * `i mod slots`, and slots keep their key and their place in the DOM, so a scroll by three rows
 * refills three rows' cells and leaves the others untouched (memoised, same props), and a jump
 * refills the cells of every slot without creating, moving or removing an element. The DOM order
 * of the rows is therefore not their order on screen; each row carries its position
 * (aria-rowindex, as WAI-ARIA asks of a grid whose rows are not all present, and data-position),
 * and the row group owns its rows in screen order (aria-owns), so a screen reader walking the
 * accessibility tree reads them top to bottom rather than in slot order.
 *
 * The rows hang from one block that moves with the scroll position (rowWindow.ts: BLOCK_ROWS):
 * a row's own offset in the block changes only when it gets another row to show.
 */
import { memo } from 'react';
import type { MouseEvent } from 'react';
import type { TableData } from './tableModel.ts';
import type { ShownColumn } from './tableViewState.ts';
import { rowElementId, TableRow } from './TableRow.tsx';
import { useWindowSlots } from './useRowWindow.ts';
import type { RowWindowView } from './useRowWindow.ts';

export interface TableBodyProps {
  readonly view: RowWindowView;
  readonly table: TableData;
  /** Row indices of `table` in display order (tableModel.ts: visibleRows). */
  readonly rows: Uint32Array;
  readonly columns: readonly ShownColumn[];
  readonly gridTemplate: string;
  readonly selected: ReadonlySet<string>;
  /** The entity whose details are open. */
  readonly openId: string | undefined;
  /** The keyboard's current position. */
  readonly activePosition: number;
  readonly onClick: (event: MouseEvent, position: number) => void;
  readonly onToggle: (position: number) => void;
}

export const TableBody = memo(function TableBody(props: TableBodyProps) {
  const { table, rows, view } = props;
  const { rowHeight } = view.input;
  const { first, count, slots, base, blockTop } = useWindowSlots(view);
  // Slot order, not display order: a slot's element stays where it is in the DOM.
  const inSlot = new Array<number>(Math.min(slots, count));
  const screenOrder: string[] = [];
  for (let position = first; position < first + count; position++) {
    inSlot[position % slots] = position;
    screenOrder.push(rowElementId(table.ids[rows[position]!]!));
  }
  // An id with white space cannot be named in an id list; such a table keeps the DOM order.
  const owns = screenOrder.some((id) => /\s/.test(id)) ? undefined : screenOrder.join(' ');
  return (
    <div
      role="rowgroup"
      aria-owns={owns}
      className="entity-grid-body"
      style={{ transform: `translateY(${blockTop}px)` }}
    >
      {inSlot.map((position, slot) => {
        const row = rows[position]!;
        const id = table.ids[row]!;
        return (
          <TableRow
            key={slot}
            table={table}
            row={row}
            position={position}
            top={(position - base) * rowHeight}
            height={rowHeight}
            columns={props.columns}
            gridTemplate={props.gridTemplate}
            checked={props.selected.has(id)}
            open={id === props.openId}
            active={position === props.activePosition}
            onClick={props.onClick}
            onToggle={props.onToggle}
          />
        );
      })}
    </div>
  );
});
