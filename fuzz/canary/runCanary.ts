/**
 * Runs the canary test over many generated cases: first every case once (counting leaking cases
 * and the classes of leak), then, when something leaked, fast-check again from the same seed so
 * that it shrinks the first failing case to a minimal one, which is printed with the field each
 * leaked canary or id came from.
 *
 * Cases run in several lanes at once: sealing waits mostly on the file system, so lanes overlap.
 */
import fc from 'fast-check';
import { useLocalCryptoThreads } from '../../electron/services/bundle/cryptoWorker.ts';
import type { CaseResult, Leak } from './harness.ts';
import { CanaryHarness } from './harness.ts';
import type { CasePlan } from './plan.ts';
import { casePlan } from './plan.ts';

export interface CanaryRunOptions {
  readonly cases: number;
  readonly seed: number;
  /** Every n-th case also seals a delta bundle per partner (default 1: every case; 0: none). */
  readonly deltaEvery?: number;
  /** Cases in flight at once (default 4). */
  readonly lanes?: number;
  /** Shrink the first failing case (default true). */
  readonly shrink?: boolean;
  /** Time allowed for shrinking (default 3 minutes). */
  readonly shrinkMs?: number;
  readonly log?: (line: string) => void;
}

export interface CanaryRunResult {
  readonly cases: number;
  readonly leakingCases: number;
  /** Leak class → number of leaks. */
  readonly classes: ReadonlyMap<string, number>;
  readonly bundlesSealed: number;
  readonly bundlesRefused: number;
  /** Why the service refused to seal (ids left out) → how often. */
  readonly refusals: ReadonlyMap<string, number>;
  /** The shrunk failing case, printed, when one leaked. */
  readonly minimal: string | null;
}

/** The oracle rule behind a leak, without ids, values and nested reasons. */
function ruleHead(rule: string): string {
  return rule
    .replace(/\(.*\)/g, '')
    .replace(/^O1 case: .*/, 'O1 the case itself may not go')
    .replace(/^O5 (name group: \w+ )?/, 'O5 property marking: ')
    .replace(/handling code .*/, 'handling code')
    .replace(/classification .* not on the ladder/, 'classification not on the ladder')
    .replace(/\w+ above the agreement/, 'classification above the agreement')
    .replace(/category \w+ not/, 'category not')
    .replace(/id\.[0-9a-f]{8}\.[0-9a-f]{5}/g, '…')
    .trim();
}

/** A leak's class: bundle, where, record kind and field, and the oracle rule it broke. */
export function leakClass(leak: Leak): string {
  const { kind, field } = leak.forbidden;
  const name = field.startsWith('properties.') ? 'property' : field;
  const carrier = (leak.carrier ?? '')
    .replace(/\.properties\.\w+/, '.properties.*')
    .replace(/ \(key\)/, ' (as a key)')
    .replace(/part att-\d+/, 'part');
  const via = carrier.startsWith('another') ? `, via ${carrier}` : '';
  return `${leak.bundle} bundle, ${leak.where}: ${kind} ${name} — ${ruleHead(leak.forbidden.rule)}${via}`;
}

export function describeLeaks(leaks: readonly Leak[], limit = 40): string {
  const lines = leaks
    .slice(0, limit)
    .map(
      (l) =>
        `  ${l.partner} ${l.bundle} bundle, in the ${l.where}${l.carrier ? ` (${l.carrier})` : ''}: ${l.forbidden.value} from ${l.forbidden.kind} ${l.forbidden.recordId} field ${l.forbidden.field} — ${l.forbidden.rule}`,
    );
  if (leaks.length > limit) lines.push(`  … and ${leaks.length - limit} more`);
  return lines.join('\n');
}

