import { useMemo, useState } from 'react';
import { TextField } from './TextField.tsx';
import type { FormEvent } from 'react';
import type { ExchangeStatus, IdentityCardView } from '../../shared/contract/exchange.ts';
import { checkPassphrase, PASSPHRASE_MIN_LENGTH } from '../../shared/exchange/passphrase.ts';
import { useAppServices } from '../core/context.ts';
import { downloadBlob } from '../core/files.ts';
import { PassphraseStrength } from './PassphraseStrength.tsx';
import { useBusyRun } from '../core/useBusyRun.ts';

export interface IdentityPanelProps {
  readonly status: ExchangeStatus;
  readonly onChanged: () => void;
}

/** Create or unlock this agency's exchange identity, and show its card for partners. */
export function IdentityPanel({ status, onChanged }: IdentityPanelProps) {
  const { services, settings, notify } = useAppServices();
  const [card, setCard] = useState<IdentityCardView | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [agencyName, setAgencyName] = useState(settings.agencyName);
  const [agencyId, setAgencyId] = useState(settings.agencyId);
  const { busy, error, setError, run: runBusy } = useBusyRun();
  const { identity } = status;
  const needsPassphrase = identity.protection === 'passphrase';
  // The same rule the service applies on create; rated only while a new identity is being set up.
  const strength = useMemo(
    () =>
      !identity.present && needsPassphrase && passphrase
        ? checkPassphrase(passphrase, [agencyName, agencyId])
        : null,
    [identity.present, needsPassphrase, passphrase, agencyName, agencyId],
  );

  const run = (action: () => Promise<void>) =>
    runBusy(async () => {
      await action();
      onChanged();
    });

  const create = (event: FormEvent) => {
    event.preventDefault();
    if (needsPassphrase && passphrase !== repeat) {
      setError('The two passphrases differ');
      return;
    }
    if (strength && !strength.ok) {
      setError('Choose a stronger passphrase (see the hints under it)');
      return;
    }
    void run(async () => {
      const view = await services['exchange.identity.create']({
        agencyName: agencyName.trim(),
        agencyId: agencyId.trim(),
        ...(passphrase ? { passphrase } : {}),
      });
      setCard(view);
      setPassphrase('');
      setRepeat('');
    });
  };

  const unlock = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await services['exchange.identity.unlock'](passphrase ? { passphrase } : {});
      setPassphrase('');
      setCard(await services['exchange.identity.card']({}));
    });
  };

  const showCard = () =>
    void run(async () => setCard(await services['exchange.identity.card']({})));

  const rotate = () => {
    if (!window.confirm('Create new keys? Partners need your new card afterwards.')) return;
    void run(async () => setCard(await services['exchange.identity.rotate']({})));
  };

  const revoke = () => {
    if (!window.confirm('Revoke the current key as compromised? Exchange stops until you rotate.'))
      return;
    void run(async () =>
      setCard((await services['exchange.identity.revoke']({ reason: 'compromised' })).card),
    );
  };

  const copyCard = async (json: string) => {
    try {
      await navigator.clipboard.writeText(json);
      notify('Identity card copied');
    } catch {
      notify('Copying is not allowed here: select the text and copy it', 'error');
    }
  };

  if (!identity.present) {
    return (
      <section
        className="exchange-section"
        aria-label="Agency identity"
        data-testid="identity-setup"
      >
        <h3>Agency identity</h3>
        <p className="muted">
          Create the keys partners use to send to you and to check what you send.
        </p>
        <form onSubmit={create} className="exchange-form">
          <TextField
            label="Agency name"
            value={agencyName}
            onValue={setAgencyName}
            required
            testId="identity-name"
          />
          <TextField
            label="Agency id"
            value={agencyId}
            onValue={setAgencyId}
            required
            testId="identity-agency-id"
          />
          {agencyId.trim() !== settings.agencyId && (
            <p className="exchange-warning">
              Records here are stamped with agency id “{settings.agencyId}” (Settings); use the same
              id.
            </p>
          )}
          {needsPassphrase && (
            <>
              <TextField
                label="Passphrase"
                type="password"
                value={passphrase}
                onValue={setPassphrase}
                required
                minLength={PASSPHRASE_MIN_LENGTH}
                autoComplete="new-password"
                testId="identity-passphrase"
              />
              {strength && <PassphraseStrength strength={strength} />}
              <TextField
                label="Repeat passphrase"
                type="password"
                value={repeat}
                onValue={setRepeat}
                required
                testId="identity-passphrase-repeat"
              />
            </>
          )}
          {error && (
            <p className="exchange-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy} data-testid="identity-create">
            Create identity
          </button>
        </form>
      </section>
    );
  }

  if (!identity.unlocked) {
    return (
      <section
        className="exchange-section"
        aria-label="Agency identity"
        data-testid="identity-unlock"
      >
        <h3>Agency identity: locked</h3>
        <form onSubmit={unlock} className="exchange-form exchange-inline">
          {needsPassphrase && (
            <label className="form-field">
              <span>Passphrase</span>
              <input
                type="password"
                value={passphrase}
                onChange={(e) => setPassphrase(e.target.value)}
                required
                data-testid="unlock-passphrase"
              />
            </label>
          )}
          <button
            type="submit"
            className="primary"
            disabled={busy}
            data-testid="identity-unlock-button"
          >
            Unlock
          </button>
        </form>
        {error && (
          <p className="exchange-error" role="alert">
            {error}
          </p>
        )}
      </section>
    );
  }

  const summary = card?.summary ?? identity.card;
  return (
    <section className="exchange-section" aria-label="Agency identity" data-testid="identity-card">
      <h3>
        {summary?.agencyName} <span className="mono muted">({summary?.agencyId})</span>
      </h3>
      {summary?.revoked && (
        <p className="exchange-error">
          Key revoked ({summary.revoked.reason}) on {summary.revoked.at}: rotate to exchange again.
        </p>
      )}
      <dl className="exchange-fingerprint">
        <dt>Fingerprint</dt>
        <dd className="mono" data-testid="own-fingerprint-hex">
          {summary?.fingerprintHex}
        </dd>
        <dt>Words</dt>
        <dd data-testid="own-fingerprint-words">{summary?.fingerprintWords}</dd>
      </dl>
      {card ? (
        <div className="exchange-card-view">
          <img
            className="exchange-qr"
            alt="QR code of the identity card"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(card.qrSvg)}`}
            data-testid="own-card-qr"
          />
          <label className="form-field exchange-grow">
            <span>Identity card (hand it to partners)</span>
            <textarea
              readOnly
              rows={7}
              value={card.cardJson}
              className="mono"
              data-testid="own-card-json"
            />
          </label>
        </div>
      ) : null}
      <div className="exchange-actions">
        {!card && (
          <button type="button" onClick={showCard} disabled={busy} data-testid="show-card">
            Show card
          </button>
        )}
        {card && (
          <>
            <button type="button" onClick={() => void copyCard(card.cardJson)}>
              Copy card
            </button>
            <button
              type="button"
              onClick={() =>
                downloadBlob(
                  new Blob([card.cardJson], { type: 'application/json' }),
                  `${card.summary.agencyId}-card.json`,
                )
              }
              data-testid="save-card"
            >
              Save card…
            </button>
          </>
        )}
        <button type="button" onClick={rotate} disabled={busy}>
          Rotate keys
        </button>
        <button type="button" className="danger" onClick={revoke} disabled={busy}>
          Revoke key
        </button>
        <button
          type="button"
          onClick={() => void run(async () => void (await services['exchange.identity.lock']({})))}
          disabled={busy}
        >
          Lock
        </button>
      </div>
      {error && (
        <p className="exchange-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
