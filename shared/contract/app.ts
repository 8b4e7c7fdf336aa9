import { z } from 'zod';

export const appInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** Which carrier serves the contract: the Electron app or the loopback web host. */
  carrier: z.enum(['electron', 'web']),
  platform: z.string(),
  /** Folder where the Node side keeps settings, keys and exports. */
  dataDir: z.string(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

export const appMethods = {
  'app.info': { input: z.object({}).strict(), output: appInfoSchema },
} as const;
