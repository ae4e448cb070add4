import { join } from "node:path";

/**
 * esbuild aliases of the GraphQL Lambda that both the stack (stacks/Api.ts) and the cold-start
 * benchmark (bench/api-cold.ts) use, so the benchmark measures what is deployed. `root` is the
 * repository's root (SST runs the stacks from it).
 */
export function graphqlBundleAliases(root: string): Record<string, string> {
  return { "@apollo/usage-reporting-protobuf": join(root, "packages/functions/src/graphql/bundle/no-usage-reporting.ts") };
}
