import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'sim/**/*.test.ts', 'reports/**/*.test.{ts,tsx}', 'scenarios/**/*.test.{ts,tsx}', 'examples/**/*.test.ts', '*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
