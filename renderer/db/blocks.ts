/**
 * Block envelopes (issue 10: the encrypted cold open; schema v7, migrations/v7.ts).
 *
 * Every record of the encrypted store is its own envelope (encryption.ts), and the first open of
 * a case used to open every one of them: 20,000 WebCrypto calls for a 20,000-entity case, which
 * is what kept that open 1.4 times as slow as the plaintext store's. A block is one envelope
 * holding a copy of a few hundred records of one case:
 *
 * 1. Writing. The records' own rows stay the source of truth: every write, point read, blind-index
 *    look-up, delete and key rotation works on them exactly as before. In addition, a bulk write
 *    (put or add of at least BLOCK_MIN_ROWS rows) of `entities` in a transaction that also spans
 *    `blocks` — every change of the unit of work, so every import — seals each slice's records of
 *    one case and part (nodes, relationships) a second time as one block, and writes the block
 *    and the rows in the same transaction; each row is labelled with its block's id (`_p`, in the
 *    clear beside its bound version `_v`). Any other write of a row labels it '' (no copy), so a
 *    row edited, tombstoned or rotated after its block was written no longer points at it. A row
 *    deleted for good (retention purge, undone import) in such a transaction takes every block of
 *    its case with it: a block may hold a copy of any of its versions (encryption.ts,
 *    dropBlocksOf); the case is read row by row until packed again.
 * 2. Binding. A block is a row of the `blocks` table, sealed as any row (AES-256-GCM with a fresh
 *    nonce, bound to the table 'blocks', the block's random id and version ''), so a block moved
 *    to another id fails authentication and one given another case or part fails the clear and
 *    blind checks, all with VaultError 'tampered'. The plaintext names its case, its part and the
 *    table, and holds the records whole (ids, versions and all): dropping, adding or changing a
 *    record inside it means changing the ciphertext. Blocks are never rewritten: a newer copy is a
 *    new block under a new id, so an old block put back is simply referenced by no row.
 * 3. Reading (readBlockedCase). The case's blocks are opened (one call each) and, per block, the
 *    ids of the rows labelled with it are read from `[caseId+_p]` (keys only: nothing to open). A
 *    record is taken from a block only where its row's label names that block: the label is set
 *    only by the write that stored the block with that very version of the row. Every other row
 *    (labelled '', or naming a block that is not there or lacks it) is read and opened on its own
 *    with the per-record checks. So the reads are those of
 *    the rows, whatever was written in between. A case with rows outside the index (written before
 *    v7) is read row by row as before (the caller's own path) until packCase packs it.
 * 4. Packing (packCase). In one transaction over both tables, the case's rows are read, its
 *    blocks deleted and the rows written again in bulk (same records, same versions: nothing a
 *    reader or the undo stack can tell apart), which writes fresh blocks. Run after a case opened
 *    with many rows outside a current block; each case is one transaction, so a run killed halfway
 *    leaves every case either packed or as it was, and the next open packs what is left.
 *
 * What it does not change: an attacker who can write the profile can put back an older row whole
 * (envelope, version and label), exactly as without blocks (docs/security.md); locking drops the
 * keys, and a block opens only through the encrypting middleware, so locked means unreadable.
 */
import { Dexie } from 'dexie';
import { isEdgeSchema } from '../../shared/model/index.ts';
import type { StoredBlock, StoredEntity, TesseraDatabase } from './database.ts';
import { importIdOf } from './pendingImports.ts';
import { VaultError } from './vaultError.ts';

/** The table of blocks (schema v7). */
export const BLOCK_TABLE = 'blocks';

/**
 * Rows of one case and part a write must hold to get a block: fewer are not worth a second
 * envelope (a block of one saves nothing on read and costs one more call on write).
 */
export const BLOCK_MIN_ROWS = 32;

/** The blocks table, where the database has one (not one opened at a schema before v7). */
export function blockTable(db: TesseraDatabase): TesseraDatabase['blocks'] | undefined {
  return (db.blocks as TesseraDatabase['blocks'] | undefined) ?? undefined;
}

/** The part of a case a record belongs to: a case opens with its nodes. */
export type BlockPart = 'node' | 'edge';

export function blockPartOf(record: { readonly schema?: unknown }): BlockPart {
  return typeof record.schema === 'string' && isEdgeSchema(record.schema) ? 'edge' : 'node';
}

/**
 * Rows outside a current block, at or above which an open asks for the case to be packed again
 * (also: this share of the case's rows).
 */
const REPACK_LOOSE_ROWS = 1_000;
const REPACK_LOOSE_SHARE = 0.1;
/**
 * Blocks no row points at, at or above which (and half the blocks) the case is packed again to
 * drop them; so too where the blocks hold twice the case's rows (and 1,000) in stale copies.
 */
const REPACK_UNUSED_BLOCKS = 16;
/** Rows per request of rows read on their own. */
const LOOSE_READ = 2_000;
/** The largest case packCase packs (all its rows are read and written in one transaction). */
export const PACK_MAX_ROWS = 200_000;

