/**
 * The two-step delete of a list row: "Delete" asks, then "Confirm delete" or "Keep". Which row
 * is asking lives in the caller, so at most one row of a list asks at a time.
 */
export function ConfirmDelete({
  confirming,
  onAsk,
  onKeep,
  onConfirm,
  dangerClassName,
  askTestId,
  confirmTestId,
}: {
  confirming: boolean;
  readonly onAsk: () => void;
  readonly onKeep: () => void;
  readonly onConfirm: () => void;
  /** The feature's class for the destructive button. */
  dangerClassName: string;
  askTestId?: string;
  confirmTestId?: string;
}) {
  if (!confirming) {
    return (
      <button type="button" data-testid={askTestId} onClick={onAsk}>
        Delete
      </button>
    );
  }
  return (
    <>
      <button
        type="button"
        className={dangerClassName}
        data-testid={confirmTestId}
        onClick={onConfirm}
      >
        Confirm delete
      </button>
      <button type="button" onClick={onKeep}>
        Keep
      </button>
    </>
  );
}
