/**
 * Test helpers: move bytes through the `transfer.*` methods as a renderer would, with any `call`
 * that goes through the contract (handlers, dispatch, or a carrier).
 */
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/contract/contract.ts';
import {
  TRANSFER_CHUNK_BYTES,
  type DownloadRef,
  type UploadPurpose,
  type UploadRef,
} from '../../../shared/contract/transfer.ts';

export type ContractCall = <M extends MethodName>(
  method: M,
  input: MethodInput<M>,
) => Promise<MethodOutput<M>>;

export async function uploadBytes(
  call: ContractCall,
  bytes: Uint8Array,
  purpose: UploadPurpose,
  fileName = 'upload.bin',
  sha256?: string,
): Promise<UploadRef> {
  const { uploadId } = await call('transfer.upload.begin', {
    purpose,
    fileName,
    size: bytes.length,
    ...(sha256 ? { sha256 } : {}),
  });
  for (let offset = 0; offset < bytes.length; offset += TRANSFER_CHUNK_BYTES) {
    await call('transfer.upload.chunk', {
      uploadId,
      offset,
      contentBase64: Buffer.from(bytes.subarray(offset, offset + TRANSFER_CHUNK_BYTES)).toString(
        'base64',
      ),
    });
  }
  return (await call('transfer.upload.finish', { uploadId })).ref;
}

export async function downloadBytes(
  call: ContractCall,
  ref: DownloadRef,
): Promise<{ bytes: Buffer; fileName: string; sha256: string | null }> {
  const begun = await call('transfer.download.begin', { ref });
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < begun.size) {
    const piece = await call('transfer.download.chunk', {
      downloadId: begun.downloadId,
      offset,
      length: TRANSFER_CHUNK_BYTES,
    });
    const bytes = Buffer.from(piece.contentBase64, 'base64');
    parts.push(bytes);
    offset += bytes.length;
    if (piece.done) break;
  }
  if (begun.size === 0) await call('transfer.download.cancel', { downloadId: begun.downloadId });
  return { bytes: Buffer.concat(parts), fileName: begun.fileName, sha256: begun.sha256 };
}
