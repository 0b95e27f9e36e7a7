import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-leftovers.ts'],
    // Broker tests spawn learner programs and wait on real deliveries; the default 5 s is too short.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: more workers only slow the learner programs that the checks time.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
