/**
 * Offline synthesis of the SST stacks (no AWS account, no credentials, no network).
 *
 * How this stays offline (SST 2.49.6, read from node_modules/sst):
 * - `initProject` (sst/project.js) only finds and esbuild-loads `sst.config.ts` (shallow: its
 *   `stacks` method is stripped), picks the stage and loads `.env*` files. It calls no AWS API.
 *   The stage is passed explicitly; without one it would read `.sst/stage` or prompt for one.
 * - `sst build/deploy` go through `synth()` (sst/stacks/synth.js), which calls STS
 *   (`useSTSIdentity`) for the account id. We never call it: we construct `App` ourselves.
 * - `App.finish()` and `Function` call `useBootstrap()` (reads the SST bootstrap stack from AWS)
 *   unless `App.isRunningSSTTest()`, i.e. `process.env.NODE_ENV === "test"`. Vitest sets that;
 *   the beforeAll below pins it so the test cannot start talking to AWS if it ever changes.
 * - Functions are bundled for real with esbuild (deploy mode) into `.sst/artifacts/`, and the
 *   CDK assembly is written to `.sst/synth-test/` (both gitignored).
 */
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Match, Template } from "aws-cdk-lib/assertions";
import { App, getStack } from "sst/constructs";
import { initProject, useProject } from "sst/project.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TABLE_KEYS } from "../packages/core/src/db/table.js";
import { Api, DEV_CORS_ORIGINS, GRAPHQL_HANDLER, corsOrigins, jwtEnvironment, rateLimitEnvironment } from "./Api.js";
import { Database } from "./Database.js";
import { applyAppDefaults } from "./defaults.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const TEST_JWT = {
  JWT_ISSUER: "https://auth.example.test/",
  JWT_JWKS_URL: "https://auth.example.test/.well-known/jwks.json",
  JWT_AUDIENCE: "private-domain-growth-test",
};

interface Synthesised {
  database: Template;
  api: Template | undefined;
  milliseconds: number;
}

async function synthesise(stage: string): Promise<Synthesised> {
  const started = performance.now();
  const project = useProject();
  const outdir = path.join(ROOT, ".sst", "synth-test", stage);
  rmSync(outdir, { recursive: true, force: true });
  const app = new App(
    { mode: "deploy", name: project.config.name, stage, region: project.config.region, account: "123456789012" },
    { outdir },
  );
  applyAppDefaults(app);
  app.stack(Database);
  app.stack(Api);
  await app.finish();
  // getStack() looks stacks up in the most recently created App, so read them out right away.
  const database = Template.fromStack(getStack(Database));
  const api = Template.fromStack(getStack(Api));
  return { database, api, milliseconds: performance.now() - started };
}

/** The one table resource of a synthesised Database stack. */
function tableOf(template: Template) {
  const [table] = Object.values(template.findResources("AWS::DynamoDB::Table"));
  if (!table) throw new Error("no AWS::DynamoDB::Table in the Database stack");
  return table;
}

let testStage: Synthesised;
let prodStage: Synthesised;

const DEPLOY_ENV = ["CORS_ORIGINS", ...Object.keys(TEST_JWT)];
const savedEnv = Object.fromEntries(DEPLOY_ENV.map((key) => [key, process.env[key]]));

beforeAll(async () => {
  // Handler paths are resolved against the cwd (SST's App records it as the app path).
  if (process.cwd() !== ROOT) process.chdir(ROOT);
  process.env.NODE_ENV = "test"; // keeps App/Function from looking up the bootstrap stack in AWS

  const init = performance.now();
  // The region is passed so a shell (or the local test setup) AWS_REGION does not leak in.
  await initProject({ stage: "test", region: "ap-southeast-1" });
  const initMs = performance.now() - init;

  // After initProject, which loads .env files over process.env: the stacks read these at synth.
  delete process.env.CORS_ORIGINS;
  Object.assign(process.env, TEST_JWT);

  testStage = await synthesise("test");
  prodStage = await synthesise("prod");
  console.info(
    `[stacks] initProject ${initMs.toFixed(0)} ms; synth test stage ${testStage.milliseconds.toFixed(0)} ms, ` +
      `prod stage ${prodStage.milliseconds.toFixed(0)} ms`,
  );
}, 120_000);

