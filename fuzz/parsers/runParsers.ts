/**
 * Runs `inputs` mutated inputs through every target (targets.ts) and collects findings:
 *   crash        — something other than the target's documented error was thrown;
 *   hang         — one input took longer than `hangMs`: a synchronous parser is run through
 *                  `vm` with a timeout, whose watchdog interrupts even an endless loop; an
 *                  asynchronous one (openBundle) races a timer;
 *   partial write — a rejected bundle left a file in the temporary or output folder.
 * Each finding keeps its input (base64) so that it can be replayed.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import vm from 'node:vm';
import path from 'node:path';
import { useLocalCryptoThreads } from '../../electron/services/bundle/cryptoWorker.ts';
import { mutate } from './mutate.ts';
import type { Target } from './targets.ts';
import { buildTargets } from './targets.ts';

export interface Finding {
  readonly target: string;
  readonly kind: 'crash' | 'hang' | 'partial write';
  readonly index: number;
  readonly detail: string;
  readonly inputBase64: string;
}

export interface TargetSummary {
  readonly name: string;
  readonly inputs: number;
  readonly findings: number;
  readonly ms: number;
  readonly skipped?: string;
}

export interface ParserRunResult {
  readonly inputs: number;
  /** Inputs that crashed, hung or left a partial write. */
  readonly crashes: number;
  readonly findings: readonly Finding[];
  readonly targets: readonly TargetSummary[];
}

export interface ParserRunOptions {
  readonly inputs: number;
  readonly seed: number;
  readonly hangMs?: number;
  /** Only targets whose name contains one of these. */
  readonly only?: readonly string[];
  /** Folder for the inputs of findings (one .b64 file each). */
  readonly findingsDir?: string;
  readonly log?: (line: string) => void;
}

class Timeout extends Error {}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const shown = typeof code === 'string' || typeof code === 'number' ? `(${code})` : '';
    return `${error.constructor.name}${shown}: ${error.message.slice(0, 300)}`;
  }
  return `non-Error thrown: ${String(error).slice(0, 300)}`;
}

/** One realm for every input: the watchdog of `vm` stops whatever runs, in any realm. */
const watchdog = vm.createContext({ go: (): unknown => undefined });

function isVmTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

async function withTimeout(run: () => void | Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    watchdog.go = run;
    let started: unknown;
    try {
      started = vm.runInContext('go()', watchdog, { timeout: ms });
    } catch (error) {
      if (isVmTimeout(error)) throw new Timeout();
      throw error;
    }
    await Promise.race([
      Promise.resolve(started),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Timeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runTarget(
  target: Target,
  options: ParserRunOptions,
  findings: Finding[],
): Promise<TargetSummary> {
  const hangMs = options.hangMs ?? 2000;
  const started = Date.now();
  if (target.external) {
    const result = await target.external(options.inputs, options.seed);
    for (let i = 0; i < result.crashes; i++) {
      findings.push({
        target: target.name,
        kind: 'crash',
        index: i,
        detail: 'reported by the target',
        inputBase64: '',
      });
    }
    return {
      name: target.name,
      inputs: result.inputs,
      findings: result.crashes,
      ms: Date.now() - started,
    };
  }
  let count = 0;
  const inputs = Math.max(1, Math.ceil(options.inputs * (target.share ?? 1)));
  for (let index = 0; index < inputs; index++) {
    const input = mutate(target.seeds, options.seed, target.name, index, { json: target.json });
    const found: Omit<Finding, 'target' | 'index' | 'inputBase64'>[] = [];
    const t0 = Date.now();
    try {
      await withTimeout(() => target.run(input, index), hangMs);
    } catch (error) {
      if (error instanceof Timeout)
        found.push({ kind: 'hang', detail: `no answer in ${hangMs} ms` });
      else if (!target.accepts(error)) found.push({ kind: 'crash', detail: describe(error) });
    }
    const took = Date.now() - t0;
    if (took > hangMs && !found.some((f) => f.kind === 'hang')) {
      found.push({ kind: 'hang', detail: `took ${took} ms (limit ${hangMs} ms)` });
    }
    const left = target.leftovers ? await target.leftovers() : [];
    if (left.length > 0) found.push({ kind: 'partial write', detail: `left ${left.join(', ')}` });
    if (found.length > 0) {
      count++;
      for (const f of found) {
        findings.push({ ...f, target: target.name, index, inputBase64: input.toString('base64') });
      }
    }
  }
  return { name: target.name, inputs, findings: count, ms: Date.now() - started };
}

export async function runParsers(options: ParserRunOptions): Promise<ParserRunResult> {
  const log = options.log ?? (() => undefined);
  // Inputs are small: hashing in this thread beats handing blocks to worker threads.
  useLocalCryptoThreads(true);
  const built = await buildTargets();
  const { targets } = built;
  const findings: Finding[] = [];
  const summaries: TargetSummary[] = [];
  try {
    const chosen = targets.filter(
      (t) => !options.only || options.only.some((name) => t.name.includes(name)),
    );
    for (const target of chosen) {
      const summary = await runTarget(target, options, findings);
      summaries.push(summary);
      log(
        `parsers: ${target.name}: ${summary.findings} of ${summary.inputs} inputs crashed, hung or left files (${(summary.ms / 1000).toFixed(1)} s)`,
      );
    }
    if (!targets.some((t) => t.name === 'WebSocket envelope')) {
      // TODO(issue 8, helper C1): wire in electron/web's fuzzEnvelope once it is on main.
      summaries.push({
        name: 'WebSocket envelope',
        inputs: 0,
        findings: 0,
        ms: 0,
        skipped: 'electron/web exports no fuzzEnvelope yet',
      });
      log('parsers: WebSocket envelope: skipped (electron/web exports no fuzzEnvelope yet)');
    }
  } finally {
    await built.close();
  }
  if (options.findingsDir && findings.length > 0) {
    await mkdir(options.findingsDir, { recursive: true });
    for (const [i, f] of findings.entries()) {
      const name = `${f.target.replace(/\W+/g, '-')}-${f.kind.replace(/\W+/g, '-')}-${f.index}-${i}.b64`;
      await writeFile(path.join(options.findingsDir, name), `${f.detail}\n${f.inputBase64}\n`);
    }
  }
  const inputs = summaries.reduce((n, s) => n + s.inputs, 0);
  const crashes = summaries.reduce((n, s) => n + s.findings, 0);
  return { inputs, crashes, findings, targets: summaries };
}

/** Runs one recorded input (a findings file: detail line, then base64) through the named target. */
export async function replayFinding(targetName: string, file: string): Promise<string> {
  const [, base64 = ''] = (await readFile(file, 'utf8')).split('\n');
  const input = Buffer.from(base64.trim(), 'base64');
  useLocalCryptoThreads(true);
  const built = await buildTargets();
  try {
    const target = built.targets.find((t) => t.name === targetName);
    if (!target) {
      return `no target named ${targetName}; targets: ${built.targets.map((t) => t.name).join(', ')}`;
    }
    try {
      await withTimeout(() => target.run(input, 0), 10_000);
      return `${targetName}: the input was accepted`;
    } catch (error) {
      const verdict =
        error instanceof Timeout
          ? 'HANG'
          : target.accepts(error)
            ? 'rejected as documented'
            : 'CRASH';
      return `${targetName}: ${verdict}: ${describe(error)}`;
    } finally {
      const left = target.leftovers ? await target.leftovers() : [];
      if (left.length > 0) console.error(`left behind: ${left.join(', ')}`);
    }
  } finally {
    await built.close();
  }
}
