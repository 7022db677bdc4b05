import { defineConfig } from "vitest/config";

/**
 * Tests that start provider hosts, program runners or the CLI as processes (they need dist/, so
 * `npm test` builds first); every other test file is a unit test (`npm run test:unit`).
 */
const PROCESS_TESTS = [
  "test/**/*.engine.test.ts",
  "test/program/**/*.test.ts",
  "test/serialized-provider.test.ts",
];

export default defineConfig({
  test: {
    pool: "forks",
    // Files side by side. An engine story spends much of its time waiting: on a provider host
    // process starting, on a Retry-After, on a timeout it provokes. One file at a time (vitest's
    // default on 2 cores) leaves a core idle; three keep both busy. No two files share a
    // platform, a program directory or a port (each opens its own).
    maxWorkers: 3,
    // Safety nets only (tests wait for signals): an engine story of many deployments on a loaded
    // 2-core machine can take minutes, and must not fail for it. No test sets a shorter one.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    globalSetup: ["test/global-setup.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "provider/**/*.test.ts",
            "emulator/**/*.test.ts",
            "engine/**/*.test.ts",
            "test/**/*.test.ts",
            "scripts/**/*.test.ts",
          ],
          exclude: PROCESS_TESTS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "engine",
          include: PROCESS_TESTS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Runs after every other test file: scans what they all produced for leaked secrets.
        extends: true,
        test: {
          name: "secret-guard",
          include: ["test/secret-guard.check.ts"],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