afterAll(() => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe("Database stack", () => {
  it("keys the table on pk (HASH) and sk (RANGE), all key attributes strings", () => {
    const { database } = testStage;
    database.resourceCountIs("AWS::DynamoDB::Table", 1);
    const keyAttributes = [
      TABLE_KEYS.primary.partitionKey,
      TABLE_KEYS.primary.sortKey,
      ...Object.values(TABLE_KEYS.globalIndexes).flatMap((index) => [index.partitionKey, index.sortKey]),
    ];
    const table = tableOf(database);
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(
      [...table.Properties.AttributeDefinitions].sort((a: { AttributeName: string }, b: { AttributeName: string }) =>
        a.AttributeName.localeCompare(b.AttributeName),
      ),
    ).toEqual(keyAttributes.sort().map((name) => ({ AttributeName: name, AttributeType: "S" })));
  });

  it("has exactly the three overloaded GSIs with ALL projection", () => {
    const table = tableOf(testStage.database);
    const indexes = [...table.Properties.GlobalSecondaryIndexes].sort((a: { IndexName: string }, b: { IndexName: string }) =>
      a.IndexName.localeCompare(b.IndexName),
    );
    expect(indexes).toEqual(
      ["gsi1", "gsi2", "gsi3"].map((name) => ({
        IndexName: name,
        KeySchema: [
          { AttributeName: `${name}pk`, KeyType: "HASH" },
          { AttributeName: `${name}sk`, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      })),
    );
  });

  it("streams new and old images, has PITR and TTL, bills on demand", () => {
    testStage.database.hasResourceProperties("AWS::DynamoDB::Table", {
      StreamSpecification: { StreamViewType: "NEW_AND_OLD_IMAGES" },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      BillingMode: "PAY_PER_REQUEST",
      DeletionProtectionEnabled: false,
    });
  });

  it("is deleted with a non-prod stage", () => {
    testStage.database.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Delete",
      UpdateReplacePolicy: "Delete",
    });
  });

  it("is retained and deletion-protected in prod", () => {
    prodStage.database.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
  });

  it("has one KMS key for personal data, rotated yearly, retained in prod", () => {
    testStage.database.resourceCountIs("AWS::KMS::Key", 1);
    testStage.database.hasResource("AWS::KMS::Key", { DeletionPolicy: "Delete", Properties: Match.objectLike({ EnableKeyRotation: true, KeySpec: Match.absent() }) });
    prodStage.database.hasResource("AWS::KMS::Key", { DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    testStage.database.hasResourceProperties("AWS::KMS::Alias", { AliasName: "alias/private-domain-growth-test-personal-data" });
  });
});

describe("Api stack", () => {
  const api = () => {
    if (!testStage.api) throw new Error("Api stack was not synthesised");
    return testStage.api;
  };
  /** `Fn::ImportValue` of the Database stack's export whose value is `value` (cross-stack ref). */
  const importOf = (value: unknown) => {
    const outputs = testStage.database.findOutputs("*");
    const exported = Object.values(outputs).find((output) => JSON.stringify(output.Value) === JSON.stringify(value));
    if (!exported?.Export?.Name) throw new Error(`Database stack exports nothing for ${JSON.stringify(value)}`);
    return { "Fn::ImportValue": exported.Export.Name as string };
  };
  const tableId = () => Object.keys(testStage.database.findResources("AWS::DynamoDB::Table"))[0];
  const tableName = () => importOf({ Ref: tableId() });
  const tableArn = () => importOf({ "Fn::GetAtt": [tableId(), "Arn"] });

  it("runs the GraphQL handler on Node 20 arm64 with 1024 MB and 29 s", () => {
    api().hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs20.x",
      Architectures: ["arm64"],
      MemorySize: 1024,
      Timeout: 29,
      Handler: Match.stringLikeRegexp("^packages/functions/src/graphql/lambda\\.handler$"),
    });
  });

  it("bundles the handler as ESM with its source map, and ships schema/*.graphql beside it", () => {
    const [fn] = Object.values(api().findResources("AWS::Lambda::Function", { Properties: { Runtime: "nodejs20.x" } }));
    const key = String(fn?.Properties.Code.S3Key);
    const asset = path.join(ROOT, ".sst", "synth-test", "test", `asset.${key.replace(/\.zip$/, "")}`);
    const bundle = path.join(asset, "packages/functions/src/graphql/lambda.mjs");
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    // Positions only: the sources' text would make Node parse 3× the map at every cold start.
    const map = JSON.parse(readFileSync(`${bundle}.map`, "utf8")) as { sources: string[]; sourcesContent?: unknown[] };
    expect(map.sources.some((s) => s.endsWith("graphql/lambda.ts"))).toBe(true);
    expect(map.sourcesContent ?? []).toEqual([]);
    // SST's own ESM banner defines `require`; a second one would be a SyntaxError at cold start.
    expect(readFileSync(bundle, "utf8").match(/const require = /g)).toHaveLength(1);
    const shipped = readdirSync(path.join(asset, "schema")).sort();
    const source = readdirSync(path.join(ROOT, "schema")).filter((f) => f.endsWith(".graphql")).sort();
    expect(source.length).toBeGreaterThan(0);
    expect(shipped).toEqual(expect.arrayContaining(source));
  });

  it("passes the table name, stage, JWT settings, rate limits and the cursor key in the environment", () => {
    api().hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: tableName(),
          STAGE: "test",
          ...TEST_JWT,
          SST_Table_tableName_Table: tableName(),
          CURSOR_KMS_KEY_ID: { "Fn::GetAtt": [cursorKeyId(), "Arn"] },
          NODE_OPTIONS: "--enable-source-maps",
          RATE_LIMIT_PER_MINUTE: "600",
          PARTNER_RATE_LIMIT_PER_MINUTE: "300",
        }),
      },
    });
    expect(rateLimitEnvironment({ RATE_LIMIT_PER_MINUTE: "120", PARTNER_RATE_LIMIT_PER_MINUTE: "0" })).toEqual({ RATE_LIMIT_PER_MINUTE: "120", PARTNER_RATE_LIMIT_PER_MINUTE: "0" });
    expect(() => rateLimitEnvironment({ RATE_LIMIT_PER_MINUTE: "fast" })).toThrow(/RATE_LIMIT_PER_MINUTE/);
  });

  const cursorKeyId = () => Object.keys(api().findResources("AWS::KMS::Key", { Properties: { KeySpec: "HMAC_256" } }))[0]!;
  const keyArn = () => importOf({ "Fn::GetAtt": [Object.keys(testStage.database.findResources("AWS::KMS::Key"))[0], "Arn"] });

  it("passes the personal-data key and lets the function make, wrap and unwrap data keys with it, and nothing more", () => {
    api().hasResourceProperties("AWS::Lambda::Function", { Environment: { Variables: Match.objectLike({ PII_KMS_KEY_ID: keyArn() }) } });
    api().hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"], Effect: "Allow", Resource: keyArn() }]) },
    });
  });

  it("grants DynamoDB on the table and its indexes, and GenerateMac (only) with the cursor key", () => {
    api().hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: "dynamodb:*",
            Effect: "Allow",
            // tableArn/* covers the GSIs (and the stream).
            Resource: [tableArn(), { "Fn::Join": ["", [tableArn(), "/*"]] }],
          }),
        ]),
      },
    });
    api().hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: "kms:GenerateMac", Effect: "Allow", Resource: { "Fn::GetAtt": [cursorKeyId(), "Arn"] } }]) },
    });
    api().hasResourceProperties("AWS::KMS::Key", { KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
    expect(JSON.stringify(api().toJSON())).not.toMatch(/ssm:|SST_Secret/);
  });

  it("routes only POST /graphql", () => {
    api().resourceCountIs("AWS::ApiGatewayV2::Route", 1);
    api().hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "POST /graphql" });
  });

  it("throttles the default stage", () => {
    api().hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      DefaultRouteSettings: {
        ThrottlingBurstLimit: 400,
        ThrottlingRateLimit: 200,
      },
    });
  });

  it("allows CORS from the local origins only, POST with content-type/authorization", () => {
    api().hasResourceProperties("AWS::ApiGatewayV2::Api", {
      ProtocolType: "HTTP",
      CorsConfiguration: {
        AllowOrigins: [...DEV_CORS_ORIGINS],
        AllowMethods: ["POST"],
        AllowHeaders: ["content-type", "authorization"],
        AllowCredentials: false,
        MaxAge: 3600,
      },
    });
  });

  it("outputs the endpoint", () => {
    api().hasOutput("ApiEndpoint", {});
    api().hasOutput("GraphqlEndpoint", {});
  });

  it("has no CORS configuration in prod without CORS_ORIGINS", () => {
    const prod = prodStage.api;
    if (!prod) throw new Error("Api stack was not synthesised");
    const [httpApi] = Object.values(prod.findResources("AWS::ApiGatewayV2::Api"));
    expect(httpApi?.Properties.CorsConfiguration).toBeUndefined();
  });
});

