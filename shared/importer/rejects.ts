/**
 * Rejected rows for people: one line per problem ("row 1,204, column duration: 'abc' is not a
 * number"), and the rejects file a skipped import leaves beside its output: the file's header
 * plus `_row`, `_column`, `_problem` columns, then each rejected row as it was read, with its
 * problems (several problems of one row are joined with " | "). It is RFC 4180 CSV, so it opens in
 * a spreadsheet and, after fixing, can be imported again with the same specification (the extra
 * columns are ignored).
 */
import type { RowProblem } from './types.ts';

const rowFormat = new Intl.NumberFormat('en-US');

/** "row 1,204, column duration: 'abc' is not a number" */
export function describeProblem(problem: RowProblem): string {
  const where = `row ${rowFormat.format(problem.row)}${problem.column ? `, column ${problem.column}` : ''}`;
  return `${where}: ${problem.message}`;
}

function csvField(value: string): string {
  // A cell that a spreadsheet would run as a formula is prefixed with ' (OWASP "CSV injection");
  // numbers and phone numbers (-5, +43 664…) are left as they are.
  const safe = /^(?:[=@\t\r]|[+-](?![\d\s.,(]))/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function rejectsCsv(
  problems: readonly RowProblem[],
  header: readonly string[] | undefined,
  rows: ReadonlyMap<number, readonly string[]>,
): string {
  const byRow = new Map<number, RowProblem[]>();
  for (const problem of problems)
    byRow.set(problem.row, [...(byRow.get(problem.row) ?? []), problem]);
  const width = Math.max(header?.length ?? 0, ...[...rows.values()].map((row) => row.length));
  const names = Array.from({ length: width }, (_, i) => header?.[i] ?? `#${i + 1}`);
  const lines = [['_row', '_column', '_problem', ...names].map(csvField).join(',')];
  for (const [row, list] of [...byRow].sort(([a], [b]) => a - b)) {
    const cells = rows.get(row) ?? [];
    const columns = [...new Set(list.map((p) => p.column).filter((c): c is string => !!c))].join(
      ' | ',
    );
    lines.push(
      [
        String(row),
        columns,
        list.map((p) => p.message).join(' | '),
        ...names.map((_, i) => cells[i] ?? ''),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
