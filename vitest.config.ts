import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (`main`) and ESM (`module`) side by side, without an `exports`
    // map. Node, and so Apollo, graphql-tools and graphql-scalars, load the CommonJS build;
    // Vite would give test-transformed code the ESM one, and two copies of graphql reject each
    // other's objects ("Cannot use GraphQLObjectType from another module or realm").
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["packages/**/*.test.ts", "stacks/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    globalSetup: ["packages/functions/src/test/global-setup.ts"],
    setupFiles: ["packages/functions/src/test/table-per-file.ts"],
  },
});
