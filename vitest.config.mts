import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    pool: "forks",
    // Safety nets only (tests wait for signals): an engine story of many deployments on a loaded
    // 2-core machine can take minutes, and must not fail for it. No test sets a shorter one.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    globalSetup: ["test/global-setup.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "suite",
          include: [
            "provider/**/*.test.ts",
            "emulator/**/*.test.ts",
            "engine/**/*.test.ts",
            "test/**/*.test.ts",
            "scripts/**/*.test.ts",
          ],
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
