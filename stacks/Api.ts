import { graphqlEsbuildOverrides } from "../packages/functions/src/graphql/bundle/options.js";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Key, KeySpec, KeyUsage } from "aws-cdk-lib/aws-kms";
import { RemovalPolicy } from "aws-cdk-lib";
import { Api as HttpApi, type StackContext, use } from "sst/constructs";
import { Database, personalDataEnvironment, personalDataPermission } from "./Database.js";
import { isProductionStage } from "./defaults.js";

/** Path of the GraphQL Lambda handler, relative to the repo root (the export is `handler`). */
export const GRAPHQL_HANDLER = "packages/functions/src/graphql/lambda.handler";

/** Stage-wide default throttling of the HTTP API (requests per second, and burst bucket). */
export const API_THROTTLE = { rate: 200, burst: 400 } as const;

/** Browser origins allowed outside prod when CORS_ORIGINS is not set (local frontends). */
export const DEV_CORS_ORIGINS = [
  "http://localhost:3000",
  "http://localhost:5173",
  "http://127.0.0.1:3000",
  "http://127.0.0.1:5173",
] as const;

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * CORS allow-list from CORS_ORIGINS (comma separated, read at deploy time). Unset: none in prod,
 * the local dev origins elsewhere. Wildcards and paths are rejected: the allow-list is explicit.
 */
export function corsOrigins(stage: string, raw = process.env.CORS_ORIGINS): string[] {
  if (raw === undefined || raw.trim() === "") {
    return isProductionStage(stage) ? [] : [...DEV_CORS_ORIGINS];
  }
  const origins = raw
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter((origin) => origin !== "");
  for (const origin of origins) {
    if (!ORIGIN.test(origin)) {
      throw new Error(
        `CORS_ORIGINS: "${origin}" is not an origin like https://console.example.com (no "*", no path)`,
      );
    }
  }
  return [...new Set(origins)];
}

/**
 * JWT settings for cloud auth, read from the deploying shell. The function verifies bearer
 * tokens against the issuer's JWKS. Unset values are left out of the function's environment
 * (auth then fails closed); prod refuses to deploy without an issuer and a JWKS URL.
 */
export function jwtEnvironment(stage: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const values = {
    JWT_ISSUER: env.JWT_ISSUER?.trim() ?? "",
    JWT_JWKS_URL: env.JWT_JWKS_URL?.trim() ?? "",
    JWT_AUDIENCE: env.JWT_AUDIENCE?.trim() ?? "",
  };
  if (isProductionStage(stage)) {
    const missing = (["JWT_ISSUER", "JWT_JWKS_URL"] as const).filter((key) => values[key] === "");
    if (missing.length > 0) {
      throw new Error(`Stage "${stage}" needs ${missing.join(" and ")} set when deploying`);
    }
  }
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ""));
}

/**
 * Per-principal rate limits of the GraphQL function (requests a UTC minute per staff principal and
 * per partner key, across containers: packages/functions/src/graphql/rate-limit.ts), from
 * RATE_LIMIT_PER_MINUTE / PARTNER_RATE_LIMIT_PER_MINUTE at deploy time; 0 turns a limit off.
 * The stage throttle (API_THROTTLE) caps the whole API in front of them.
 */
export const DEFAULT_RATE_LIMITS = { RATE_LIMIT_PER_MINUTE: "600", PARTNER_RATE_LIMIT_PER_MINUTE: "300" } as const;

export function rateLimitEnvironment(env: NodeJS.ProcessEnv = process.env): Record<keyof typeof DEFAULT_RATE_LIMITS, string> {
  const pick = (name: keyof typeof DEFAULT_RATE_LIMITS) => {
    const raw = env[name]?.trim() || DEFAULT_RATE_LIMITS[name];
    if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number of requests per minute (0 for none), got "${raw}"`);
    return raw;
  };
  return { RATE_LIMIT_PER_MINUTE: pick("RATE_LIMIT_PER_MINUTE"), PARTNER_RATE_LIMIT_PER_MINUTE: pick("PARTNER_RATE_LIMIT_PER_MINUTE") };
}

/** The GraphQL API: `POST /graphql` on an HTTP API, one Lambda bound to the table. */
export function Api({ stack }: StackContext) {
  const { table, personalDataKey } = use(Database);

  // The pagination cursors' HMAC key is derived at cold start from this KMS HMAC key
  // (core/src/shared/cursor-key.ts): nothing to set per stage, and no secret outside KMS.
  const cursorKey = new Key(stack, "CursorKey", {
    description: `${stack.stage}: derives the HMAC key that signs the GraphQL API's pagination cursors`,
    keySpec: KeySpec.HMAC_256,
    keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
    // Losing it only invalidates open cursors (clients start their lists over).
    removalPolicy: RemovalPolicy.DESTROY,
  });

  const origins = corsOrigins(stack.stage);

  const api = new HttpApi(stack, "Api", {
    cors:
      origins.length === 0
        ? false
        : {
            allowOrigins: origins,
            allowMethods: ["POST"],
            allowHeaders: ["content-type", "authorization"],
            allowCredentials: false,
            maxAge: "1 hour",
          },
    defaults: {
      throttle: { rate: API_THROTTLE.rate, burst: API_THROTTLE.burst },
      function: {
        runtime: "nodejs20.x",
        architecture: "arm_64",
        memorySize: 1024,
        // HTTP API integrations time out at 30 s; stop the function just before.
        timeout: 29,
        bind: [table],
        permissions: [personalDataPermission(personalDataKey), new PolicyStatement({ actions: ["kms:GenerateMac"], resources: [cursorKey.keyArn] })],
        environment: {
          TABLE_NAME: table.tableName,
          STAGE: stack.stage,
          ...personalDataEnvironment(personalDataKey),
          CURSOR_KMS_KEY_ID: cursorKey.keyArn,
          ...jwtEnvironment(stack.stage),
          ...rateLimitEnvironment(),
          // The bundle ships its source map (sourcemap: true below); use it in stack traces.
          NODE_OPTIONS: "--enable-source-maps",
        },
        // The SDL ships next to the bundle as $LAMBDA_TASK_ROOT/schema/*.graphql, where
        // packages/functions/src/graphql/typedefs.ts reads it at cold start.
        copyFiles: [{ from: "schema", to: "schema" }],
        nodejs: {
          format: "esm",
          minify: true,
          sourcemap: true,
          // Any `import sdl from "*.graphql"` is bundled as a string.
          loader: { ".graphql": "text" },
          // Code the Lambda never runs, or would bundle twice, is aliased away, and the source
          // map leaves out the sources' text (bundle/options.ts).
          esbuild: graphqlEsbuildOverrides(process.cwd()),
          // No `banner` here: for format "esm" SST v2 already prepends
          //   import { createRequire as topLevelCreateRequire } from 'module';
          //   const require = topLevelCreateRequire(import.meta.url);
          // (plus __dirname), see sst/runtime/handlers/node.js. esbuild pastes banners in
          // unparsed, so a second `const require` banner would bundle fine and then fail at
          // cold start: "SyntaxError: Identifier 'require' has already been declared".
        },
      },
    },
    routes: {
      "POST /graphql": GRAPHQL_HANDLER,
    },
  });

  stack.addOutputs({
    ApiEndpoint: api.url,
    GraphqlEndpoint: `${api.url}/graphql`,
  });

  return { api };
}
