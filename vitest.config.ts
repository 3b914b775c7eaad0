import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests build real labs in the kernel: run files one at a time so two labs never
    // compete for the two cores and each test's timing stays predictable.
    fileParallelism: false,
    // Only a guard against a hang: waits inside the tests end on conditions (test/helpers/machine.ts
    // until), so a busy machine makes a test slower, never failed.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
  },
});
