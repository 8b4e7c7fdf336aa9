/** Helpers of the exchange screens; storage comes from the app shell (one db, one clock). */
import { useMemo } from 'react';
import { useAppServices } from '../app/context.ts';
import type { ExchangeDeps } from '../db/exchangeApply.ts';

export function useExchangeDeps(): ExchangeDeps {
  const { storage } = useAppServices();
  return useMemo(() => ({ ...storage, localNodes: [storage.clock.node] }), [storage]);
}

/** Error text for people (service errors carry their message). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads a picked file as base64 (for exchange.import.fromFile and card files). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function base64ToBlob(base64: string, type = 'application/octet-stream'): Blob {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type });
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
