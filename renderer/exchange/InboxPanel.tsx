import { useCallback, useEffect, useState } from 'react';
import type {
  ExchangeStatus,
  PartnerView,
  PendingImport,
  StagedBundle,
} from '../../shared/contract/exchange.ts';
import { bundleRefKey } from '../../shared/contract/refs.ts';
import { retentionEnd } from '../../shared/exchange/agreement.ts';
import { useAppServices } from '../core/context.ts';
import { Dialog } from '../core/Dialog.tsx';
import { buildReview } from '../db/exchangeApply.ts';
import type { ReviewModel } from '../db/exchangeApply.ts';
import {
  hasNativeFileDialog,
  uploadBlob,
  type TransferProgress,
} from '../platform/serviceClient.ts';
import { useExchangeDeps } from './exchangeDeps.ts';
import { ImportTarget } from './ImportTarget.tsx';
import { ReviewScreen } from './ReviewScreen.tsx';
import { TransferProgressLine } from './transferFiles.tsx';
import { errorMessage } from '../../shared/base/errors.ts';
import { useBusyRun } from '../core/useBusyRun.ts';

export interface InboxPanelProps {
  readonly status: ExchangeStatus;
  readonly partners: readonly PartnerView[];
  readonly onChanged: () => void;
  /**
   * Given when the inbox is opened outside a case (the top bar): the review then says which case
   * the bundle goes into, and once applied offers to open it.
   */
  readonly onOpenCase?: (caseId: string) => void;
}

const NETWORK_LABEL = {
  online: 'Online: automatic sync is on',
  offline: 'Offline — Tessera works fully without a connection; bundles wait in the outbox',
  none: 'No automatic transport — Tessera works fully without a connection; exchange by file',
} as const;

