/** Helpers of the exchange screens; storage comes from the app shell (one db, one clock). */
import { useMemo } from 'react';
import { useAppServices } from '../core/context.ts';
import type { ExchangeDeps } from '../db/exchangeApply.ts';

export function useExchangeDeps(): ExchangeDeps {
  const { storage } = useAppServices();
  return useMemo(() => ({ ...storage, localNodes: [storage.clock.node] }), [storage]);
}

/** Starts a browser download of `blob` as `fileName`. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
