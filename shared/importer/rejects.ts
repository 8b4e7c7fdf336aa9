import type { RowProblem } from './types.ts';

export function rejectsCsv(
  problems: readonly RowProblem[],
  header: readonly string[] | undefined,
  rows: ReadonlyMap<number, readonly string[]>,
): string {
  void problems;
  void header;
  void rows;
  return '';
}

/** "row 1,204, column duration: 'abc' is not a number" */
export function describeProblem(problem: RowProblem): string {
  return `row ${problem.row}: ${problem.message}`;
}