function printCase(plan: CasePlan, result: CaseResult): string {
  const { attachments, ...rest } = result.file;
  return [
    `minimal leaking case (${result.leaks.length} leaks):`,
    describeLeaks(result.leaks),
    'the case file (attachment bytes omitted):',
    JSON.stringify(
      { ...rest, attachments: attachments.map(({ contentBase64: _c, ...a }) => a) },
      null,
      1,
    ),
    `the plan: ${JSON.stringify(plan)}`,
  ].join('\n');
}

export async function runCanary(options: CanaryRunOptions): Promise<CanaryRunResult> {
  const log = options.log ?? (() => undefined);
  const deltaEvery = options.deltaEvery ?? 1;
  const deltaFor = (index: number): boolean => deltaEvery > 0 && index % deltaEvery === 0;
  // Bundles here are small: hashing in this thread is faster than handing blocks to workers.
  useLocalCryptoThreads(true);
  const plans = fc.sample(casePlan, { numRuns: options.cases, seed: options.seed });
  const lanes = Math.max(1, Math.min(options.lanes ?? 4, plans.length, 15));
  const harnesses = await Promise.all(
    Array.from({ length: lanes }, (_, lane) => CanaryHarness.create({ lane })),
  );
  const classes = new Map<string, number>();
  const refusals = new Map<string, number>();
  let leakingCases = 0;
  let sealed = 0;
  let refused = 0;
  let done = 0;
  let next = 0;
  const started = Date.now();
  try {
    await Promise.all(
      harnesses.map(async (harness) => {
        while (next < plans.length) {
          const index = next++;
          const result = await harness.check(plans[index]!, { delta: deltaFor(index) });
          for (const outcome of result.outcomes) {
            if (outcome.sealed) sealed++;
            else {
              refused++;
              const why = (outcome.refusal ?? '')
                .replace(/id\.[0-9a-f]{8}\.[0-9a-f]{5}/g, '…')
                .replace(/partner-(one|two)/g, 'the partner')
                .slice(0, 120);
              refusals.set(why, (refusals.get(why) ?? 0) + 1);
            }
          }
          if (result.leaks.length > 0) leakingCases++;
          for (const leak of result.leaks) {
            const key = leakClass(leak);
            classes.set(key, (classes.get(key) ?? 0) + 1);
          }
          done++;
          if (done % 100 === 0 || done === plans.length) {
            const rate = (Date.now() - started) / done;
            log(
              `canary: ${done}/${plans.length} cases, ${leakingCases} leaking, ${rate.toFixed(0)} ms/case`,
            );
          }
        }
      }),
    );
  } finally {
    await Promise.all(harnesses.map((h) => h.close()));
  }

  let minimal: string | null = null;
  if (leakingCases > 0 && (options.shrink ?? true)) {
    const harness = await CanaryHarness.create({ recycleEvery: 50, lane: 15 });
    // Shrink with the delta on whenever the counting phase sealed deltas at all.
    const delta = deltaEvery > 0;
    try {
      let last: { plan: CasePlan; result: CaseResult } | null = null;
      const details = await fc.check(
        fc.asyncProperty(casePlan, async (plan) => {
          const result = await harness.check(plan, { delta });
          if (result.leaks.length > 0) {
            last = { plan, result };
            return false;
          }
          return true;
        }),
        {
          seed: options.seed,
          numRuns: options.cases,
          interruptAfterTimeLimit: options.shrinkMs ?? 180_000,
        },
      );
      const counterexample = details.counterexample?.[0];
      if (counterexample) {
        // Re-run the minimal case so the printout shows exactly its leaks.
        const result = await harness.check(counterexample, { delta });
        minimal = printCase(counterexample, result);
      } else if (last) {
        const found: { plan: CasePlan; result: CaseResult } = last;
        minimal = printCase(found.plan, found.result);
      }
    } finally {
      await harness.close();
    }
  }
  return {
    cases: plans.length,
    leakingCases,
    classes,
    bundlesSealed: sealed,
    bundlesRefused: refused,
    refusals,
    minimal,
  };
}
