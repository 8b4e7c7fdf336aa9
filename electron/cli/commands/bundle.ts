/**
 * `tessera bundle seal | open | verify`: signed, age-encrypted bundles of a case export.
 * On seal, the case file's inline attachments (base64) become separate streamed parts named
 * `att-000001`…, in the order of `attachments`, and the operations part is the case file with each
 * `contentBase64` emptied; open puts them back after every check has passed. See
 * docs/bundle-format.md.
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type CaseFile, parseCaseFile } from '../../../shared/caseFile.ts';
import { type IdentityCard, parseIdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { openBundle, sealBundle, verifyBundle } from '../../services/bundle/index.ts';
import { sweepPartials, writeViaPartial } from '../../services/files/partialFile.ts';
import { IdentityStore } from '../../services/identity/index.ts';
import { type CliCommand, UsageError } from '../types.ts';
import { passphraseFromEnv } from './identity.ts';

const USAGE = [
  'usage: tessera bundle seal --dir DIR --to CARD.json [--to CARD.json …] --in CASE.json --out FILE',
  '                           [--sequence N] [--previous DIGEST] [--policy-version V]',
  '       tessera bundle open --dir DIR --from CARD.json FILE --out CASE.json',
  '       tessera bundle verify --from CARD.json FILE',
].join('\n');

function attachmentPartName(index: number): string {
  return `att-${String(index + 1).padStart(6, '0')}`;
}

async function readCard(file: string): Promise<IdentityCard> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new Error(`cannot read identity card ${file}`);
  }
  try {
    return parseIdentityCard(text);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

function one(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`missing --${name}\n${USAGE}`);
  return value;
}

function hlcRange(file: CaseFile): { from: string; to: string } | null {
  const stamps = [
    file.case,
    ...file.entities,
    ...file.notes,
    ...file.attachments,
    ...file.notices,
    ...file.charts,
  ]
    .map((record) => record.updatedAt)
    .sort();
  return stamps.length > 0 ? { from: stamps[0], to: stamps.at(-1)! } : null;
}

async function seal(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: 'string' },
      to: { type: 'string', multiple: true },
      in: { type: 'string' },
      out: { type: 'string' },
      sequence: { type: 'string' },
      previous: { type: 'string' },
      'policy-version': { type: 'string' },
    },
    strict: true,
  });
  const dir = one(values.dir, 'dir');
  const input = one(values.in, 'in');
  const out = path.resolve(one(values.out, 'out'));
  if (!values.to?.length) throw new UsageError(`at least one --to CARD.json is needed\n${USAGE}`);
  const sequence = values.sequence === undefined ? 1 : Number(values.sequence);
  if (!Number.isInteger(sequence) || sequence < 1)
    throw new UsageError('--sequence must be a positive integer');
  if (values.previous !== undefined && !/^[0-9a-f]{64}$/.test(values.previous)) {
    throw new UsageError('--previous must be a bundle digest (64 hex digits)');
  }
  const recipients = await Promise.all(values.to.map(readCard));
  const caseFile = parseCaseFile(await fs.readFile(input, 'utf8'));
  const attachments = caseFile.attachments.map((record, index) => {
    const bytes = Buffer.from(record.contentBase64, 'base64');
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== record.size || sha256 !== record.sha256) {
      throw new Error(
        `attachment ${record.id} (${record.fileName}): content does not match its size and SHA-256`,
      );
    }
    return { name: attachmentPartName(index), label: record.id, bytes };
  });
  const operations = Buffer.from(
    JSON.stringify({
      ...caseFile,
      attachments: caseFile.attachments.map((a) => ({ ...a, contentBase64: '' })),
    }),
  );
  const identity = await new IdentityStore(path.resolve(dir), passphraseFromEnv()).unlock();
  const chain = Object.fromEntries(
    recipients.map((card) => [
      card.agencyId,
      { sequence, previousBundleDigest: values.previous ?? null },
    ]),
  );
  const result = await sealBundle({
    identity,
    recipients,
    manifestFields: {
      caseId: caseFile.case.id,
      policyVersion: values['policy-version'] ?? 'none',
      hlcRange: hlcRange(caseFile),
      chain,
    },
    operations,
    attachments,
    out,
  });
  console.log(
    `sealed bundle ${result.bundleId} (${result.size} bytes) to ${recipients.map((r) => r.agencyId).join(', ')}`,
  );
  console.log(`bundle digest: ${result.bundleDigest}`);
  return 0;
}

async function open(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { dir: { type: 'string' }, from: { type: 'string' }, out: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const dir = one(values.dir, 'dir');
  const out = path.resolve(one(values.out, 'out'));
  if (positionals.length !== 1) throw new UsageError(`one bundle FILE is needed\n${USAGE}`);
  const sender = await readCard(one(values.from, 'from'));
  const identity = await new IdentityStore(path.resolve(dir), passphraseFromEnv()).unlock();
  // Partial outputs of an earlier `bundle open` killed halfway (issue 8, finding 8).
  await sweepPartials(path.dirname(out));
  // Without an outDir the attachments stay encrypted in a scratch space until dispose().
  const opened = await openBundle(positionals[0], identity, sender);
  try {
    const caseFile = parseCaseFile(opened.operations.toString('utf8'));
    if (caseFile.case.id !== opened.manifest.caseId)
      throw new Error('the case in the bundle is not the manifest case');
    if (opened.attachments.length !== caseFile.attachments.length) {
      throw new Error('the bundle has a different number of attachments than its case file');
    }
    const attachments = await Promise.all(
      caseFile.attachments.map(async (record, index) => {
        const part = opened.attachments[index];
        if (
          part.name !== attachmentPartName(index) ||
          part.sha256 !== record.sha256 ||
          part.size !== record.size
        ) {
          throw new Error(`attachment ${record.id} does not match its bundle part`);
        }
        const chunks: Buffer[] = [];
        for await (const chunk of opened.readAttachment(part.name)) chunks.push(chunk);
        return { ...record, contentBase64: Buffer.concat(chunks).toString('base64') };
      }),
    );
    const text = `${JSON.stringify({ ...caseFile, attachments }, null, 2)}\n`;
    parseCaseFile(text);
    await writeViaPartial(out, text, { overwrite: true });
  } finally {
    await opened.dispose();
  }
  console.log(
    `opened bundle ${opened.bundleId} from ${sender.agencyName} (${sender.agencyId}): case ${opened.manifest.caseId} → ${out}`,
  );
  return 0;
}

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { from: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError(`one bundle FILE is needed\n${USAGE}`);
  const sender = await readCard(one(values.from, 'from'));
  const verified = await verifyBundle(positionals[0], sender);
  console.log(
    `authentic: bundle ${verified.bundleId} from ${sender.agencyName} (${sender.agencyId}, key ${verified.signerKeyId}), intact; digest ${verified.bundleDigest}`,
  );
  return 0;
}

export const bundleCommand: CliCommand = {
  summary: 'seal, open and verify signed, encrypted exchange bundles',
  async run(args) {
    const [sub, ...rest] = args;
    try {
      if (sub === 'seal') return await seal(rest);
      if (sub === 'open') return await open(rest);
      if (sub === 'verify') return await verify(rest);
      throw new UsageError(USAGE);
    } catch (error) {
      if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
        console.error(`tessera bundle: ${error.message}`);
        return 2;
      }
      throw error;
    }
  },
};
