// `npm run bench` runs every benchmark group; `npm run bench -- GROUP [GROUP…]` runs the named ones.
// A group is a file bench/GROUP.bench.ts that prints `name: value unit` lines.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const benchDir = join(import.meta.dirname, '..', 'bench');
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.replace(/\.bench\.ts$/, ''))
  .sort();
const requested = process.argv.slice(2);
const unknown = requested.filter((group) => !available.includes(group));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark group(s): ${unknown.join(', ')}; available: ${available.join(', ')}`,
  );
  process.exit(2);
}
let failed = false;
for (const group of requested.length > 0 ? requested : available) {
  console.log(`# bench ${group}`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(benchDir, `${group}.bench.ts`)],
    {
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
