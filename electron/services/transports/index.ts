export type {
  GetOptions,
  MailboxEntry,
  ProbeResult,
  ProbeStatus,
  ProgressListener,
  PutOptions,
  PutResult,
  TransferProgress,
  Transport,
  TransportDescription,
  TransportErrorCode,
  TransportSource,
} from './transport.ts';
export {
  ACKNOWLEDGED_FOLDER,
  TransportError,
  isTransportError,
  isValidName,
  validateMailbox,
  validateName,
} from './transport.ts';
export type { FileTransportDeps } from './fileTransport.ts';
export { FileTransport } from './fileTransport.ts';
export type { FolderTransportConfig } from './folderTransport.ts';
export { FolderTransport, mailboxFolderName } from './folderTransport.ts';
export type { S3TransportConfig } from './s3Transport.ts';
export { S3Transport } from './s3Transport.ts';
export type {
  TransportConfig,
  TransportConfigInput,
  TransportHostDeps,
  TransportKind,
} from './registry.ts';
export {
  createTransport,
  redactTransportConfig,
  transportConfigSchema,
  transportKinds,
} from './registry.ts';
