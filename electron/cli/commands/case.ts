/**
 * `tessera case demo --out CASE.json [--agency ID] [--now ISO-TIME]`: writes the synthetic demo
 * case as a case file. The file is written to a temporary name beside the target and renamed, so
 * a failure never leaves a partial file.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createDemoCase } from '../../../shared/demo/demoCase.ts';
import type { CliCommand } from './types.ts';
import { UsageError } from './types.ts';

const USAGE = 'usage: tessera case demo --out CASE.json [--agency AGENCY-ID] [--now ISO-TIME]';

function parseOptions(args: string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    const match = /^--(out|agency|now)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unknown argument '${arg}'\n${USAGE}`);
    const value = match[2] ?? args[++i];
    if (value === undefined || value === '')
      throw new UsageError(`--${match[1]} needs a value\n${USAGE}`);
    options.set(match[1], value);
  }
  return options;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot write ${path}: ${code}`);
  }
}

async function demo(args: string[]): Promise<number> {
  const options = parseOptions(args);
  const out = options.get('out');
  if (!out) throw new UsageError(`--out is required\n${USAGE}`);
  const agencyId = options.get('agency') ?? 'demo-agency';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(agencyId))
    throw new UsageError(`invalid agency id '${agencyId}'`);
  const nowText = options.get('now');
  const now = nowText ? new Date(nowText) : new Date();
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now: '${nowText}' is not a date/time`);
  const file = createDemoCase({ agencyId, now });
  await writeAtomically(out, `${JSON.stringify(file, null, 2)}\n`);
  console.log(
    `wrote ${out}: case ${file.case.reference}, ${file.entities.length} entities and relationships, ` +
      `${file.attachments.length} attachments`,
  );
  return 0;
}

export const caseCommand: CliCommand = {
  summary: 'case files: `case demo --out CASE.json` writes the synthetic demo case',
  async run(args) {
    const [sub, ...rest] = args;
    try {
      if (sub === 'demo') return await demo(rest);
      throw new UsageError(sub ? `unknown subcommand '${sub}'\n${USAGE}` : USAGE);
    } catch (error) {
      if (error instanceof UsageError) {
        console.error(`tessera case: ${error.message}`);
        return 2;
      }
      throw error;
    }
  },
};
