import type { BuildOptions } from "esbuild";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * esbuild aliases of the GraphQL Lambda that both the stack (stacks/Api.ts) and the cold-start
 * benchmark (bench/api-cold.ts) use, so the benchmark measures what is deployed. `root` is the
 * repository's root (SST runs the stacks from it). Each one keeps out of the bundle code that
 * the Lambda never runs, or a second copy of code it already has (docs/performance.md):
 *
 * - `@apollo/server` → its ESM build. `@as-integrations/aws-lambda` is CommonJS, and its
 *   `require("@apollo/server")` would otherwise bundle Apollo's CommonJS build, with its own
 *   copies of graphql-tools, beside the ESM one our code imports (~0.25 MB twice).
 * - `graphql/language/parser` → the `.mjs` file: graphql-armor's token limit imports it by that
 *   path, which resolves to graphql's CommonJS parser, a second copy of the lexer and parser.
 * - `@apollo/usage-reporting-protobuf`, `@apollo/utils.usagereporting` → a stub: Apollo Studio
 *   reporting and subgraph inline tracing, their only users, are turned off in server.ts.
 * - `@apollo/utils.createhash` → node:crypto. In a bundle its `module.require("crypto")` test
 *   fails, so it hashed every document with the pure-JS `sha.js` it also pulls in.
 * - `@aws-sdk/credential-provider-node` → the environment provider alone: Lambda puts the
 *   function role's credentials in the environment, so the SSO, STS, INI and metadata-service
 *   providers of the default chain (and their nested clients) never run there.
 */
export function graphqlBundleAliases(root: string): Record<string, string> {
  const resolveFrom = createRequire(join(root, "packages/functions/package.json")).resolve;
  const bundle = join(root, "packages/functions/src/graphql/bundle");
  const usageReportingStub = join(bundle, "no-usage-reporting.ts");
  return {
    // require.resolve answers with the CommonJS entry (dist/cjs/index.js); the ESM build sits beside it.
    "@apollo/server": join(dirname(resolveFrom("@apollo/server")), "../esm"),
    "graphql/language/parser": resolveFrom("graphql/language/parser.mjs"),
    "@apollo/usage-reporting-protobuf": usageReportingStub,
    "@apollo/utils.usagereporting": usageReportingStub,
    "@apollo/utils.createhash": join(bundle, "node-createhash.ts"),
    "@aws-sdk/credential-provider-node": join(bundle, "lambda-credentials.ts"),
  };
}

/**
 * What stacks/Api.ts passes as `nodejs.esbuild` (SST spreads it over its own options): the
 * aliases, and a source map without the sources' text. Node with `--enable-source-maps` parses
 * the map when the bundle loads; with the sources it is 6.6 MB and costs ~60 ms of every cold
 * start, without them 2.1 MB, and stack traces still name the source file and line.
 */
export function graphqlEsbuildOverrides(root: string): Pick<BuildOptions, "alias" | "sourcesContent"> {
  return { alias: graphqlBundleAliases(root), sourcesContent: false };
}

/** SST v2's banner for ESM functions (sst/runtime/handlers/node.js). */
const SST_ESM_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
].join("\n");

/**
 * The esbuild options SST v2 builds the GraphQL Lambda with, given stacks/Api.ts's `nodejs`
 * settings (ESM, minified, source map, `.graphql` as text, the overrides above) and SST's own
 * (keepNames, mainFields, its ESM banner): for the cold-start benchmark and the bundle's test,
 * which must run what is deployed.
 */
export function graphqlLambdaBuildOptions(root: string, outfile: string): BuildOptions & { metafile: true } {
  return {
    entryPoints: [join(root, "packages/functions/src/graphql/lambda.ts")],
    metafile: true,
    outfile,
    platform: "node",
    format: "esm",
    target: "esnext",
    mainFields: ["module", "main"],
    bundle: true,
    minify: true,
    keepNames: true,
    sourcemap: true,
    loader: { ".graphql": "text" },
    external: ["sharp", "pg-native"],
    banner: { js: SST_ESM_BANNER },
    logLevel: "silent",
    ...graphqlEsbuildOverrides(root),
  };
}
