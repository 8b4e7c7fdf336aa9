import type { CliCommand } from '../types.ts';

export const identityCommand: CliCommand = {
  summary: '(not yet implemented)',
  run() {
    console.error('tessera identity: not yet implemented');
    return Promise.resolve(2);
  },
};
