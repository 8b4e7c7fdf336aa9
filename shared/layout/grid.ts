// Uniform grid buckets over 2-D points, shared by overlap removal and overlap counting. Cells are
// square; every point lies in exactly one cell, and the points of cell c are
// items[cellStart[c] .. cellStart[c+1]) after a counting sort. The cell side is at least the largest
// node diameter, so any two overlapping discs lie in the same or adjacent cells; if the drawing is
// sparse the side grows so the grid never has much more than ~2n cells.

export interface PointGrid {
  columns: number;
  rows: number;
  cellSize: number;
  minX: number;
  minY: number;
  cellStart: Uint32Array;
  items: Uint32Array;
  cellOf: Uint32Array;
}

export function buildGrid(positions: Float64Array, n: number, minCellSize: number): PointGrid {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = positions[2 * i]!;
    const y = positions[2 * i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (n === 0) minX = minY = maxX = maxY = 0;
  const width = maxX - minX;
  const height = maxY - minY;
  let cellSize = Math.max(minCellSize, 1e-9);
  const maxCells = 2 * n + 16;
  // (width/cell + 1)(height/cell + 1) <= maxCells, solved generously for the cell side.
  while ((Math.floor(width / cellSize) + 1) * (Math.floor(height / cellSize) + 1) > maxCells) {
    cellSize *= 1.5;
  }
  const columns = Math.floor(width / cellSize) + 1;
  const rows = Math.floor(height / cellSize) + 1;
  const cellCount = columns * rows;
  const cellStart = new Uint32Array(cellCount + 1);
  const cellOf = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const cx = Math.min(columns - 1, Math.floor((positions[2 * i]! - minX) / cellSize));
    const cy = Math.min(rows - 1, Math.floor((positions[2 * i + 1]! - minY) / cellSize));
    const c = cy * columns + cx;
    cellOf[i] = c;
    cellStart[c + 1]!++;
  }
  for (let c = 0; c < cellCount; c++) cellStart[c + 1]! += cellStart[c]!;
  const fill = cellStart.slice(0, cellCount);
  const items = new Uint32Array(n);
  for (let i = 0; i < n; i++) items[fill[cellOf[i]!]!++] = i;
  return { columns, rows, cellSize, minX, minY, cellStart, items, cellOf };
}

/**
 * Calls visit(i, j) once for every unordered pair of points in the same or adjacent cells (each
 * cell is paired with itself and with four of its eight neighbours, so no pair is seen twice).
 */
export function forEachNearPair(grid: PointGrid, visit: (i: number, j: number) => void): void {
  const { columns, rows, cellStart, items } = grid;
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < columns; cx++) {
      const c = cy * columns + cx;
      const start = cellStart[c]!;
      const end = cellStart[c + 1]!;
      if (start === end) continue;
      for (let a = start; a < end; a++) {
        const i = items[a]!;
        for (let b = a + 1; b < end; b++) visit(i, items[b]!);
      }
      if (cx + 1 < columns) pairCells(c, c + 1);
      if (cy + 1 < rows) {
        if (cx > 0) pairCells(c, c + columns - 1);
        pairCells(c, c + columns);
        if (cx + 1 < columns) pairCells(c, c + columns + 1);
      }
    }
  }
  function pairCells(c: number, d: number): void {
    const dStart = cellStart[d]!;
    const dEnd = cellStart[d + 1]!;
    if (dStart === dEnd) return;
    for (let a = cellStart[c]!; a < cellStart[c + 1]!; a++) {
      const i = items[a]!;
      for (let b = dStart; b < dEnd; b++) visit(i, items[b]!);
    }
  }
}
