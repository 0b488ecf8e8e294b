import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Each file trains its own engine (under a second); keep the slowest tests from flaking on a busy CI machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
