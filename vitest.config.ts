import { defineConfig } from 'vitest/config';

// Tests import workspace packages from source (the "source" export condition), so a test run never
// depends on a stale dist/ build.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: [
      'packages/*/tests/**/*.test.ts',
      'examples/*/tests/**/*.test.ts',
      'codegen/tests/**/*.test.ts',
      'tests/**/*.test.ts',
      'chaos/tests/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
