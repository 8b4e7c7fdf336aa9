export * from './app.ts';
export * from './client.ts';
export * from './contract.ts';
export * from './dispatch.ts';
export * from './files.ts';
export * from './keystore.ts';
export * from './settings.ts';
export * from './transfer.ts';
