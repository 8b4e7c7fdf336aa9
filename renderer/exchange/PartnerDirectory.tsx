import { useState } from 'react';
import type { PartnerView } from '../../shared/contract/exchange.ts';
import { useAppServices } from '../core/context.ts';
import { Dialog } from '../core/Dialog.tsx';
import { AgreementForm } from './AgreementForm.tsx';
import { TransportForm } from './TransportForm.tsx';
import { errorMessage } from '../../shared/base/errors.ts';

export interface PartnerDirectoryProps {
  readonly partners: readonly PartnerView[];
  readonly onChanged: () => void;
}

type Editing = { kind: 'agreement' | 'transport'; partner: PartnerView } | null;

const STATE_LABEL = {
  unconfirmed: 'not confirmed',
  trusted: 'trusted',
  blocked: 'BLOCKED',
} as const;

/** Partner cards: import, out-of-band fingerprint confirmation, agreement and transport. */
export function PartnerDirectory({ partners, onChanged }: PartnerDirectoryProps) {
  const { services, notify } = useAppServices();
  const [cardText, setCardText] = useState('');
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [editing, setEditing] = useState<Editing>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (action: () => Promise<unknown>, done?: string) => {
    setError(null);
    try {
      await action();
      if (done) notify(done);
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
      notify(errorMessage(err), 'error');
    }
  };

  const importCard = (json: string) =>
    run(async () => {
      const { partner } = await services['exchange.partners.import']({ cardJson: json });
      setCardText('');
      notify(`Card of ${partner.agencyName} imported: confirm its fingerprint with them`);
    });

  return (
    <section className="exchange-section" aria-label="Partners" data-testid="partner-directory">
      <h3>Partners</h3>
      <div className="exchange-import-card">
        <label className="form-field exchange-grow">
          <span>Partner identity card (paste the JSON)</span>
          <textarea
            rows={3}
            className="mono"
            value={cardText}
            onChange={(e) => setCardText(e.target.value)}
            data-testid="partner-card-input"
          />
        </label>
        <div className="exchange-actions">
          <button
            type="button"
            className="primary"
            disabled={!cardText.trim()}
            onClick={() => void importCard(cardText)}
            data-testid="partner-card-import"
          >
            Import card
          </button>
          <label className="exchange-file-button">
            <input
              type="file"
              accept=".json,application/json"
              aria-label="Import a card file"
              data-testid="partner-card-file"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) void file.text().then(importCard);
              }}
            />
            Card file…
          </label>
        </div>
      </div>
      {error && (
        <p className="exchange-error" role="alert">
          {error}
        </p>
      )}
      {partners.length === 0 && <p className="muted">No partners yet.</p>}
      <ul className="exchange-partner-list">
        {partners.map((partner) => (
          <li
            key={partner.agencyId}
            className={`exchange-partner exchange-partner-${partner.state}`}
            data-testid={`partner-${partner.agencyId}`}
          >
            <div className="exchange-partner-head">
              <strong>{partner.agencyName}</strong>{' '}
              <span className="mono muted">{partner.agencyId}</span>
              <span
                className={`exchange-badge exchange-badge-${partner.state}`}
                data-testid={`partner-state-${partner.agencyId}`}
              >
                {STATE_LABEL[partner.state]}
              </span>
              {partner.agreement ? (
                <span
                  className={
                    partner.agreementInForce
                      ? 'exchange-badge'
                      : 'exchange-badge exchange-badge-blocked'
                  }
                >
                  {partner.agreementInForce ? 'agreement in force' : 'agreement not in force'}
                </span>
              ) : (
                <span className="exchange-badge exchange-badge-unconfirmed">no agreement</span>
              )}
              {partner.agreement?.domestic && (
                <span className="exchange-badge" title="NOFORN material may go to this partner">
                  domestic
                </span>
              )}
              <span className="muted">
                {partner.transport ? partner.transport.kind : 'files only'}
              </span>
            </div>
            {partner.warning && (
              <p
                className="exchange-warning"
                role="alert"
                data-testid={`partner-warning-${partner.agencyId}`}
              >
                ⚠ {partner.warning}
              </p>
            )}
            {partner.state !== 'trusted' && (
              <div className="exchange-confirm">
                <p>
                  Read the fingerprint out with {partner.agencyName} over a channel you trust; it
                  must be:
                  <br />
                  <span className="mono">
                    {(partner.presentedCard ?? partner.card).fingerprintHex}
                  </span>
                  <br />
                  <span>{(partner.presentedCard ?? partner.card).fingerprintWords}</span>
                </p>
                <label className="form-field">
                  <span>Fingerprint as the partner reads it (hex or words)</span>
                  <input
                    value={typed[partner.agencyId] ?? ''}
                    onChange={(e) => setTyped({ ...typed, [partner.agencyId]: e.target.value })}
                    data-testid={`partner-fingerprint-${partner.agencyId}`}
                  />
                </label>
                <button
                  type="button"
                  className="primary"
                  data-testid={`partner-confirm-${partner.agencyId}`}
                  onClick={() =>
                    void run(
                      () =>
                        services['exchange.partners.confirm']({
                          agencyId: partner.agencyId,
                          fingerprint: typed[partner.agencyId] ?? '',
                        }),
                      `${partner.agencyName} is now trusted`,
                    )
                  }
                >
                  Confirm fingerprint
                </button>
              </div>
            )}
            <div className="exchange-actions">
              <button
                type="button"
                onClick={() => setEditing({ kind: 'agreement', partner })}
                data-testid={`partner-agreement-${partner.agencyId}`}
              >
                Agreement…
              </button>
              <button
                type="button"
                onClick={() => setEditing({ kind: 'transport', partner })}
                data-testid={`partner-transport-${partner.agencyId}`}
              >
                Transport…
              </button>
              <button
                type="button"
                className="danger"
                onClick={() => {
                  if (window.confirm(`Remove ${partner.agencyName} and its queues?`))
                    void run(() =>
                      services['exchange.partners.remove']({ agencyId: partner.agencyId }),
                    );
                }}
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ul>
      {editing?.kind === 'agreement' && (
        <Dialog
          title={`Sharing agreement with ${editing.partner.agencyName}`}
          onClose={() => setEditing(null)}
        >
          <AgreementForm
            partnerId={editing.partner.agencyId}
            agreement={editing.partner.agreement}
            onCancel={() => setEditing(null)}
            onSave={(agreement) =>
              run(async () => {
                await services['exchange.partners.setAgreement']({
                  agencyId: editing.partner.agencyId,
                  agreement,
                });
                setEditing(null);
              }, 'Agreement saved')
            }
          />
        </Dialog>
      )}
      {editing?.kind === 'transport' && (
        <Dialog
          title={`Transport to ${editing.partner.agencyName}`}
          onClose={() => setEditing(null)}
        >
          <TransportForm
            transport={editing.partner.transport}
            onCancel={() => setEditing(null)}
            onSave={(config) =>
              run(async () => {
                await services['exchange.transport.configure']({
                  agencyId: editing.partner.agencyId,
                  config,
                });
                setEditing(null);
              }, 'Transport saved')
            }
          />
        </Dialog>
      )}
    </section>
  );
}
