export { Downloads, type DownloadSource, type ResolveDownload } from './downloads.ts';
export { TransferError } from './errors.ts';
export { copyCapped, openRegularFile } from './regularFile.ts';
export {
  DEFAULT_TRANSFER_LIMITS,
  TransferService,
  type ChooseOpenPath,
  type TransferLimits,
  type TransferServiceOptions,
} from './transferService.ts';
