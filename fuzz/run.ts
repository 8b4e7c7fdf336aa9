/**
 * `npm run fuzz [-- --cases N --inputs N --seed N --lanes N --delta-every N --only NAME
 *  --no-shrink --findings DIR]`: the canary leak test over N generated cases, then every parser
 * fuzz target over N mutated inputs each. Defaults are the full counts CI runs (10,000 each).
 * `npm run fuzz -- --replay FILE --only "TARGET NAME"` runs one recorded finding again.
 * The last two lines are always
 *   canary leaks: N of M cases
 *   parser crashes: N of M inputs
 * and the exit code is 1 when either N is above 0. Same seed, same cases and inputs.
 */
import { parseArgs } from 'node:util';
import { runCanary } from './canary/runCanary.ts';
import { replayFinding, runParsers } from './parsers/runParsers.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    inputs: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '20260105' },
    lanes: { type: 'string', default: '4' },
    'delta-every': { type: 'string', default: '4' },
    only: { type: 'string', multiple: true },
    'no-shrink': { type: 'boolean', default: false },
    findings: { type: 'string', default: 'test-results/fuzz' },
    replay: { type: 'string' },
  },
  strict: true,
});

function count(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} wants a whole number, not ${text}`);
    process.exit(2);
  }
  return n;
}

const cases = count('cases', values.cases);
const inputs = count('inputs', values.inputs);
const seed = count('seed', values.seed);
const log = (line: string): void => console.log(line);

if (values.replay !== undefined) {
  const target = values.only?.[0];
  if (!target) {
    console.error('--replay needs --only with the exact target name');
    process.exit(2);
  }
  console.log(await replayFinding(target, values.replay));
  process.exit(0);
}

console.log(`fuzz: seed ${seed}, ${cases} canary cases, ${inputs} inputs per parser`);
const canary =
  cases > 0
    ? await runCanary({
        cases,
        seed,
        lanes: count('lanes', values.lanes),
        deltaEvery: count('delta-every', values['delta-every']),
        shrink: !values['no-shrink'],
        log,
      })
    : null;
if (canary) {
  console.log(
    `canary: ${canary.bundlesSealed} bundles sealed and searched, ${canary.bundlesRefused} refused by the service`,
  );
  if (canary.classes.size > 0) {
    console.log('canary: leaks by class (count, class):');
    for (const [name, n] of [...canary.classes].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${String(n).padStart(6)}  ${name}`);
    }
  }
  if (canary.minimal) console.log(canary.minimal);
}

const parsers =
  inputs > 0
    ? await runParsers({
        inputs,
        seed,
        ...(values.only ? { only: values.only } : {}),
        findingsDir: values.findings,
        log,
      })
    : null;
if (parsers && parsers.findings.length > 0) {
  console.log(`parsers: findings (inputs in ${values.findings}):`);
  for (const f of parsers.findings.slice(0, 50)) {
    console.log(`  ${f.target} #${f.index} ${f.kind}: ${f.detail}`);
    console.log(`    input (base64, first 200): ${f.inputBase64.slice(0, 200)}`);
  }
}

const leaks = canary?.leakingCases ?? 0;
const crashes = parsers?.crashes ?? 0;
console.log(`canary leaks: ${leaks} of ${canary?.cases ?? 0} cases`);
console.log(`parser crashes: ${crashes} of ${parsers?.inputs ?? 0} inputs`);
// Exit now: a crypto worker thread or a timer of a hung input must not keep the run alive.
process.exit(leaks > 0 || crashes > 0 ? 1 : 0);
