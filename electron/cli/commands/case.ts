import type { CliCommand } from '../types.ts';

export const caseCommand: CliCommand = {
  summary: '(not yet implemented)',
  run() {
    console.error('tessera case: not yet implemented');
    return Promise.resolve(2);
  },
};
