/**
 * Getting a page past the lock screens of issue 10; apart from index.ts so that scripts outside
 * the test runner (the storage benchmark) can use it without importing vitest.
 */
import type { Page } from 'playwright-core';

/**
 * The passphrase the harness sets up on each fresh profile (issue 10: nothing of a case is shown
 * before the store is set up and unlocked). Strong enough for the floor of
 * shared/exchange/passphrase.ts; hosts started here use a cheap Argon2id (`testing.fastKdf`).
 */
export const TEST_PASSPHRASE = 'velvet orbit quarry lantern 42';

/**
 * Gets a page past the lock screens: sets the harness passphrase up on a fresh profile (and
 * confirms the recovery key), or unlocks with it; returns at once when the workbench shows (the
 * unencrypted control store has no lock screens).
 */
export async function passLockScreens(page: Page, passphrase = TEST_PASSPHRASE): Promise<void> {
  const setup = page.getByTestId('vault-setup');
  const unlock = page.getByTestId('vault-unlock');
  const workbench = page.getByTestId('open-settings');
  const failed = page.locator('.app-boot-error');
  await setup.or(unlock).or(workbench).or(failed).first().waitFor({ timeout: 60_000 });
  if (await failed.isVisible()) {
    throw new Error(`the app did not start: ${await failed.innerText()}`);
  }
  if (await setup.isVisible()) {
    await page.getByTestId('setup-passphrase').fill(passphrase);
    await page.getByTestId('setup-passphrase-repeat').fill(passphrase);
    await page.getByTestId('setup-submit').click();
    await page.getByTestId('recovery-key-written').check({ timeout: 60_000 });
    await page.getByTestId('recovery-key-done').click();
  } else if (await unlock.isVisible()) {
    await page.getByTestId('unlock-secret').fill(passphrase);
    await page.getByTestId('unlock-submit').click();
  }
  await workbench.waitFor({ timeout: 60_000 });
}
