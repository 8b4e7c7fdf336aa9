import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  assertStrongPassphrase,
  DEFAULT_SCRYPT,
  exportAgeSecretKey,
  fingerprintOf,
  IdentityError,
  IdentityStore,
  MAX_SCRYPT_LOG_N,
  PassphraseProtector,
  raisedScrypt,
} from '../../services/identity/index.ts';
import { type CliCommand, UsageError } from './types.ts';

const USAGE = [
  'usage: tessera identity create --name NAME --dir DIR [--id AGENCY_ID]',
  '       tessera identity export-age-key --dir DIR',
  '       tessera identity show --dir DIR',
  'The secrets are protected by the passphrase in the environment variable TESSERA_PASSPHRASE.',
].join('\n');

function passphraseFromEnvironment(): string {
  const value = process.env['TESSERA_PASSPHRASE'];
  if (!value)
    throw new UsageError('set the passphrase in the environment variable TESSERA_PASSPHRASE');
  return value;
}

/**
 * The scrypt cost of newly written secret files. TESSERA_SCRYPT_LOGN (17–22) can raise it, never
 * lower it below the documented 2^17 (issue 8, finding 10): a lower value is ignored (`lowered`).
 */
function scryptFromEnv(): ReturnType<typeof raisedScrypt> {
  const raw = process.env['TESSERA_SCRYPT_LOGN'];
  const requested = raw === undefined || raw === '' ? undefined : Number(raw);
  if (requested !== undefined && (!Number.isInteger(requested) || requested > MAX_SCRYPT_LOG_N)) {
    throw new UsageError(
      `TESSERA_SCRYPT_LOGN must be an integer from ${DEFAULT_SCRYPT.logN} to ${MAX_SCRYPT_LOG_N}`,
    );
  }
  return raisedScrypt(requested);
}

/** The passphrase protector of the CLI; reading uses the cost stored in the file. */
export function passphraseFromEnv(): PassphraseProtector {
  return new PassphraseProtector(passphraseFromEnvironment, scryptFromEnv().params);
}

function requireOption(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || !value) throw new UsageError(`missing --${name}\n${USAGE}`);
  return value;
}

async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, dir: { type: 'string' }, id: { type: 'string' } },
    strict: true,
  });
  switch (sub) {
    case 'create': {
      const name = requireOption(values, 'name');
      const dir = path.resolve(requireOption(values, 'dir'));
      // The floor applies when a passphrase is chosen; unlocking later never checks it again.
      assertStrongPassphrase(passphraseFromEnvironment(), [
        name,
        ...(values.id ? [values.id] : []),
      ]);
      if (scryptFromEnv().lowered) {
        console.warn(
          `tessera identity: TESSERA_SCRYPT_LOGN below ${DEFAULT_SCRYPT.logN} is ignored: new secret files use at least the documented cost`,
        );
      }
      const store = new IdentityStore(dir, passphraseFromEnv());
      const card = await store.create({
        agencyName: name,
        ...(values.id ? { agencyId: values.id } : {}),
      });
      const fingerprint = fingerprintOf(card);
      console.log(`identity created for ${card.agencyName} (${card.agencyId})`);
      console.log(`card: ${store.cardPath}`);
      console.log(`key id: ${card.keyId}`);
      console.log(`fingerprint: ${fingerprint.hex}`);
      console.log(`fingerprint words: ${fingerprint.words}`);
      return 0;
    }
    case 'export-age-key': {
      const dir = path.resolve(requireOption(values, 'dir'));
      const identity = await new IdentityStore(dir, passphraseFromEnv()).unlock();
      console.log(exportAgeSecretKey(identity));
      return 0;
    }
    case 'show': {
      const dir = path.resolve(requireOption(values, 'dir'));
      const card = await new IdentityStore(dir, passphraseFromEnv()).loadCard();
      const fingerprint = fingerprintOf(card);
      console.log(`${card.agencyName} (${card.agencyId})`);
      console.log(`key id: ${card.keyId}`);
      console.log(`age recipient: ${card.ageRecipient}`);
      console.log(`fingerprint: ${fingerprint.hex}`);
      console.log(`fingerprint words: ${fingerprint.words}`);
      if (card.revocation)
        console.log(`REVOKED (${card.revocation.reason}) on ${card.revocation.at}`);
      return 0;
    }
    default:
      throw new UsageError(USAGE);
  }
}

export const identityCommand: CliCommand = {
  summary: 'create an agency identity, show it, export its age key',
  async run(args) {
    try {
      return await run(args);
    } catch (error) {
      if (
        error instanceof UsageError ||
        (error instanceof IdentityError && error.code === 'weak-passphrase') ||
        (error instanceof TypeError && 'code' in error)
      ) {
        console.error(`tessera identity: ${error.message}`);
        return 2;
      }
      throw error;
    }
  },
};