describe("deploy-time settings", () => {
  it("reads CORS_ORIGINS as an explicit allow-list", () => {
    expect(corsOrigins("prod", undefined)).toEqual([]);
    expect(corsOrigins("dev", "")).toEqual([...DEV_CORS_ORIGINS]);
    expect(corsOrigins("prod", " https://console.brand.cn/, https://m.brand.cn,https://console.brand.cn ")).toEqual([
      "https://console.brand.cn",
      "https://m.brand.cn",
    ]);
    expect(() => corsOrigins("prod", "*")).toThrow(/CORS_ORIGINS/);
    expect(() => corsOrigins("dev", "https://*.brand.cn")).toThrow(/CORS_ORIGINS/);
    expect(() => corsOrigins("dev", "https://brand.cn/app")).toThrow(/CORS_ORIGINS/);
  });

  it("leaves unset JWT settings out, and requires issuer and JWKS in prod", () => {
    expect(jwtEnvironment("dev", {})).toEqual({});
    expect(jwtEnvironment("dev", { JWT_ISSUER: " https://a/ ", JWT_AUDIENCE: "" })).toEqual({ JWT_ISSUER: "https://a/" });
    expect(() => jwtEnvironment("prod", { JWT_ISSUER: "https://a/" })).toThrow(/JWT_JWKS_URL/);
    expect(jwtEnvironment("prod", TEST_JWT)).toEqual(TEST_JWT);
  });
});
