/**
 * The exchange screens' side of chunked transfer (issue 8, finding 6): attachments are uploaded
 * piece by piece before sealing and the case file carries only their references, and a progress
 * line shows how far an upload or download got.
 */
import type { CaseRecords } from '../../shared/caseFile.ts';
import type { ServiceApi } from '../../shared/contract/contract.ts';
import type { ExchangeCaseFile } from '../../shared/contract/exchange.ts';
import type { UploadRef } from '../../shared/contract/transfer.ts';
import { uploadBlob, type TransferProgress } from '../platform/serviceClient.ts';

/**
 * Uploads every attachment's content (read with `readBlob`, which checks its SHA-256) and returns
 * the case file with a `contentRef` on each attachment, plus `release` to drop the uploads
 * once sealed (the service also drops them when idle).
 */
export async function withUploadedAttachments(
  services: ServiceApi,
  file: CaseRecords,
  readBlob: (attachmentId: string) => Promise<Blob>,
  onProgress?: (progress: TransferProgress) => void,
): Promise<{ caseFile: ExchangeCaseFile; release: () => Promise<void> }> {
  const total = file.attachments.reduce((sum, a) => sum + a.size, 0);
  const refs: UploadRef[] = [];
  const release = async () => {
    for (const ref of refs) {
      await services['transfer.upload.cancel']({ uploadId: ref.uploadId }).catch(() => undefined);
    }
  };
  let before = 0;
  const attachments: ExchangeCaseFile['attachments'] = [];
  try {
    for (const record of file.attachments) {
      const blob = await readBlob(record.id);
      const ref = await uploadBlob(
        services,
        blob,
        'attachment',
        (p) => onProgress?.({ done: before + p.done, total }),
        { fileName: record.fileName, sha256: record.sha256 },
      );
      refs.push(ref);
      before += record.size;
      attachments.push({ ...record, contentRef: ref });
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { caseFile: { ...file, attachments }, release };
}

/** "Uploading… 42 % (12.0 of 28.5 MiB)" with a progress bar; nothing when idle. */
export function TransferProgressLine({
  label,
  progress,
}: {
  readonly label: string;
  readonly progress: TransferProgress | null;
}) {
  if (!progress) return null;
  const mib = (n: number) => (n / (1024 * 1024)).toFixed(1);
  const percent = progress.total > 0 ? Math.floor((progress.done / progress.total) * 100) : 100;
  return (
    <p className="exchange-progress" role="status" data-testid="transfer-progress">
      <progress max={Math.max(progress.total, 1)} value={progress.done} /> {label} {percent} % (
      {mib(progress.done)} of {mib(progress.total)} MiB)
    </p>
  );
}
