// Grid search for pairs of node discs that may overlap, shared by overlap removal and overlap
// counting. Nodes are bucketed by centre into square cells (a counting sort: the nodes of cell c are
// items[cellStart[c] .. cellStart[c+1])). The cell side is the 95th-percentile diameter, so for all
// but the largest nodes an overlapping partner sits in the same or an adjacent cell; each cell is
// paired with itself and four of its eight neighbours so no pair is reported twice. Nodes wider than
// a cell ("big" nodes) additionally scan the cells within their reach, which keeps a few huge nodes
// from forcing huge cells on everyone. If the drawing is sparse the cell side grows so the grid
// never has much more than 2n cells.

interface PointGrid {
  columns: number;
  rows: number;
  cellSize: number;
  cellStart: Uint32Array;
  items: Uint32Array;
  cellOf: Uint32Array;
}

function buildGrid(positions: ArrayLike<number>, n: number, minCellSize: number): PointGrid {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = positions[2 * i];
    const y = positions[2 * i + 1];
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
  while ((Math.floor(width / cellSize) + 1) * (Math.floor(height / cellSize) + 1) > maxCells) {
    cellSize *= 1.5;
  }
  const columns = Math.floor(width / cellSize) + 1;
  const rows = Math.floor(height / cellSize) + 1;
  const cellCount = columns * rows;
  const cellStart = new Uint32Array(cellCount + 1);
  const cellOf = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const cx = Math.min(columns - 1, Math.floor((positions[2 * i] - minX) / cellSize));
    const cy = Math.min(rows - 1, Math.floor((positions[2 * i + 1] - minY) / cellSize));
    const c = cy * columns + cx;
    cellOf[i] = c;
    cellStart[c + 1]++;
  }
  for (let c = 0; c < cellCount; c++) cellStart[c + 1] += cellStart[c];
  const fill = cellStart.slice(0, cellCount);
  const items = new Uint32Array(n);
  for (let i = 0; i < n; i++) items[fill[cellOf[i]]++] = i;
  return { columns, rows, cellSize, cellStart, items, cellOf };
}

/**
 * Calls visit(i, j) once for every unordered pair of nodes whose discs (centres in interleaved
 * `positions`, radii in `radius`) might overlap, and for some that do not; callers test distance.
 */
export function forEachCandidatePair(
  positions: ArrayLike<number>,
  radius: Float64Array,
  visit: (i: number, j: number) => void,
): void {
  const n = radius.length;
  if (n < 2) return;
  const sorted = Float64Array.from(radius).sort();
  const grid = buildGrid(positions, n, 2 * sorted[Math.floor(0.95 * (n - 1))]);
  const { columns, rows, cellSize, cellStart, items, cellOf } = grid;
  const pairCells = (c: number, d: number): void => {
    const dStart = cellStart[d];
    const dEnd = cellStart[d + 1];
    if (dStart === dEnd) return;
    for (let a = cellStart[c]; a < cellStart[c + 1]; a++) {
      const i = items[a];
      for (let b = dStart; b < dEnd; b++) visit(i, items[b]);
    }
  };
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < columns; cx++) {
      const c = cy * columns + cx;
      const start = cellStart[c];
      const end = cellStart[c + 1];
      if (start === end) continue;
      for (let a = start; a < end; a++) {
        const i = items[a];
        for (let b = a + 1; b < end; b++) visit(i, items[b]);
      }
      if (cx + 1 < columns) pairCells(c, c + 1);
      if (cy + 1 < rows) {
        if (cx > 0) pairCells(c, c + columns - 1);
        pairCells(c, c + columns);
        if (cx + 1 < columns) pairCells(c, c + columns + 1);
      }
    }
  }
  if (2 * sorted[n - 1] <= cellSize) return;
  // Big nodes: pairs beyond the adjacent cells. A pair is reported from its larger node (ties: the
  // higher index), whose reach covers any partner no larger than itself.
  for (let b = 0; b < n; b++) {
    const rb = radius[b];
    if (2 * rb <= cellSize) continue;
    const reach = Math.ceil((2 * rb) / cellSize) + 1;
    const bx = cellOf[b] % columns;
    const by = Math.floor(cellOf[b] / columns);
    for (let cy = Math.max(0, by - reach); cy <= Math.min(rows - 1, by + reach); cy++) {
      for (let cx = Math.max(0, bx - reach); cx <= Math.min(columns - 1, bx + reach); cx++) {
        if (Math.abs(cx - bx) <= 1 && Math.abs(cy - by) <= 1) continue;
        const c = cy * columns + cx;
        for (let a = cellStart[c]; a < cellStart[c + 1]; a++) {
          const j = items[a];
          const rj = radius[j];
          if (rj < rb || (rj === rb && j < b)) visit(b, j);
        }
      }
    }
  }
}
