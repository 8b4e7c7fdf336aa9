/**
 * The exchange service's status and partners, polled (the service has no push channel to the
 * page: bundles arrive in transport inboxes or as files handed in) and read again at once when a
 * screen of this page changed something — a bundle handed in, imported or discarded — so the top
 * bar's inbox badge and the exchange screen agree without waiting for the next poll.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ExchangeStatus, PartnerView } from '../../shared/contract/exchange.ts';
import { errorMessage } from '../../shared/base/errors.ts';
import { useAppServices } from '../core/context.ts';

const listeners = new Set<() => void>();

/** Tells every status reader of this page to read again now (after an import, a discard…). */
export function announceExchangeChange(): void {
  for (const listener of listeners) listener();
}

export interface ExchangeStatusState {
  readonly status: ExchangeStatus | null;
  readonly partners: readonly PartnerView[];
  readonly error: string | null;
  readonly refresh: () => Promise<void>;
}

export function useExchangeStatus(
  pollMs: number,
  options: { readonly partners?: boolean } = {},
): ExchangeStatusState {
  const { services } = useAppServices();
  const withPartners = options.partners ?? true;
  const [status, setStatus] = useState<ExchangeStatus | null>(null);
  const [partners, setPartners] = useState<readonly PartnerView[]>([]);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const next = await services['exchange.status']({});
      setStatus(next);
      if (withPartners) setPartners((await services['exchange.partners.list']({})).partners);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [services, withPartners]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), pollMs);
    const listener = () => void refresh();
    listeners.add(listener);
    return () => {
      clearInterval(timer);
      listeners.delete(listener);
    };
  }, [refresh, pollMs]);

  return { status, partners, error, refresh };
}
