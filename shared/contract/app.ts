import { z } from 'zod';

export const appInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** Which carrier serves the contract: the Electron app or the loopback web host. */
  carrier: z.enum(['electron', 'web']),
  platform: z.string(),
  /** Folder where the Node side keeps settings, keys and exports. */
  dataDir: z.string(),
  /**
   * Test-only switches for the case store (issue 10), present only when a web host was started by
   * the test runner (electron/web/server.ts refuses them otherwise; the CLI and Electron never set
   * them): `fastKdf` lets the e2e harness set up passphrases with a cheap Argon2id, and
   * `unencryptedStore` is the control run of the profile-scan test (no encryption at all).
   */
  testing: z.object({ fastKdf: z.boolean(), unencryptedStore: z.boolean() }).strict().optional(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

export const appMethods = {
  'app.info': { input: z.object({}).strict(), output: appInfoSchema },
} as const;
