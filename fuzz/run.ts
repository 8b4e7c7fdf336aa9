/**
 * `npm run fuzz [-- --cases N --report-cases N --inputs N --seed N --lanes N --delta-every N --only NAME
 *  --no-shrink --findings DIR]`: the canary leak test over N generated cases, then every parser
 * fuzz target over N mutated inputs each. Defaults are the full counts CI runs (10,000 each).
 * `npm run fuzz -- --replay FILE --only "TARGET NAME"` runs one recorded finding again.
 * The parser targets run in a second process while the canary test runs in this one (both are
 * single-threaded and CPU-bound; CI has two cores); `--serial` runs them one after the other.
 * The last two lines are always
 *   canary leaks: N of M cases
 *   parser crashes: N of M inputs
 * and the exit code is 1 when either N is above 0. Same seed, same cases and inputs.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCanary } from './canary/runCanary.ts';
import { runReportCanary } from './canary/reportCanary.ts';
import { replayFinding, runParsers } from './parsers/runParsers.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    // Reports are laid out and read back with poppler: far slower per case than a bundle.
    'report-cases': { type: 'string', default: '20' },
    inputs: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '20260105' },
    lanes: { type: 'string', default: '4' },
    'delta-every': { type: 'string', default: '4' },
    only: { type: 'string', multiple: true },
    'no-shrink': { type: 'boolean', default: false },
    findings: { type: 'string', default: 'test-results/fuzz' },
    replay: { type: 'string' },
    serial: { type: 'boolean', default: false },
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
const reportCases = count('report-cases', values['report-cases']);
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

/** Parser targets in a child process: its output, and its count line read back. */
function parsersInChild(): Promise<{ output: string; crashes: number; inputs: number }> {
  const args = [
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    '--cases',
    '0',
    '--report-cases',
    '0',
    '--inputs',
    String(inputs),
    '--seed',
    String(seed),
    '--findings',
    values.findings,
    ...(values.only ?? []).flatMap((name) => ['--only', name]),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', () => {
      const match = /^parser crashes: (\d+) of (\d+) inputs$/m.exec(output);
      if (!match) reject(new Error(`the parser run ended without its count line:\n${output}`));
      else {
        const lines = output.trimEnd().split('\n').slice(1, -2);
        resolve({ output: lines.join('\n'), crashes: Number(match[1]), inputs: Number(match[2]) });
      }
    });
  });
}

const parallel = !values.serial && cases > 0 && inputs > 0;
const child = parallel ? parsersInChild() : null;
// Keep a rejection of the child for the await below, not as an unhandled one meanwhile.
child?.catch(() => undefined);

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
  for (const [why, n] of canary.refusals) console.log(`  refused ${n}×: ${why}`);
  if (canary.classes.size > 0) {
    console.log('canary: leaks by class (count, class):');
    for (const [name, n] of [...canary.classes].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${String(n).padStart(6)}  ${name}`);
    }
  }
  if (canary.minimal) console.log(canary.minimal);
}

// The same generated cases written as partner reports (PDF, DOCX, XLSX) and read back.
const reports =
  reportCases > 0 && values.replay === undefined
    ? await runReportCanary({ cases: reportCases, seed, log })
    : null;
if (reports) {
  console.log(
    `report canary: ${reports.written} reports written and searched, refused: ${
      [...reports.refused].map(([code, n]) => `${n}× ${code}`).join(', ') || 'none'
    }`,
  );
  for (const line of reports.examples) console.log(`  leak: ${line}`);
}

let parsers: { crashes: number; inputs: number } | null = null;
if (child) {
  const result = await child;
  console.log(result.output);
  parsers = result;
} else if (inputs > 0) {
  const result = await runParsers({
    inputs,
    seed,
    ...(values.only ? { only: values.only } : {}),
    findingsDir: values.findings,
    log,
  });
  if (result.findings.length > 0) {
    console.log(`parsers: findings (inputs in ${values.findings}):`);
    for (const f of result.findings.slice(0, 50)) {
      console.log(`  ${f.target} #${f.index} ${f.kind}: ${f.detail}`);
      console.log(`    input (base64, first 200): ${f.inputBase64.slice(0, 200)}`);
    }
  }
  parsers = result;
}

const leaks = canary?.leakingCases ?? 0;
const reportLeaks = reports?.leakingCases ?? 0;
if (reports) console.log(`report canary leaks: ${reportLeaks} of ${reports.cases} cases`);
const crashes = parsers?.crashes ?? 0;
console.log(`canary leaks: ${leaks} of ${canary?.cases ?? 0} cases`);
console.log(`parser crashes: ${crashes} of ${parsers?.inputs ?? 0} inputs`);
// Exit now: a crypto worker thread or a timer of a hung input must not keep the run alive.
process.exit(leaks > 0 || reportLeaks > 0 || crashes > 0 ? 1 : 0);
