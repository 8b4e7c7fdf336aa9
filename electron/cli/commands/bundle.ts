import type { CliCommand } from '../types.ts';

export const bundleCommand: CliCommand = {
  summary: '(not yet implemented)',
  run() {
    console.error('tessera bundle: not yet implemented');
    return Promise.resolve(2);
  },
};
