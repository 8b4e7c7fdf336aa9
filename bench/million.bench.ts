/**
 * `npm run bench -- million`: every surface on the million-record call case (bench/million/case.ts;
 * `MILLION_ROWS=200000 npm run bench -- million` for a smaller one while working). Each section is
 * a module under bench/million/ listed in SECTIONS, run in order, each printing its own
 * `name: value unit` lines (`open 1M first page ms: X`, `search 1M p95 ms: X`, `peak heap 1M MB: X`, …)
 * with the ratio against its reference where it has one. `MILLION_SECTIONS=search,timeline` runs
 * only the named sections.
 */
import { DEFAULT_CDR_ROWS } from './import/generate.ts';
import { millionCasePath } from './million/case.ts';
import { chartSection } from './million/chart.ts';
import type { MillionSection } from './million/section.ts';
import { openSection } from './million/open.ts';
import { searchSection } from './million/search.ts';
import { views } from './million/views.ts';

const SECTIONS: readonly MillionSection[] = [openSection, views, chartSection, searchSection];

const rows = Number(process.env['MILLION_ROWS'] ?? DEFAULT_CDR_ROWS);
const only = process.env['MILLION_SECTIONS']?.split(',').map((name) => name.trim());
const started = performance.now();
const casePath = await millionCasePath(rows);
console.log(`million case rows: ${rows}`);
console.log(`million case build ms: ${Math.round(performance.now() - started)}`);
let failed = false;
for (const section of SECTIONS) {
  if (only && !only.includes(section.name)) continue;
  console.log(`## ${section.name}`);
  try {
    await section.run({ rows, casePath });
  } catch (error) {
    failed = true;
    console.error(`section ${section.name} failed:`, error);
  }
}
process.exit(failed ? 1 : 0);
