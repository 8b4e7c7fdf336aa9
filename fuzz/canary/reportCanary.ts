/**
 * The canary leak test on reports (issue 12): the generated cases of the release-control canary
 * (plan.ts, materialize.ts) are written as partner reports — the case summary with its audit
 * appendix as PDF and DOCX, the disclosure schedule as XLSX — and everything the partner could
 * read is searched for every canary and id the oracle (oracle.ts, written without the policy)
 * forbids: the PDF's text as poppler's `pdftotext` reads it and its metadata (`pdfinfo`), and
 * every XML part of the DOCX and XLSX (`unzip -p`).
 *
 * PDF text is laid out: a long value may be wrapped inside a table cell. White space is therefore
 * taken out of both the text and the needles before searching (canaries and ids have none).
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildReport } from '../../shared/report/build.ts';
import type { ReportFormat, ReportTemplate } from '../../shared/report/types.ts';
import { ReportError } from '../../shared/report/types.ts';
import { writeReport } from '../../shared/report/write.ts';
import { nodePdfEngine } from '../../electron/services/report/pdfEngine.ts';
import { AGREEMENTS } from './harness.ts';
import { materialize } from './materialize.ts';
import type { Forbidden } from './oracle.ts';
import { Oracle } from './oracle.ts';
import type { CasePlan } from './plan.ts';
import { casePlan, OWN, PARTNERS } from './plan.ts';

export interface ReportLeak {
  readonly partner: string;
  readonly format: ReportFormat;
  readonly forbidden: Forbidden;
}

export interface ReportCaseResult {
  readonly leaks: readonly ReportLeak[];
  /** Reports written and searched. */
  readonly written: number;
  /** Refusals by code (`case-withheld`, `mention`): nothing was written, so nothing to search. */
  readonly refused: readonly string[];
}

/** What a partner can read in a written report, as one text. */
export function readableText(format: ReportFormat, bytes: Uint8Array): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-report-canary-'));
  try {
    const file = path.join(dir, `report.${format}`);
    writeFileSync(file, bytes);
    const run = (command: string, args: string[]): string => {
      const result = spawnSync(command, args, { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024 });
      if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
      return result.stdout;
    };
    if (format === 'pdf') {
      return [
        run('pdftotext', ['-enc', 'UTF-8', file, '-']),
        run('pdfinfo', ['-enc', 'UTF-8', file]),
      ].join('\n');
    }
    return run('unzip', ['-p', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const squeeze = (text: string): string => text.replace(/\s+/g, '');

const WRITTEN: readonly { template: ReportTemplate; format: ReportFormat }[] = [
  { template: 'case', format: 'pdf' },
  { template: 'case', format: 'docx' },
  { template: 'schedule', format: 'xlsx' },
];

/** Writes the partner reports of one generated case and searches them. */
export async function checkReportCase(plan: CasePlan, salt: string): Promise<ReportCaseResult> {
  const m = materialize(plan, salt);
  const leaks: ReportLeak[] = [];
  const refused: string[] = [];
  let written = 0;
  for (const partner of PARTNERS) {
    const agreement = AGREEMENTS[partner];
    const forbidden = new Oracle(m.file, partner, agreement).forbidden(m.canaries);
    for (const { template, format } of WRITTEN) {
      let bytes: Uint8Array;
      try {
        const doc = buildReport(m.file, {
          template,
          author: 'Canary Author',
          ownAgencyId: OWN,
          now: '2024-05-01T10:00:00.000Z',
          partner: { partnerId: partner, partnerName: `Agency ${partner}`, agreement },
          auditAppendix: true,
          timeZone: 'UTC',
        });
        bytes = await writeReport(doc, format, nodePdfEngine());
      } catch (error) {
        if (error instanceof ReportError) {
          refused.push(error.code);
          continue;
        }
        throw error;
      }
      written++;
      const text = squeeze(readableText(format, bytes));
      for (const item of forbidden) {
        if (text.includes(squeeze(item.value))) leaks.push({ partner, format, forbidden: item });
      }
    }
  }
  return { leaks, written, refused };
}

export interface ReportCanaryResult {
  readonly cases: number;
  readonly leakingCases: number;
  readonly written: number;
  readonly refused: ReadonlyMap<string, number>;
  /** The first leaks found, described for people. */
  readonly examples: readonly string[];
}

/** `cases` generated cases (same seed, same cases as the bundle canary's first ones). */
export async function runReportCanary(options: {
  readonly cases: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
}): Promise<ReportCanaryResult> {
  const plans = fc.sample(casePlan, { numRuns: options.cases, seed: options.seed });
  let leakingCases = 0;
  let written = 0;
  const refused = new Map<string, number>();
  const examples: string[] = [];
  for (const [index, plan] of plans.entries()) {
    const result = await checkReportCase(plan, index.toString(16).padStart(8, '0'));
    written += result.written;
    for (const code of result.refused) refused.set(code, (refused.get(code) ?? 0) + 1);
    if (result.leaks.length > 0) {
      leakingCases++;
      for (const leak of result.leaks.slice(0, 5)) {
        if (examples.length < 20) {
          examples.push(
            `case ${index}: ${leak.format} for ${leak.partner}: ${leak.forbidden.value} (${leak.forbidden.kind} ${leak.forbidden.field}, ${leak.forbidden.rule})`,
          );
        }
      }
    }
    if ((index + 1) % 10 === 0) options.log?.(`report canary: ${index + 1}/${plans.length} cases`);
  }
  return { cases: plans.length, leakingCases, written, refused, examples };
}
