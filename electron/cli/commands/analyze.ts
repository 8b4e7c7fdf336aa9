import type { CliCommand } from '../types.ts';

export const analyzeCommand: CliCommand = {
  summary: '(not yet implemented)',
  run() {
    console.error('tessera analyze: not yet implemented');
    return Promise.resolve(2);
  },
};
