import './common.css';
/** The heading of a record list (notes, notices): its title with the count, and the add button. */
export function ListHeader({
  title,
  count,
  addLabel,
  addTestId,
  onAdd,
}: {
  title: string;
  /** Unknown while the list loads: the title then shows no count. */
  count: number | undefined;
  addLabel: string;
  addTestId: string;
  /** Absent while the new-record form is open, which hides the button. */
  readonly onAdd: (() => void) | undefined;
}) {
  return (
    <div className="list-header">
      <h3>
        {title}
        {count === undefined ? '' : ` (${count})`}
      </h3>
      {onAdd && (
        <button type="button" data-testid={addTestId} onClick={onAdd}>
          {addLabel}
        </button>
      )}
    </div>
  );
}