/** How a blocked read went (for the decision to pack, and for tests). */
export interface BlockStats {
  /** Rows of the case. */
  readonly rows: number;
  /** Blocks opened. */
  readonly blocks: number;
  /** Records taken from blocks. */
  readonly fromBlocks: number;
  /** Rows read and opened on their own. */
  readonly loose: number;
  /** Blocks opened that no row points at (their records were written again since). */
  readonly unused: number;
  /** Records the blocks opened hold (current or not). */
  readonly held: number;
}

export interface BlockedCase {
  /**
   * The case's node records, plus every row that had to be read on its own in the first phase
   * (any part: a row labelled '' says nothing of its part until opened). Deleted rows included.
   */
  readonly first: readonly StoredEntity[];
  /** The remaining rows (relationships), read when called (once). */
  readonly rest: () => Promise<readonly StoredEntity[]>;
  /** Rows of the case. */
  readonly rows: number;
  /** After `rest`: how it went. */
  readonly stats: () => BlockStats;
}

function tamperedBlock(why: string): VaultError {
  return new VaultError('tampered', `a stored block failed its check: ${why}`);
}

/** The records of an authenticated block by id, checked to be the case's entities. */
function recordsOf(block: StoredBlock, caseId: string, part: BlockPart): Map<string, StoredEntity> {
  if (block.table !== 'entities' || block.caseId !== caseId || block.part !== part) {
    throw tamperedBlock('it belongs to another case, part or table');
  }
  if (!Array.isArray(block.records)) throw tamperedBlock('it holds no records');
  const byId = new Map<string, StoredEntity>();
  for (const record of block.records as unknown[]) {
    const { id, caseId: owner } = (record ?? {}) as Partial<StoredEntity>;
    if (typeof id !== 'string' || owner !== caseId) {
      throw tamperedBlock('it holds a record of another case');
    }
    byId.set(id, record as StoredEntity);
  }
  return byId;
}

/** The ids of the case's rows labelled `label`. */
function labelledIds(db: TesseraDatabase, caseId: string, label: string): Promise<string[]> {
  return db.entities.where('[caseId+_p]').equals([caseId, label]).primaryKeys();
}

/** Rows of the case in the label index (all but those written before schema v7). */
function labelledCount(db: TesseraDatabase, caseId: string): Promise<number> {
  return db.entities
    .where('[caseId+_p]')
    .between([caseId, Dexie.minKey], [caseId, Dexie.maxKey])
    .count();
}

/**
 * Reads a case of the encrypted store through its blocks (see 3 above), nodes first; undefined
 * where that cannot be exact or would not be quicker: a plaintext store, an import pending (its
 * rows must stay hidden, which the pending-import filter does row by row), a case without blocks,
 * rows of the case that the label index does not hold (written before schema v7), or most rows
 * without a copy in a block.
 */
export async function readBlockedCase(
  db: TesseraDatabase,
  caseId: string,
): Promise<BlockedCase | undefined> {
  if (!db.keySource || db.pendingImports.size > 0 || !blockTable(db)) return undefined;
  const blocksOf = (part: BlockPart) =>
    db.blocks.where('[caseId+part]').equals([caseId, part]).toArray();
  // A case without blocks (small, written row by row, or a seeded one) costs one look.
  if ((await db.blocks.where('caseId').equals(caseId).limit(1).primaryKeys()).length === 0) {
    return undefined;
  }
  const [nodeBlocks, labelled, unlabelled, rows] = await Promise.all([
    blocksOf('node'),
    labelledCount(db, caseId),
    db.entities.where('[caseId+_p]').equals([caseId, '']).count(),
    db.entities.where('caseId').equals(caseId).count(),
  ]);
  // Rows outside the index, or most rows without a copy: the caller's range reads do better
  // than reading each by key.
  if (labelled !== rows || (unlabelled > REPACK_LOOSE_ROWS && unlabelled * 2 > rows)) {
    return undefined;
  }
  let fromBlocks = 0;
  let loose = 0;
  let unused = 0;
  let held = 0;
  let blockCount = nodeBlocks.length;
  /** Ids accounted for (taken from a block or read on their own). */
  const seen = new Set<string>();
  const hidden = (record: StoredEntity) => {
    const importId = importIdOf(record);
    return importId !== undefined && db.pendingImports.has(importId);
  };
  const readLoose = async (ids: readonly string[], out: StoredEntity[]) => {
    const fresh = ids.filter((id) => !seen.has(id));
    for (const id of fresh) seen.add(id);
    loose += fresh.length;
    // In requests of a bounded size: many rows (blocks dropped by a purge) must not become one
    // request of them all.
    for (let start = 0; start < fresh.length; start += LOOSE_READ) {
      const rows = await db.entities.bulkGet(fresh.slice(start, start + LOOSE_READ));
      for (const row of rows) if (row && !hidden(row)) out.push(row);
    }
  };
  /**
   * Takes the records of `blocks` whose rows are labelled with their block: a label is set only
   * by the write that stored the block with this very version of the row (any later write sets
   * ''), so the copy is the row. A labelled row its block lacks is read on its own.
   */
  const fromBlocksOf = async (blocks: readonly StoredBlock[], part: BlockPart) => {
    const out: StoredEntity[] = [];
    const labels = await Promise.all(blocks.map((block) => labelledIds(db, caseId, block.id)));
    const missing: string[] = [];
    blocks.forEach((block, k) => {
      const ids = labels[k]!;
      held += Array.isArray(block.records) ? block.records.length : 0;
      if (ids.length === 0) {
        unused += 1;
        return;
      }
      const records = recordsOf(block, caseId, part);
      for (const id of ids) {
        const record = records.get(id);
        if (!record) missing.push(id);
        else if (!seen.has(id)) {
          seen.add(id);
          fromBlocks += 1;
          if (!hidden(record)) out.push(record);
        }
      }
    });
    await readLoose(missing, out);
    return out;
  };
  const first = await fromBlocksOf(nodeBlocks, 'node');
  // Rows without a copy: few after a bulk write; their part shows only once opened.
  await readLoose(await labelledIds(db, caseId, ''), first);
  return {
    first,
    rows,
    async rest() {
      const edgeBlocks = await blocksOf('edge');
      blockCount += edgeBlocks.length;
      const out = await fromBlocksOf(edgeBlocks, 'edge');
      // Rows labelled with a block that is not there (never, unless the store was altered):
      // on their own, whatever their label says.
      if (seen.size < rows) {
        const all = await db.entities.where('caseId').equals(caseId).primaryKeys();
        await readLoose(
          all.filter((id) => !seen.has(id)),
          out,
        );
      }
      return out;
    },
    stats: () => ({ rows, blocks: blockCount, fromBlocks, loose, unused, held }),
  };
}

