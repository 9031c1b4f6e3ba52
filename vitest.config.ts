import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    globalSetup: ["test/global-setup.ts"],
    environment: "node",
    testTimeout: 20_000,
    // The first test of a file starts its embedded database.
    hookTimeout: 60_000,
    pool: "forks",
  },
});
