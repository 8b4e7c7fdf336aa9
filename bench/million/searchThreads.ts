/**
 * CPU time of one thread, for the search section's per-thread figures (bench/million/search.ts):
 * on a loaded two-core machine the wall clock says little, and the split build's critical path is
 * the slower worker plus the merge, not the process's total.
 */
import { readFileSync } from 'node:fs';

/** CPU milliseconds the calling thread has used (Linux: /proc/thread-self/stat; -1 elsewhere). */
export function threadCpuMs(): number {
  try {
    // The fields after the command name (which may hold spaces): utime and stime, in clock
    // ticks (100 a second on Linux), are the 12th and 13th.
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return -1;
  }
}
