/**
 * `tessera report --in CASE.json --template case|subject|chart|schedule --out FILE
 *  [--for PARTNER-CARD.json --agreement AGREEMENT.json [--author-copy]] [--format pdf|docx|xlsx]
 *  [--entity ID]… [--chart ID] [--audit] [--author NAME] [--agency OWN-ID] [--now ISO-TIME]`
 *
 * The app's report engine (shared/report) from the command line. With `--for`, the report runs the
 * release policy under that partner's sharing agreement, exactly as `tessera bundle seal` does, and
 * the second check over its text before anything is written; `--author-copy` adds the list of what
 * was withheld (never give that copy to the partner). Our own agency is the case file's
 * `exportedBy` unless `--agency` names it. The file is written atomically; a refusal writes nothing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseCaseFile } from '../../../shared/caseFile.ts';
import { parseSharingAgreement } from '../../../shared/exchange/agreement.ts';
import { parseIdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { buildReport } from '../../../shared/report/build.ts';
import { writeReport } from '../../../shared/report/write.ts';
import type { ReportFormat, ReportPartner, ReportTemplate } from '../../../shared/report/types.ts';
import {
  REPORT_FORMATS,
  REPORT_TEMPLATE_NAMES,
  ReportError,
} from '../../../shared/report/types.ts';
import { writeFileAtomic } from '../../services/files/atomicWrite.ts';
import { nodePdfEngine } from '../../services/report/pdfEngine.ts';
import type { CliCommand } from './types.ts';
import { UsageError } from './types.ts';

const USAGE = [
  'usage: tessera report --in CASE.json --template case|subject|chart|schedule --out FILE',
  '         [--for PARTNER-CARD.json --agreement AGREEMENT.json [--author-copy]]',
  '         [--format pdf|docx|xlsx] [--entity ID]… [--chart ID] [--audit]',
  '         [--author NAME] [--agency OWN-AGENCY-ID] [--now ISO-TIME]',
  'With --for the report holds only what the release policy lets go to that partner.',
].join('\n');

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new Error(`cannot read ${what} ${file}`);
  }
}

function formatOf(explicit: string | undefined, out: string): ReportFormat {
  const name = explicit ?? path.extname(out).slice(1).toLowerCase();
  if ((REPORT_FORMATS as readonly string[]).includes(name)) return name as ReportFormat;
  throw new UsageError(
    explicit
      ? `--format must be one of ${REPORT_FORMATS.join(', ')}\n${USAGE}`
      : `name the format with --format (pdf, docx, xlsx) or give --out one of those extensions\n${USAGE}`,
  );
}

async function partnerOf(card: string, agreementFile: string): Promise<ReportPartner> {
  let identity;
  try {
    identity = parseIdentityCard(await readText(card, 'partner card'));
  } catch (error) {
    throw new Error(`${card}: ${(error as Error).message}`);
  }
  let agreement;
  try {
    agreement = parseSharingAgreement(
      JSON.parse(await readText(agreementFile, 'sharing agreement')),
    );
  } catch (error) {
    throw new Error(`${agreementFile}: ${(error as Error).message}`);
  }
  if (agreement.partnerAgencyId !== identity.agencyId) {
    throw new UsageError(
      `${agreementFile} is an agreement with ${agreement.partnerAgencyId}, not with ${identity.agencyId} (${card})`,
    );
  }
  return { partnerId: identity.agencyId, partnerName: identity.agencyName, agreement };
}

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      in: { type: 'string' },
      out: { type: 'string' },
      template: { type: 'string' },
      for: { type: 'string' },
      agreement: { type: 'string' },
      'author-copy': { type: 'boolean' },
      format: { type: 'string' },
      entity: { type: 'string', multiple: true },
      chart: { type: 'string' },
      audit: { type: 'boolean' },
      author: { type: 'string' },
      agency: { type: 'string' },
      now: { type: 'string' },
    },
    strict: true,
  });
  if (!values.in || !values.out || !values.template) {
    throw new UsageError(`--in, --template and --out are required\n${USAGE}`);
  }
  const template = values.template;
  if (!(REPORT_TEMPLATE_NAMES as readonly string[]).includes(template)) {
    throw new UsageError(`--template must be one of ${REPORT_TEMPLATE_NAMES.join(', ')}\n${USAGE}`);
  }
  if ((values.for === undefined) !== (values.agreement === undefined)) {
    throw new UsageError(`--for PARTNER-CARD.json needs its --agreement AGREEMENT.json\n${USAGE}`);
  }
  if (values['author-copy'] && !values.for) {
    throw new UsageError(`--author-copy goes with --for: our own copy withholds nothing\n${USAGE}`);
  }
  const out = path.resolve(values.out);
  const format = formatOf(values.format, out);
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime()))
    throw new UsageError(`--now: '${values.now}' is not a date/time`);
  const caseFile = parseCaseFile(await readText(values.in, 'case file'));
  const partner = values.for ? await partnerOf(values.for, values.agreement!) : undefined;
  const doc = buildReport(caseFile, {
    template: template as ReportTemplate,
    author: values.author ?? caseFile.case.leadInvestigator,
    ownAgencyId: values.agency ?? caseFile.exportedBy,
    now: now.toISOString(),
    ...(partner ? { partner, authorCopy: values['author-copy'] === true } : {}),
    ...(values.entity ? { entityIds: values.entity } : {}),
    ...(values.chart ? { chartId: values.chart } : {}),
    auditAppendix: values.audit === true,
  });
  const bytes = await writeReport(doc, format, nodePdfEngine());
  await writeFileAtomic(out, bytes);
  console.log(
    `wrote ${values.out}: ${doc.title}, ${doc.audience}; ${doc.schedule.length} items, highest marking ${doc.highest.classification} TLP:${doc.highest.tlp}`,
  );
  return 0;
}

export const reportCommand: CliCommand = {
  summary:
    'reports: `report --in CASE.json --template case --out FILE.pdf [--for CARD --agreement FILE]`',
  async run(args) {
    try {
      return await run(args);
    } catch (error) {
      if (error instanceof UsageError) {
        console.error(`tessera report: ${error.message}`);
        return 2;
      }
      if (error instanceof ReportError) {
        console.error(`tessera report: nothing written (${error.code}): ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
