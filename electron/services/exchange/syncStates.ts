/**
 * The sync-state store: one PartnerSyncState per (partner, case) in `sync-state.json` (state.ts
 * reads and writes the file whole). The sealer reads and writes it through the `SyncStateStore`
 * interface; imports, receipts and the views read it here. Writers are serialised by the caller
 * (the service's `exclusive`).
 */
import type { PartnerSyncState, ReceivedBundle } from '../../../shared/exchange/syncState.ts';
import type { SyncStateStore } from './releaseSealer.ts';
import { loadSyncStates, syncStateFile } from './state.ts';

export class SyncStates implements SyncStateStore {
  private readonly one: SyncStateStore;

  constructor(private readonly file: string) {
    this.one = syncStateFile(file);
  }

  all(): Promise<PartnerSyncState[]> {
    return loadSyncStates(this.file);
  }

  async ofPartner(partnerId: string): Promise<PartnerSyncState[]> {
    return (await this.all()).filter((s) => s.partnerId === partnerId);
  }

  /** The state of (partner, case); the initial one when nothing was exchanged yet. */
  load(partnerId: string, caseId: string): Promise<PartnerSyncState> {
    return this.one.load(partnerId, caseId);
  }

  /** The stored state of (partner, case), or null: for receipts, which need one to exist. */
  async find(partnerId: string, caseId: string): Promise<PartnerSyncState | null> {
    return (await this.all()).find((s) => s.partnerId === partnerId && s.caseId === caseId) ?? null;
  }

  save(state: PartnerSyncState): Promise<void> {
    return this.one.save(state);
  }

  /** Where a bundle from `partnerId` was received before (for replays), with its case. */
  async received(
    partnerId: string,
    bundleId: string,
  ): Promise<{ caseId: string; bundle: ReceivedBundle } | null> {
    for (const state of await this.ofPartner(partnerId)) {
      const bundle = state.received.find((r) => r.bundleId === bundleId);
      if (bundle) return { caseId: state.caseId, bundle };
    }
    return null;
  }
}
