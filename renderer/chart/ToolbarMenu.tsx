/**
 * A toolbar button that opens a menu of actions ("Layout ▾", "Export ▾"), so the chart toolbar fits
 * one row at 1366 px (issue 12). Follows the WAI-ARIA menu button pattern: the button has
 * aria-haspopup and aria-expanded; the menu opens below it with focus on its first item; arrow
 * keys move between items, Escape closes it and gives the focus back, a press outside closes it.
 *
 * Items are the `MenuItem` buttons below (or any element with role menuitem…); an item closes the
 * menu when pressed unless it is a check box (`keepOpen`), so a toggle can be flipped twice.
 */
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent, ReactNode } from 'react';

const CloseMenu = createContext<() => void>(() => undefined);

const ITEM_SELECTOR = '[role^="menuitem"]:not(:disabled), .chart-menu select:not(:disabled)';

export function ToolbarMenu({
  label,
  testId,
  title,
  children,
}: {
  readonly label: string;
  readonly testId: string;
  readonly title?: string;
  readonly children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    menuRef.current?.querySelector<HTMLElement>(ITEM_SELECTOR)?.focus();
    const onPointer = (event: MouseEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onPointer, true);
    return () => document.removeEventListener('mousedown', onPointer, true);
  }, [open]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };

  const onKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
      return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    // A select keeps its own arrow keys.
    if (event.target instanceof HTMLSelectElement) return;
    const items = [...(menuRef.current?.querySelectorAll<HTMLElement>(ITEM_SELECTOR) ?? [])];
    if (items.length === 0) return;
    event.preventDefault();
    const at = items.indexOf(document.activeElement as HTMLElement);
    const step = event.key === 'ArrowDown' ? 1 : -1;
    items[(at + step + items.length) % items.length]?.focus();
  };

  return (
    <div className="chart-menu-root" ref={rootRef} onKeyDown={onKeyDown}>
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid={testId}
        title={title}
        onClick={() => setOpen((v) => !v)}
      >
        {label} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div
          ref={menuRef}
          className="chart-menu"
          role="menu"
          aria-label={label}
          data-testid={`${testId}-items`}
        >
          <CloseMenu.Provider value={close}>{children}</CloseMenu.Provider>
        </div>
      )}
    </div>
  );
}

/** One action of a ToolbarMenu. `checked` makes it a check box (or a radio with `radio`). */
export function MenuItem({
  testId,
  onSelect,
  children,
  disabled,
  checked,
  radio,
  keepOpen,
  title,
}: {
  readonly testId: string;
  readonly onSelect: () => void;
  readonly children: ReactNode;
  readonly disabled?: boolean;
  readonly checked?: boolean;
  readonly radio?: boolean;
  readonly keepOpen?: boolean;
  readonly title?: string | undefined;
}) {
  const close = useContext(CloseMenu);
  const role = checked === undefined ? 'menuitem' : radio ? 'menuitemradio' : 'menuitemcheckbox';
  return (
    <button
      type="button"
      role={role}
      aria-checked={checked}
      data-testid={testId}
      disabled={disabled}
      title={title}
      tabIndex={-1}
      onClick={() => {
        onSelect();
        if (!keepOpen) close();
      }}
    >
      <span className="chart-menu-check" aria-hidden="true">
        {checked ? '✓' : ''}
      </span>
      {children}
    </button>
  );
}

/** A thin rule between groups of items. */
export function MenuSeparator() {
  return <div role="separator" className="chart-menu-separator" />;
}
