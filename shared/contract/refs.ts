/**
 * References to files the Node side keeps for the renderer (issue 9): tagged objects, parsed by zod
 * at the boundary, never strings with a prefix that each reader splits again.
 *
 * - BundleRef: a received bundle waiting for review, either handed in by the user (an upload or a
 *   file chosen in a dialog, kept under `exchange/imports/<id>.bundle`) or fetched by a transport
 *   into its inbox (`exchange/transports/<transport>/inbox/<name>`).
 * - ExportRef: a sealed bundle or a receipt kept under `<dataDir>/exports/<name>` for file delivery.
 *   It is also a DownloadRef (transfer.ts), so the renderer hands it to `transfer.download.begin`
 *   as it is.
 *
 * Names follow the transports' allow-list (electron/services/transports/transport.ts): no path
 * separators, no traversal, no hidden files.
 */
import { z } from 'zod';

const hex16 = z.string().regex(/^[0-9a-f]{16}$/, 'invalid id');
/** A plain file name kept by the service (never a path). */
const storedNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'invalid file name')
  .refine((name) => !name.includes('..'), 'invalid file name');

export const bundleRefSchema = z.discriminatedUnion('kind', [
  /** Handed in through exchange.import.fromFile. */
  z.object({ kind: z.literal('handed-in'), id: hex16 }).strict(),
  /** Fetched by the transport `transport` (its key) into its inbox as `name`. */
  z.object({ kind: z.literal('inbox'), transport: hex16, name: storedNameSchema }).strict(),
]);
export type BundleRef = z.infer<typeof bundleRefSchema>;

export const exportRefSchema = z
  .object({ kind: z.literal('export'), name: storedNameSchema })
  .strict();
export type ExportRef = z.infer<typeof exportRefSchema>;

/**
 * One string per bundle reference, for maps, React keys and test ids. A key is only ever compared,
 * never parsed back: the reference itself travels as the object.
 */
export function bundleRefKey(ref: BundleRef): string {
  return ref.kind === 'handed-in' ? `f.${ref.id}` : `t.${ref.transport}.${ref.name}`;
}
