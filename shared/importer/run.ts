/**
 * The whole pipeline over byte chunks — detect, decode, parse, map — for the CLI, the tests, the
 * benchmark and any caller that has the file as a stream of bytes (the wizard's worker runs the
 * same steps itself so it can report progress between them).
 *
 * The first MiB (or the whole file, when smaller) is held back for detection: the source options
 * the specification leaves at "auto" are read from it. Then every chunk is decoded (a character
 * cut between chunks is kept for the next), parsed into whole records and mapped in batches of
 * `batchRows`; `onBatch` is awaited before the next batch, so a writer can apply back-pressure.
 * Row numbers count records from 1, the skipped rows and the header included (blank lines are no
 * records). A signal that fires stops the run between chunks and after each batch with
 * `import.aborted` (the caller, owning the writes, discards what it was given: all or nothing).
 */
import { detectSource, SAMPLE_BYTES } from './detect.ts';
import type { DetectedSource } from './detect.ts';
import { ImportEngineError } from './errors.ts';
import { createRowMapper } from './mapper.ts';
import { createDecoder, createDelimitedParser } from './parse.ts';
import type { DelimitedParserKind } from './parse.ts';
import type { AbortSignalSlice } from './platform.ts';
import type { ImportBatch, ImportRunOptions, ImportSpec, ImportSummary } from './types.ts';

export const DEFAULT_BATCH_ROWS = 5000;

export interface ImportRunDetails {
  readonly summary: ImportSummary;
  readonly detected: DetectedSource;
  /** The header row as read, when the source has one. */
  readonly header?: readonly string[];
  /** The rejected rows as read, by row number (only with `keepRejectedRows`). */
  readonly rejectedRows: ReadonlyMap<number, readonly string[]>;
}

export interface ImportRunSettings {
  readonly signal?: AbortSignalSlice;
  readonly parser?: DelimitedParserKind;
  readonly batchRows?: number;
  /** Keep the cells of rejected rows, for a rejects file. */
  readonly keepRejectedRows?: boolean;
}

function checkAborted(signal: AbortSignalSlice | undefined): void {
  if (signal?.aborted) throw new ImportEngineError('import.aborted', 'the import was cancelled');
}

export async function runImportDetailed(
  chunks: AsyncIterable<Uint8Array>,
  spec: ImportSpec,
  options: ImportRunOptions,
  onBatch: (batch: ImportBatch) => void | Promise<void>,
  settings: ImportRunSettings = {},
): Promise<ImportRunDetails> {
  const { signal } = settings;
  if (spec.source.kind !== 'delimited') {
    throw new ImportEngineError(
      'import.spec-unusable',
      `the specification "${spec.name}" reads ${spec.source.kind.toUpperCase()}, not delimited text`,
    );
  }
  const batchRows = Math.max(1, settings.batchRows ?? DEFAULT_BATCH_ROWS);
  const mapper = createRowMapper(spec, options);
  const rejectedRows = new Map<number, readonly string[]>();
  const iterator = chunks[Symbol.asyncIterator]();

  // Detection sample: the first MiB.
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  let done = false;
  while (heldBytes < SAMPLE_BYTES) {
    checkAborted(signal);
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    held.push(next.value);
    heldBytes += next.value.length;
  }
  const sample = new Uint8Array(Math.min(heldBytes, SAMPLE_BYTES));
  let at = 0;
  for (const chunk of held) {
    if (at >= sample.length) break;
    const part = chunk.subarray(0, sample.length - at);
    sample.set(part, at);
    at += part.length;
  }
  const detected = detectSource(sample, {
    ...spec.source,
    // A header is read when the spec says so; "auto" uses the detection.
    header: spec.source.header ?? 'auto',
  });

  const decoder = createDecoder(detected.encoding);
  const parser = createDelimitedParser({
    delimiter: detected.delimiter,
    ...(settings.parser && { kind: settings.parser }),
  });
  const skipRows = spec.source.skipRows ?? 0;
  let recordNumber = 0;
  let header: string[] | undefined;
  let pending: string[][] = [];
  let pendingFirst = 0;

  const flush = async () => {
    if (pending.length === 0) return;
    const rows = pending;
    const first = pendingFirst;
    pending = [];
    const batch = mapper.mapRows(rows, first);
    if (settings.keepRejectedRows) {
      for (const problem of batch.problems) {
        const row = rows[problem.row - first];
        if (row) rejectedRows.set(problem.row, row);
      }
    }
    await onBatch(batch);
    checkAborted(signal);
  };

  const take = async (rows: string[][]) => {
    for (const row of rows) {
      recordNumber += 1;
      if (recordNumber <= skipRows) continue;
      if (detected.header && header === undefined) {
        header = row;
        mapper.setHeader(row);
        continue;
      }
      if (pending.length === 0) pendingFirst = recordNumber;
      pending.push(row);
      if (pending.length >= batchRows) await flush();
    }
  };

  for (const chunk of held) {
    checkAborted(signal);
    await take(parser.push(decoder.decode(chunk)));
  }
  while (!done) {
    checkAborted(signal);
    const next = await iterator.next();
    if (next.done) break;
    await take(parser.push(decoder.decode(next.value)));
  }
  checkAborted(signal);
  await take(parser.push(decoder.end()));
  await take(parser.end());
  await flush();
  return {
    summary: mapper.summary(),
    detected,
    ...(header && { header }),
    rejectedRows,
  };
}

export async function runImport(
  chunks: AsyncIterable<Uint8Array>,
  spec: ImportSpec,
  options: ImportRunOptions,
  onBatch: (batch: ImportBatch) => void | Promise<void>,
  signal?: AbortSignalSlice,
): Promise<ImportSummary> {
  const details = await runImportDetailed(chunks, spec, options, onBatch, {
    ...(signal && { signal }),
  });
  return details.summary;
}