/** Whether an open that went so should pack its case again (see 4 above). */
export function shouldPack(stats: BlockStats | undefined, rows: number): boolean {
  if (rows < BLOCK_MIN_ROWS || rows > PACK_MAX_ROWS) return false;
  // Rows outside the label index (written before v7): the whole case.
  if (!stats) return rows >= REPACK_LOOSE_ROWS;
  // Stale copies (of records written again since) outnumber the current ones: drop them.
  if (stats.unused >= REPACK_UNUSED_BLOCKS && stats.unused * 2 >= stats.blocks) return true;
  if (stats.held >= 2 * stats.rows + REPACK_LOOSE_ROWS) return true;
  return stats.loose >= REPACK_LOOSE_ROWS || stats.loose >= REPACK_LOOSE_SHARE * stats.rows;
}

/**
 * Packs one case of the encrypted store (see 4 above): one transaction, so it is all or nothing.
 * Returns the rows written again (0 where there was nothing to do: a plaintext store, an import
 * pending, a case too large for one transaction).
 */
export async function packCase(db: TesseraDatabase, caseId: string): Promise<number> {
  if (!db.keySource || db.pendingImports.size > 0 || !blockTable(db)) return 0;
  return db.transaction('rw', [db.entities, db.blocks], async () => {
    const rows = await db.entities.where('caseId').equals(caseId).toArray();
    if (rows.length > PACK_MAX_ROWS) return 0;
    await db.blocks.where('caseId').equals(caseId).delete();
    // Parts apart, so each slice's block holds one part (a bulk write groups by case and part
    // within a slice: mixed slices would make smaller blocks).
    const nodes = rows.filter((row) => blockPartOf(row) === 'node');
    const edges = rows.filter((row) => blockPartOf(row) === 'edge');
    await db.entities.bulkPut(nodes);
    await db.entities.bulkPut(edges);
    return rows.length;
  });
}

/**
 * Packs every case of the store that is not packed yet (the resumable part of schema v7): one
 * transaction per case, so a run stopped halfway (a crash, a lock) is resumed by running it
 * again. `signal` stops it between cases.
 */
export async function packCases(
  db: TesseraDatabase,
  options: {
    readonly signal?: AbortSignal;
    /** Called after each case packed. */
    readonly onCase?: (caseId: string) => void;
  } = {},
): Promise<{ readonly packed: number }> {
  let packed = 0;
  if (!blockTable(db)) return { packed };
  for (const caseId of await db.cases.toCollection().primaryKeys()) {
    if (options.signal?.aborted) break;
    const [unlabelled, labelled, rows] = await Promise.all([
      db.entities.where('[caseId+_p]').equals([caseId, '']).count(),
      labelledCount(db, caseId),
      db.entities.where('caseId').equals(caseId).count(),
    ]);
    // Rows outside the index (before v7) or labelled '' (no copy in a block): pack.
    const outside = rows - labelled + unlabelled;
    if (outside >= BLOCK_MIN_ROWS && (await packCase(db, caseId)) > 0) {
      packed += 1;
      options.onCase?.(caseId);
    }
  }
  return { packed };
}
