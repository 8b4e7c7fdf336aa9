import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';

/** A modal dialog on the native <dialog> element: focus trap, Escape and backdrop come for free. */
export function Dialog({
  title,
  onClose,
  children,
  wide = false,
}: {
  title: string;
  readonly onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) {
      dialog.showModal();
      // showModal focuses the first focusable element (the close button); a dialog that is
      // typed into first marks its field instead. React's autoFocus runs before showModal.
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
  }, []);
  return (
    <dialog
      ref={ref}
      className={`app-dialog${wide ? ' app-dialog-wide' : ''}`}
      aria-label={title}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <header className="app-dialog-header">
        <h2>{title}</h2>
        <button type="button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="app-dialog-body">{children}</div>
    </dialog>
  );
}
