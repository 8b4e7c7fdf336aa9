/**
 * What the lock screens say about a failed unlock, chosen by the error's code (never its wording),
 * and the countdown of the growing wait after five wrong tries (the vault persists `retryAt`, so
 * a reload does not reset it).
 */

/** The vault's failed tries before it starts making the user wait. */
export const FREE_ATTEMPTS = 5;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export type UnlockAttempt = 'passphrase' | 'recovery-key' | 'keystore';

/** One sentence for a failed unlock, chosen by the error code. */
export function unlockFailureMessage(error: unknown, attempt: UnlockAttempt): string {
  switch (codeOf(error)) {
    case 'wrong-passphrase':
      return attempt === 'recovery-key'
        ? 'That recovery key does not open this store. Check each group of letters and digits.'
        : 'That passphrase is not right. Nothing was unlocked.';
    case 'wrong-recovery-key':
    case 'bad-recovery-key':
      return 'That recovery key does not open this store. Check each group of letters and digits.';
    case 'retry-later':
      return 'Too many wrong tries: wait until the countdown ends, then try again.';
    case 'keystore-unavailable':
    case 'keystore-refused':
      return "This computer's keyring could not unlock the store. Use the passphrase or the recovery key.";
    case 'tampered':
      return 'The key store on this computer has been altered; it cannot be opened with this key.';
    default:
      return `Unlocking failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Whole seconds left of the wait, 0 when none. */
export function secondsToWait(retryAt: number | null, now: number): number {
  if (retryAt === null) return 0;
  return Math.max(0, Math.ceil((retryAt - now) / 1000));
}

/** "45 s", "3 min 05 s", "2 h 00 min" */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  }
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} min`;
}

/** The line under the passphrase field after wrong tries, or null before the first one. */
export function attemptsNotice(failedAttempts: number): string | null {
  if (failedAttempts <= 0) return null;
  const left = FREE_ATTEMPTS - failedAttempts;
  if (left > 0) {
    return `${failedAttempts} wrong ${failedAttempts === 1 ? 'try' : 'tries'}; after ${left} more, each try has to wait longer.`;
  }
  return `${failedAttempts} wrong tries: each further try has to wait, longer every time.`;
}
