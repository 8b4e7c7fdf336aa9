/** Helpers of the exchange screens; storage comes from the app shell (one db, one clock). */
import { useMemo } from 'react';
import { useAppServices } from '../core/context.ts';
import type { ExchangeDeps } from '../db/exchangeApply.ts';

export function useExchangeDeps(): ExchangeDeps {
  const { storage } = useAppServices();
  return useMemo(() => ({ ...storage, localNodes: [storage.clock.node] }), [storage]);
}
