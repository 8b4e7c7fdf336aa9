import { useEffect, useState } from 'react';
import { useAppServices } from '../core/context.ts';
import { purgeExpired } from '../db/exchangeApply.ts';
import { ExchangeLogPanel } from './ExchangeLogPanel.tsx';
import { useExchangeDeps } from './exchangeDeps.ts';
import { ExportPanel } from './ExportPanel.tsx';
import { IdentityPanel } from './IdentityPanel.tsx';
import { InboxPanel } from './InboxPanel.tsx';
import { MarkingsPanel } from './MarkingsPanel.tsx';
import { PartnerDirectory } from './PartnerDirectory.tsx';
import { announceExchangeChange, useExchangeStatus } from './useExchangeStatus.ts';
import './exchange.css';
import { errorMessage } from '../../shared/base/errors.ts';

export interface ExchangePanelProps {
  /** The open case (markings and sharing); without one only identity, partners and inbox show. */
  readonly caseId?: string;
}

const POLL_MS = 3000;
type Section = 'share' | 'markings' | 'inbox' | 'partners' | 'identity' | 'log';

/** Partner exchange: identity, partners, bulk markings, sharing, outbox/inbox and the log. */
export function ExchangePanel({ caseId }: ExchangePanelProps) {
  const { notify } = useAppServices();
  const deps = useExchangeDeps();
  const { status, partners, error } = useExchangeStatus(POLL_MS);
  const [section, setSection] = useState<Section>('identity');
  // Every reader of the status (this screen, the top bar's badge) reads again at once.
  const refresh = announceExchangeChange;

  // Received material past its retention goes when the exchange screen opens.
  useEffect(() => {
    purgeExpired(deps, new Date())
      .then(({ purged }) => {
        if (purged.length > 0) notify(`${purged.length} received records purged: retention ended`);
      })
      .catch((err: unknown) => notify(errorMessage(err), 'error'));
  }, [deps, notify]);

  if (!status) {
    return <p className="muted">{error ?? 'Loading exchange…'}</p>;
  }
  const sections: { id: Section; label: string; show: boolean }[] = [
    { id: 'identity', label: 'Identity', show: true },
    { id: 'partners', label: `Partners (${partners.length})`, show: status.identity.unlocked },
    { id: 'markings', label: 'Markings', show: caseId !== undefined },
    { id: 'share', label: 'Share', show: caseId !== undefined && status.identity.unlocked },
    {
      id: 'inbox',
      label: `Outbox / inbox${status.pendingImports ? ` (${status.pendingImports})` : ''}`,
      show: status.identity.present,
    },
    { id: 'log', label: 'Log', show: status.identity.present },
  ];
  const current = sections.find((s) => s.id === section && s.show) ? section : 'identity';
  return (
    <div className="exchange-panel" data-testid="exchange-panel">
      <nav className="exchange-nav" aria-label="Exchange sections">
        {sections
          .filter((s) => s.show)
          .map((s) => (
            <button
              key={s.id}
              type="button"
              className={s.id === current ? 'exchange-nav-active' : undefined}
              aria-current={s.id === current ? 'page' : undefined}
              onClick={() => setSection(s.id)}
              data-testid={`exchange-nav-${s.id}`}
            >
              {s.label}
            </button>
          ))}
        <span
          className={`exchange-network-pill exchange-network-${status.network}`}
          title="Tessera works fully without a connection"
          data-testid="network-pill"
        >
          {status.network === 'online' ? 'online' : 'offline — works fully without a connection'}
        </span>
      </nav>
      {error && <p className="exchange-error">{error}</p>}
      <div className="exchange-body">
        {current === 'identity' && <IdentityPanel status={status} onChanged={refresh} />}
        {current === 'partners' && <PartnerDirectory partners={partners} onChanged={refresh} />}
        {current === 'markings' && caseId && (
          <MarkingsPanel caseId={caseId} partnerIds={partners.map((p) => p.agencyId)} />
        )}
        {current === 'share' && caseId && (
          <ExportPanel caseId={caseId} partners={partners} onChanged={refresh} />
        )}
        {current === 'inbox' && (
          <InboxPanel status={status} partners={partners} onChanged={refresh} />
        )}
        {current === 'log' && <ExchangeLogPanel partners={partners} />}
      </div>
    </div>
  );
}
