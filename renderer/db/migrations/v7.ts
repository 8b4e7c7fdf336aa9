/**
 * Version 7: block envelopes for the encrypted store (issue 10: the encrypted cold open).
 *
 * - `blocks`: sealed packs of up to a few hundred entity records of one case, written by the
 *   encrypting middleware beside the records of every bulk write (renderer/db/blocks.ts and
 *   encryption.ts): one AEAD per block, so a cold open opens 80 envelopes instead of 20,000.
 *   Keyed by a random id, the owning case in the clear, `part` ('node' or 'edge') as a keyed
 *   blind index, so the nodes a case opens with are read first.
 * - `entities` gains `[caseId+_p]`: the stored row's block label (`_p`, set by the middleware
 *   beside the envelope: the id of the block written together with this very version of the row,
 *   '' for none). A keys-only read of it per block tells which of the block's copies are current.
 *
 * No upgrade function: a new index fills from the rows as they are (rows written before this
 * version have no `_p` and stay out of it, so their case is read row by row until it is packed),
 * and plaintext databases never have a `_p`. Packing existing cases is resumable work done after
 * unlock, one case per transaction (blocks.ts, packCase), so nothing here can be left half done.
 * Self-contained on purpose: a shipped migration must not change when the live code does.
 */
import type { Migration } from './types.ts';

export const v7: Migration = {
  version: 7,
  stores: {
    entities: 'id, caseId, [caseId+schema], [caseId+schema+id], [caseId+_p]',
    blocks: 'id, caseId, [caseId+part]',
  },
};
