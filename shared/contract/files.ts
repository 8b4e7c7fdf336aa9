import { z } from 'zod';
import { fileRefSchema } from './transfer.ts';

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
  /**
   * Electron only: the main process opens a native open dialog itself and keeps the chosen path;
   * the renderer gets an opaque reference for exchange.import.fromFile, never the path (issue 8,
   * finding 7). Null when cancelled. The web host has no dialog: it refuses (reason `no-dialog`);
   * upload the file there (transfer.upload.*).
   */
  'files.chooseImport': {
    input: z.object({}).strict(),
    output: z.object({
      chosen: z
        .object({
          ref: fileRefSchema.options[1],
          fileName: z.string(),
        })
        .nullable(),
    }),
  },
} as const;
