export { BundleError, type BundleErrorCode } from './errors.ts';
export {
  openBundle,
  type OpenedAttachment,
  type OpenedBundle,
  type OpenOptions,
  verifyBundle,
  type VerifiedBundle,
  type VerifyOptions,
} from './open.ts';
export {
  type ChainPosition,
  type ManifestFields,
  sealBundle,
  type SealAttachment,
  type SealOptions,
  type SealResult,
} from './seal.ts';
