import { useCallback, useEffect, useState } from 'react';
import type {
  ExchangeStatus,
  PartnerView,
  PendingImport,
  StagedBundle,
} from '../../shared/contract/exchange.ts';
import { retentionEnd } from '../../shared/exchange/agreement.ts';
import { useAppServices } from '../app/context.ts';
import { Dialog } from '../app/Dialog.tsx';
import { buildReview } from '../db/exchangeApply.ts';
import type { ReviewModel } from '../db/exchangeApply.ts';
import { errorText, fileToBase64, useExchangeDeps } from './exchangeDeps.ts';
import { ReviewScreen } from './ReviewScreen.tsx';

export interface InboxPanelProps {
  readonly status: ExchangeStatus;
  readonly partners: readonly PartnerView[];
  readonly onChanged: () => void;
}

const NETWORK_LABEL = {
  online: 'Online: automatic sync is on',
  offline: 'Offline — Tessera works fully without a connection; bundles wait in the outbox',
  none: 'No automatic transport — Tessera works fully without a connection; exchange by file',
} as const;

/** Outbox and inbox per partner, "Sync now", files handed in, and pending imports to review. */
export function InboxPanel({ status, partners, onChanged }: InboxPanelProps) {
  const { services, notify } = useAppServices();
  const deps = useExchangeDeps();
  const [items, setItems] = useState<readonly PendingImport[]>([]);
  const [reviewing, setReviewing] = useState<{
    staged: StagedBundle;
    review: ReviewModel;
    retainUntil?: string;
  } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setItems((await services['exchange.import.list']({})).items);
    } catch (err) {
      setError(errorText(err));
    }
  }, [services]);
  useEffect(() => {
    void load();
  }, [load, status.checkedAt]);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
      onChanged();
      void load();
    }
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
                const result = await services['exchange.import.fromFile']({
                  fileName: file.name,
                  contentBase64: await fileToBase64(file),
                });
                notify(result.message);
              });
            }}
          />
          Import a file…
        </label>
      </div>
      {error && (
        <p className="exchange-error" role="alert">
          {error}
        </p>
      )}
      <h4>Waiting for review ({items.length})</h4>
      <ul className="exchange-inbox-list">
        {items.map((item) => (
          <li
            key={item.bundleRef}
            data-testid={`pending-${item.bundleRef}`}
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
          <ReviewScreen
            staged={reviewing.staged}
            review={reviewing.review}
            {...(reviewing.retainUntil ? { retainUntil: reviewing.retainUntil } : {})}
            onDone={() => {
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
