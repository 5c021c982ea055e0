import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'console/test/**/*.test.ts'],
    // Servers on 127.0.0.1 and a real llama.cpp model: give slow CI machines room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests that spawn the CLI or load llama.cpp are heavy on a 2-core machine.
    maxWorkers: 2,
  },
});
