import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKmsMacStandIn } from "@growth/core/test/kms-mac";
import { newTenantId } from "../../test/tenant.js";
import { signLocalToken } from "../auth.js";
import { graphqlLambdaBuildOptions } from "./options.js";

/**
 * The GraphQL Lambda as the stack bundles it, run in a fresh Node process against DynamoDB Local:
 * the aliases of options.ts must leave a bundle that works, and must keep out what they are for.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../..");
let dir: string;
let bundle: string;
let metafile: Metafile;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lambda-bundle-"));
  bundle = join(dir, "lambda.mjs");
  ({ metafile } = await build(graphqlLambdaBuildOptions(ROOT, bundle)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Imports the bundle and sends it each body in turn as API Gateway would; prints the answers. */
const RUNNER = `
const [bundle, token, ...bodies] = process.argv.slice(2);
const mod = await import(bundle);
const out = [];
for (const [i, body] of bodies.entries()) {
  const r = await mod.handler({ version: "2.0", routeKey: "POST /graphql", rawPath: "/graphql", rawQueryString: "", headers: { "content-type": "application/json", authorization: "Bearer " + token }, requestContext: { http: { method: "POST", path: "/graphql", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test" }, requestId: "r" + i, routeKey: "POST /graphql", stage: "$default", timeEpoch: Date.now() }, body, isBase64Encoded: false }, { awsRequestId: "r" + i });
  out.push({ status: r.statusCode, body: JSON.parse(r.body) });
}
process.stdout.write(JSON.stringify(out));
`;

type Query = { query: string; variables?: unknown };
function runBundle(token: string, queries: Query[], env: Record<string, string> = {}): Promise<{ status: number; body: any }[]> {
  const runner = join(dir, "runner.mjs");
  writeFileSync(runner, RUNNER);
  return new Promise((resolvePromise, reject) =>
    execFile(process.execPath, [runner, pathToFileURL(bundle).href, token, ...queries.map((q) => JSON.stringify(q))], {
      // The test run's DynamoDB Local, table, secrets and (dummy) credentials, as Lambda's environment would carry them.
      env: { ...process.env, SCHEMA_DIR: join(ROOT, "schema"), NODE_OPTIONS: "--enable-source-maps", ...env },
      timeout: 60_000,
    }, (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolvePromise(JSON.parse(stdout)))),
  );
}

describe("the GraphQL Lambda bundle", () => {
  it("writes and reads a member through DynamoDB Local, with credentials from the environment", async () => {
    const tenant = newTenantId();
    const token = await signLocalToken({ tenant, role: "ADMIN", sub: "admin-1" });
    const [created, read] = await runBundle(token, [
      { query: `mutation($input: CreateMemberInput!) { createMember(input: $input) { member { id name phone } } }`, variables: { input: { id: "m-1", name: "Li Lei", phone: "138 0013 8000", sourceChannel: "MINI_PROGRAM" } } },
      { query: `{ member(id: "m-1") { id name phone points { balance } orders(first: 10) { edges { node { id } } } } }` },
    ]);
    expect(created).toEqual({ status: 200, body: { data: { createMember: { member: { id: "m-1", name: "Li Lei", phone: "+8613800138000" } } } } });
    expect(read).toEqual({ status: 200, body: { data: { member: { id: "m-1", name: "Li Lei", phone: "+8613800138000", points: { balance: 0 }, orders: { edges: [] } } } } });
  });

  it("derives its cursor key from the stage's KMS HMAC key at cold start, once, and pages with it", async () => {
    const kms = await startKmsMacStandIn();
    try {
      const tenant = newTenantId();
      const token = await signLocalToken({ tenant, role: "ADMIN", sub: "admin-1" });
      const create = (id: string) => ({ query: `mutation { createMember(input: { id: "${id}", sourceChannel: MINI_PROGRAM }) { member { id } } }` });
      const page = `query($after: String) { members(first: 1, after: $after) { edges { node { id } } pageInfo { endCursor hasNextPage } } }`;
      const keyId = "arn:aws:kms:cn-north-1:123456789012:key/cursor";
      const env = { CURSOR_SECRET: "", CURSOR_KMS_KEY_ID: keyId, AWS_ENDPOINT_URL_KMS: kms.endpoint };
      const [, , first] = await runBundle(token, [create("m-a"), create("m-b"), { query: page }], env);
      const { edges, pageInfo } = first!.body.data.members;
      expect(pageInfo.hasNextPage).toBe(true);
      // A fresh container (same KMS key) takes the cursor and answers the other member.
      const [second] = await runBundle(token, [{ query: page, variables: { after: pageInfo.endCursor } }], env);
      expect([edges[0].node.id, second!.body.data.members.edges[0].node.id].sort()).toEqual(["m-a", "m-b"]);
      // One GenerateMac per container (two containers), of the fixed message.
      const derivation = { target: "TrentService.GenerateMac", KeyId: keyId, MacAlgorithm: "HMAC_SHA_256", Message: Buffer.from("private-domain-growth/pagination-cursor-hmac/v1").toString("base64") };
      expect(kms.calls).toEqual([derivation, derivation]);
      // The test run's own cursor key does not open it: the bundle signed with the derived one.
      const [foreign] = await runBundle(token, [{ query: page, variables: { after: pageInfo.endCursor } }]);
      expect(foreign!.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    } finally {
      await kms.stop();
    }
  });

  it("holds one copy of Apollo and graphql, and none of the code options.ts keeps out", () => {
    const inputs = Object.keys(metafile.inputs);
    const offending = (pattern: RegExp) => inputs.filter((path) => pattern.test(path));
    expect(offending(/@apollo\/server\/dist\/cjs\//)).toEqual([]);
    expect(offending(/node_modules\/graphql\/.*\.js$/)).toEqual([]);
    expect(offending(/@graphql-tools\/[^/]+\/cjs\//)).toEqual([]);
    expect(offending(/node_modules\/(sha\.js|lodash\.sortby|@apollo\/usage-reporting-protobuf)\//)).toEqual([]);
    expect(offending(/@aws-sdk\/(nested-clients|credential-provider-(ini|sso|process|web-identity|http))\//)).toEqual([]);
    // The real modules are in: Apollo's ESM build and graphql's.
    expect(offending(/@apollo\/server\/dist\/esm\/ApolloServer\.js$/)).toHaveLength(1);
    expect(offending(/node_modules\/graphql\/execution\/execute\.mjs$/)).toHaveLength(1);
  });
});
