import { z } from 'zod';

/** Base64 keeps bytes safe on both carriers (structured clone over IPC, JSON over the WebSocket). */
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');

export const filesMethods = {
  /**
   * Saves bytes where the user chooses: a save dialog in Electron; in the web host, the exports
   * folder of its data directory. Returns the path written, or null when the user cancelled.
   */
  'files.export': {
    input: z
      .object({
        suggestedName: z
          .string()
          .min(1)
          .max(255)
          .refine((name) => !/[\\/]|^\.\.?$/.test(name), 'a file name, not a path'),
        contentBase64: base64,
      })
      .strict(),
    output: z.object({ path: z.string().nullable() }),
  },
} as const;
