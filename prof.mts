import { build } from "esbuild";
import { graphqlLambdaBuildOptions } from "./packages/functions/src/graphql/bundle/options.js";
await build({ ...graphqlLambdaBuildOptions(process.cwd(), "/tmp/an/lambda.mjs"), minify: process.env.MIN !== "0", ...(process.env.SC === "0" ? { sourcesContent: false } : {}) });
