import { defineConfig } from 'vitest/config';

// Browser tests against the loopback web host: one file at a time (each starts Chromium), with
// timeouts sized for a cold Chromium on a 2-core machine.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/harness/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
