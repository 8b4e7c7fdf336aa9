/**
 * The database handle and clock the exchange screens work with. The repository does not expose
 * its Dexie instance or clock, so this opens the same IndexedDB database (Dexie's live queries see
 * writes from any instance of it in the page) and keeps one clock per agency whose node differs
 * from the repository's (`…-x`), so the two never issue equal timestamps. Both nodes count as
 * local when the merge looks for local edits.
 */
import { useMemo } from 'react';
import { HybridLogicalClock } from '../../shared/model/index.ts';
import { useAppServices } from '../app/context.ts';
import { openDatabase } from '../db/database.ts';
import type { TesseraDatabase } from '../db/database.ts';
import type { ExchangeDeps } from '../db/exchangeApply.ts';

/** Same key as the boot code uses for the repository's clock node. */
const INSTALLATION_KEY = 'tessera.installationId';

let database: TesseraDatabase | undefined;
const clocks = new Map<string, HybridLogicalClock>();

function clockFor(node: string): HybridLogicalClock {
  let clock = clocks.get(node);
  if (!clock) {
    clock = new HybridLogicalClock(node);
    clocks.set(node, clock);
  }
  return clock;
}

export function exchangeDeps(agencyId: string, userName: string): ExchangeDeps {
  database ??= openDatabase();
  const installation = localStorage.getItem(INSTALLATION_KEY) ?? 'web';
  const repositoryNode = `${agencyId}.${installation}`.slice(0, 62);
  const node = `${repositoryNode}-x`;
  return {
    db: database,
    clock: clockFor(node),
    actor: () => ({ userName, agencyId }),
    localNodes: [repositoryNode, node],
  };
}

export function useExchangeDeps(): ExchangeDeps {
  const { settings } = useAppServices();
  return useMemo(
    () => exchangeDeps(settings.agencyId, settings.userName),
    [settings.agencyId, settings.userName],
  );
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