/** Outbox and inbox per partner, "Sync now", files handed in, and pending imports to review. */
export function InboxPanel({ status, partners, onChanged, onOpenCase }: InboxPanelProps) {
  const { services, notify } = useAppServices();
  const deps = useExchangeDeps();
  const [items, setItems] = useState<readonly PendingImport[]>([]);
  const [reviewing, setReviewing] = useState<{
    staged: StagedBundle;
    review: ReviewModel;
    retainUntil?: string;
  } | null>(null);
  const { busy, error, setError, run: runBusy } = useBusyRun();
  const [upload, setUpload] = useState<TransferProgress | null>(null);
  // The case the last bundle reviewed here went into (offered for opening outside a case).
  const [appliedTo, setAppliedTo] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setItems((await services['exchange.import.list']({})).items);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [services, setError]);
  useEffect(() => {
    void load();
  }, [load, status.checkedAt]);

  // Whatever an action did or failed to do, the list and the caller's counts are read again.
  const run = async (action: () => Promise<void>) => {
    await runBusy(action);
    onChanged();
    void load();
  };

  const open = (item: PendingImport) =>
    run(async () => {
      const staged = await services['exchange.import.open']({ bundleRef: item.bundleRef });
      const review = await buildReview(deps, {
        caseId: staged.caseId,
        sender: staged.sender.agencyId,
        bundleId: staged.bundleId,
        operations: staged.operations,
      });
      const agreement = partners.find((p) => p.agencyId === staged.sender.agencyId)?.agreement;
      const retainUntil = agreement ? retentionEnd(agreement, new Date().toISOString()) : undefined;
      setAppliedTo(null);
      setReviewing({ staged, review, ...(retainUntil ? { retainUntil } : {}) });
    });

  return (
    <section className="exchange-section" aria-label="Outbox and inbox" data-testid="sync-panel">
      <h3>Outbox and inbox</h3>
      <p
        className={`exchange-network exchange-network-${status.network}`}
        data-testid="network-state"
        role="status"
      >
        {NETWORK_LABEL[status.network]}
      </p>
      <table className="exchange-table">
        <thead>
          <tr>
            <th>Partner</th>
            <th>State</th>
            <th>Outbox</th>
            <th>Inbox</th>
            <th>Last sync</th>
            <th>Unacknowledged</th>
          </tr>
        </thead>
        <tbody>
          {status.partners.map((p) => (
            <tr key={p.agencyId} data-testid={`sync-row-${p.agencyId}`}>
              <td>{p.agencyName}</td>
              <td>
                {p.sync ? p.sync.state : 'files only'}
                {p.sync?.lastError && <div className="exchange-error">{p.sync.lastError}</div>}
                {p.missing > 0 && (
                  <div className="exchange-warning">{p.missing} bundles missing (gap)</div>
                )}
              </td>
              <td data-testid={`outbox-${p.agencyId}`}>{p.sync?.outbox ?? 0}</td>
              <td data-testid={`inbox-${p.agencyId}`}>{p.sync?.inbox ?? 0}</td>
              <td>{p.sync?.lastSyncAt ? new Date(p.sync.lastSyncAt).toLocaleString() : '—'}</td>
              <td>{p.unacknowledged}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="exchange-actions">
        <button
          type="button"
          className="primary"
          disabled={busy || !status.identity.unlocked}
          onClick={() => void run(async () => void (await services['exchange.sync.now']({})))}
          data-testid="sync-now"
        >
          Sync now
        </button>
        <label className="exchange-file-button">
          <input
            type="file"
            aria-label="Hand in a bundle or receipt file"
            data-testid="import-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (!file) return;
              void run(async () => {
                // In pieces, never the whole file in one message (a bundle may be 1 GiB).
                try {
                  const ref = await uploadBlob(services, file, 'bundle-import', setUpload);
                  const result = await services['exchange.import.fromFile']({ ref });
                  notify(result.message);
                } finally {
                  setUpload(null);
                }
              });
            }}
          />
          Import a file…
        </label>
        {hasNativeFileDialog() && (
          <button
            type="button"
            disabled={busy || !status.identity.unlocked}
            onClick={() =>
              void run(async () => {
                // The main process opens the dialog and keeps the path; we get a reference.
                const { chosen } = await services['files.chooseImport']({});
                if (!chosen) return;
                const result = await services['exchange.import.fromFile']({ ref: chosen.ref });
                notify(result.message);
              })
            }
            data-testid="import-choose"
          >
            Choose a file…
          </button>
        )}
      </div>
      <TransferProgressLine label="Uploading" progress={upload} />
      {error && (
        <p className="exchange-error" role="alert">
          {error}
        </p>
      )}
      {appliedTo && onOpenCase && (
        <p className="exchange-ok" data-testid="inbox-applied">
          Applied.{' '}
          <button
            type="button"
            className="primary"
            onClick={() => onOpenCase(appliedTo)}
            data-testid="inbox-open-case"
          >
            Open the case
          </button>
        </p>
      )}
      <h4>Waiting for review ({items.length})</h4>
      <ul className="exchange-inbox-list">
        {items.map((item) => (
          <li
            key={bundleRefKey(item.bundleRef)}
            data-testid={`pending-${bundleRefKey(item.bundleRef)}`}
            className="exchange-pending"
          >
            <span>
              {item.fileName} · {item.partnerName ?? item.partnerId ?? 'unknown sender'} ·{' '}
              {Math.ceil(item.size / 1024)} KiB · {item.state}
            </span>
            {item.error && <span className="exchange-error">{item.error}</span>}
            <button
              type="button"
              className="primary"
              disabled={busy || !status.identity.unlocked}
              onClick={() => void open(item)}
              data-testid="pending-open"
            >
              Open
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run(
                  async () =>
                    void (await services['exchange.import.discard']({
                      bundleRef: item.bundleRef,
                      reason: 'discarded by the officer',
                    })),
                )
              }
            >
              Discard
            </button>
          </li>
        ))}
      </ul>
      {reviewing && (
        <Dialog title="Review incoming changes" wide onClose={() => setReviewing(null)}>
          {onOpenCase && <ImportTarget staged={reviewing.staged} />}
          <ReviewScreen
            staged={reviewing.staged}
            review={reviewing.review}
            {...(reviewing.retainUntil ? { retainUntil: reviewing.retainUntil } : {})}
            onDone={(applied) => {
              if (applied) setAppliedTo(reviewing.staged.caseId);
              setReviewing(null);
              onChanged();
              void load();
            }}
          />
        </Dialog>
      )}
    </section>
  );
}
