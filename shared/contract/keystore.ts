import { z } from 'zod';

/** Base64 keeps bytes safe on both carriers (structured clone over IPC, JSON over the WebSocket). */
const base64 = (maxChars: number) =>
  z
    .string()
    .max(maxChars)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');

/**
 * The OS keystore (issue 10): Electron's `safeStorage` wraps the case store's data key so that
 * the app can unlock without the passphrase on this computer, for this OS user. Only where the
 * backend is a real keyring (never `basic_text`); the web host has none and answers
 * `available: false` and refuses wrap/unwrap with reason `keystore-unavailable`.
 */
export const keystoreMethods = {
  'keystore.status': {
    input: z.object({}).strict(),
    output: z.object({ available: z.boolean() }),
  },
  /** A key of at most 64 bytes in, the keyring's opaque blob out. */
  'keystore.wrap': {
    input: z.object({ secretBase64: base64(88) }).strict(),
    output: z.object({ wrappedBase64: base64(4096) }),
  },
  'keystore.unwrap': {
    input: z.object({ wrappedBase64: base64(4096) }).strict(),
    output: z.object({ secretBase64: base64(88) }),
  },
} as const;
