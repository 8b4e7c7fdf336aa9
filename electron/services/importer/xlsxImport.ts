/**
 * An XLSX sheet through the import engine on Node: what `runImport` (shared/importer/run.ts) is
 * for delimited bytes, this is for a workbook, read by the streaming reader (./xlsxRows.ts) and
 * mapped by the same `createRowMapper`. The CLI (`tessera import --input FILE.xlsx --spec cdr`)
 * calls it for a workbook.
 *
 * Rows are numbered as the spreadsheet numbers them (provenance `row`, rejects): `skipRows` rows
 * are passed over, then the header row when there is one, and an empty row (no cell with text) is
 * no record — it is skipped without shifting the numbers of the rows after it. The specification
 * says whether there is a header (`source.header`); 'auto' or absent means there is one when the
 * specification names its columns (a column given as "#3" reads by position).
 */
import type { Readable } from 'node:stream';
import { createRowMapper } from '../../../shared/importer/index.ts';
import type {
  EntityMapping,
  ImportBatch,
  ImportRunOptions,
  ImportSpec,
  ImportSummary,
  RowCondition,
} from '../../../shared/importer/index.ts';
import { readXlsxRows } from './xlsxRows.ts';

/** The columns a specification reads, by the names it gives them. */
function columnNames(spec: ImportSpec): string[] {
  const names: string[] = [];
  const conditions: readonly RowCondition[] = [...(spec.include ?? []), ...(spec.exclude ?? [])];
  for (const condition of conditions) names.push(condition.column);
  const fromEntity = (entity: EntityMapping) => {
    for (const { value } of entity.properties) {
      if ('column' in value) names.push(value.column);
      if ('columns' in value) names.push(...value.columns);
    }
  };
  spec.entities.forEach(fromEntity);
  return names;
}

/** Whether the sheet's first (unskipped) row names the columns. */
export function xlsxHasHeader(spec: ImportSpec): boolean {
  const header = spec.source.header;
  if (typeof header === 'boolean') return header;
  return columnNames(spec).some((name) => !/^#\d+$/.test(name));
}

const isEmptyRow = (row: readonly string[]) => row.every((cell) => cell === '');

export interface XlsxImportDetails {
  readonly summary: ImportSummary;
  /** The header row as read, when the sheet has one. */
  readonly header?: readonly string[];
  /** The rejected rows as read, by row number (only with `keepRejectedRows`). */
  readonly rejectedRows: ReadonlyMap<number, readonly string[]>;
}

export interface XlsxImportSettings {
  readonly signal?: AbortSignal;
  /** Keep the cells of rejected rows, for a rejects file. */
  readonly keepRejectedRows?: boolean;
}

/**
 * Maps the sheet named by `spec.source.sheet` (the first when absent); each batch goes to
 * `onBatch` before the next is read. Throws XlsxError for an unreadable workbook or a missing
 * sheet, and the engine's errors as they are.
 */
export async function runXlsxImport(
  input: string | Readable,
  spec: ImportSpec,
  options: ImportRunOptions,
  onBatch: (batch: ImportBatch) => void | Promise<void>,
  settings: XlsxImportSettings = {},
): Promise<XlsxImportDetails> {
  const mapper = createRowMapper(spec, options);
  const rejectedRows = new Map<number, readonly string[]>();
  let header: readonly string[] | undefined;
  let toSkip = spec.source.skipRows ?? 0;
  let headerPending = xlsxHasHeader(spec);
  let rowNumber = 1;
  const rows = readXlsxRows(input, { sheet: spec.source.sheet, signal: settings.signal });
  for await (const batch of rows) {
    // Runs of non-empty rows, each mapped with its own first row number.
    let run: string[][] = [];
    let runStart = rowNumber;
    const flush = async () => {
      if (run.length === 0) return;
      const mapped = mapper.mapRows(run, runStart);
      if (settings.keepRejectedRows) {
        for (const problem of mapped.problems) {
          const cells = run[problem.row - runStart];
          if (cells) rejectedRows.set(problem.row, cells);
        }
      }
      run = [];
      await onBatch(mapped);
    };
    for (const row of batch) {
      const number = rowNumber;
      rowNumber += 1;
      if (toSkip > 0) {
        toSkip -= 1;
        continue;
      }
      if (isEmptyRow(row)) {
        await flush();
        continue;
      }
      if (headerPending) {
        headerPending = false;
        header = row;
        mapper.setHeader(row);
        continue;
      }
      if (run.length === 0) runStart = number;
      run.push(row);
    }
    await flush();
  }
  return { summary: mapper.summary(), ...(header ? { header } : {}), rejectedRows };
}
