/** Encryption at rest (issue 10): pure WebCrypto / @noble / hash-wasm, no platform imports. */
export * from './blindIndex.ts';
export * from './chunks.ts';
export * from './envelope.ts';
export * from './errors.ts';
export * from './keys.ts';
export * from './passphraseKey.ts';
export * from './recoveryKey.ts';
export * from './webCrypto.ts';
