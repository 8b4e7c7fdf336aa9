/**
 * The exchange inbox in the top bar (issue 12): reachable from anywhere, a case open or not, with
 * a badge counting the bundles that wait for review. The count is the service's own
 * (`exchange.status`, polled; read again at once after a hand-in, an import or a discard on this
 * page), so it goes up when a bundle arrives and down once it is imported or discarded.
 * Opened outside a case, the review says which case a bundle goes into and then offers to open it.
 */
import { useState } from 'react';
import { Dialog } from '../core/Dialog.tsx';
import { IdentityPanel } from './IdentityPanel.tsx';
import { InboxPanel } from './InboxPanel.tsx';
import { announceExchangeChange, useExchangeStatus } from './useExchangeStatus.ts';
import './exchange.css';

/** Cheap enough to run all the time (the service counts files), quick enough to feel live. */
const POLL_MS = 5000;

export function TopBarInbox({ onOpenCase }: { readonly onOpenCase: (caseId: string) => void }) {
  const [open, setOpen] = useState(false);
  // Partners (with their agreements: retention of what is received) only while the dialog shows.
  const { status, partners } = useExchangeStatus(POLL_MS, { partners: open });
  // No identity, no exchange: nothing to show until one is created (Exchange tab of a case).
  if (!status?.identity.present) return null;
  const waiting = status.pendingImports;
  const label = status.identity.unlocked
    ? `Exchange inbox: ${waiting} bundle${waiting === 1 ? '' : 's'} waiting for review`
    : 'Exchange inbox: unlock the exchange identity to receive bundles';
  return (
    <>
      <button
        type="button"
        className="exchange-inbox-button"
        onClick={() => setOpen(true)}
        title={label}
        aria-label={label}
        data-testid="topbar-inbox"
      >
        Inbox
        {waiting > 0 && (
          <span className="exchange-inbox-badge" data-testid="topbar-inbox-badge">
            {waiting}
          </span>
        )}
      </button>
      {open && (
        <Dialog title="Exchange inbox" wide onClose={() => setOpen(false)}>
          <div className="exchange-panel" data-testid="topbar-inbox-dialog">
            {!status.identity.unlocked && (
              <IdentityPanel status={status} onChanged={announceExchangeChange} />
            )}
            <InboxPanel
              status={status}
              partners={partners}
              onChanged={announceExchangeChange}
              onOpenCase={(caseId) => {
                setOpen(false);
                onOpenCase(caseId);
              }}
            />
          </div>
        </Dialog>
      )}
    </>
  );
}
