import { fork, spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon, { type AutocannonRequest } from "autocannon";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { BaselineContext } from "@growth/core/bench";
import { resetClients } from "@growth/core/db/client";
import { countRequests, requestLevels } from "@growth/core/db/requests";
import { signLocalToken } from "../graphql/auth.js";
// Imported before anything starts the Apollo server: the Lambda integration starts it itself.
import { handler } from "../graphql/lambda.js";
import { executeOperation } from "../graphql/server.js";
import { startDynamoLocal } from "../local/dynamo-local.js";
import { ensureTable } from "../local/ensure-table.js";
import { apiGatewayEvent, lambdaContext } from "../test/lambda-event.js";
import { measureColdStart, type ColdStart } from "./api-cold.js";
import { prepareFixture } from "./api-fixture.js";
import { MIX, type ApiFixture, type MixOp } from "./api-mix.js";
import { formatApiTables } from "./api-table.js";
import { loadDatasetInChild, type LoadedDataset } from "./datasets.js";

/**
 * `npm run bench -- api`: the API against its physical floor, in one run. Starts its own
 * in-memory DynamoDB Local and the local HTTP server (a child process) on free loopback ports,
 * bulk-loads a generated brand, then measures for each operation of the mix (`api-mix.ts`):
 * DynamoDB requests and dependent levels (SDK middleware) beside the minimum; latency
 * p50/p95/p99 over HTTP with a token beside the direct-SDK baseline, interleaved request by
 * request so machine noise hits both alike; throughput of the mix at several concurrencies
 * (autocannon) beside the raw DynamoDB calls; the Lambda bundle's size and cold start.
 * `--soak` instead runs the mix for a while and reports errors and the server's RSS.
 * Prints tables; writes JSON (default bench-results/api-<timestamp>.json).
 */
export const API_USAGE =
  "usage: npm run bench -- api [--members 20000] [--iterations 200] [--duration 10] [--concurrency 1,16,64] [--cold-runs 5] [--seed 2026] [--out bench-results/api-<time>.json] | api --soak <seconds> --concurrency <n>";

export interface ApiBenchArgs {
  members: number;
  /** Measured requests per operation, full stack and baseline each (after a warm-up of 20). */
  iterations: number;
  /** Seconds per throughput run. */
  duration: number;
  concurrency: number[];
  coldRuns: number;
  seed: number;
  /** Seconds of soak (then only the soak runs, at `concurrency[0]`). */
  soak?: number;
  out: string;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const MAX_SOAK_SECONDS = 4 * 3600;
const MAX_CONCURRENCY = 256;
const WARMUP = 20;

export function parseApiBenchArgs(argv: string[], now = new Date()): ApiBenchArgs | "help" | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        members: { type: "string" },
        iterations: { type: "string" },
        duration: { type: "string" },
        concurrency: { type: "string" },
        "cold-runs": { type: "string" },
        seed: { type: "string" },
        soak: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return (error as Error).message.split("\n")[0] ?? "invalid arguments";
  }
  if (values.help) return "help";
  const whole = (text: string | undefined, flag: string, fallback: number, min: number, max: number): number | string => {
    if (text === undefined) return fallback;
    const n = Number(text);
    return /^\d+$/.test(text) && n >= min && n <= max ? n : `--${flag} must be a whole number from ${min} to ${max} (got "${text}")`;
  };
  const members = whole(values.members, "members", 20_000, 200, 100_000);
  const iterations = whole(values.iterations, "iterations", 200, 10, 100_000);
  const duration = whole(values.duration, "duration", 10, 1, 600);
  const coldRuns = whole(values["cold-runs"], "cold-runs", 5, 0, 50);
  const seed = whole(values.seed, "seed", 2026, 0, 2 ** 31);
  const soak = values.soak === undefined ? undefined : whole(values.soak, "soak", 0, 1, MAX_SOAK_SECONDS);
  for (const v of [members, iterations, duration, coldRuns, seed, soak]) if (typeof v === "string") return v;
  const levels = (values.concurrency ?? (soak !== undefined ? "32" : "1,16,64")).split(",").map((c) => whole(c.trim(), "concurrency", 1, 1, MAX_CONCURRENCY));
  const bad = levels.find((l) => typeof l === "string");
  if (bad !== undefined) return bad as string;
  if (soak !== undefined && levels.length !== 1) return "--soak takes one --concurrency";
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  return {
    members: members as number,
    iterations: iterations as number,
    duration: duration as number,
    concurrency: levels as number[],
    coldRuns: coldRuns as number,
    seed: seed as number,
    soak: soak as number | undefined,
    out: resolve(process.env.INIT_CWD ?? process.cwd(), values.out ?? join(REPO_ROOT, "bench-results", `api-${soak !== undefined ? "soak-" : ""}${stamp}.json`)),
  };
}

// --- figures ---------------------------------------------------------------------------------

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** Nearest-rank percentiles, in ms with two decimals. */
export function percentiles(samples: readonly number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
  const r = (n: number) => Math.round(n * 100) / 100;
  return { p50: r(at(50)), p95: r(at(95)), p99: r(at(99)), mean: r(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)) };
}

export interface OpRow {
  op: string;
  description: string;
  /** DynamoDB requests of one full-stack request (in-process, same resolvers), by command. */
  requests: number;
  byCommand: Record<string, number>;
  levels: number;
  minimumRequests: number;
  minimumLevels: number;
  minimumHow: string;
  baselineRequests: number;
  baselineLevels: number;
  api: Percentiles;
  baseline: Percentiles;
  /** API p50 ÷ baseline p50. */
  ratio: number;
  /**
   * CPU time per request: the server process's (HTTP, auth, GraphQL, resolvers, SDK) and the
   * baseline's (SDK only), ms. Less sensitive to a loaded machine than wall time.
   */
  serverCpuMs: number;
  baselineCpuMs: number;
  apiErrors: number;
  /**
   * The Lambda handler called in this process with an API Gateway event (how Lambda hands it a
   * request: no HTTP server of ours in between), interleaved with its own baseline run.
   */
  handler?: { api: Percentiles; baseline: Percentiles; ratio: number; errors: number };
}

/** Latency of one request with no DynamoDB call, and the answering process's CPU time per request. */
export type FloorRow = Percentiles & { serverCpuMs: number };

/** API p50 ÷ baseline p50, two decimals. */
const p50Ratio = (api: Percentiles, baseline: Percentiles) => Math.round((api.p50 / Math.max(0.01, baseline.p50)) * 100) / 100;

export interface ThroughputRow {
  concurrency: number;
  durationS: number;
  apiRps: number;
  apiRequests: number;
  /** Socket errors + timeouts + non-2xx + GraphQL errors. */
  apiErrors: number;
  apiLatencyP50: number;
  apiLatencyP99: number;
  rawRps: number;
  rawCalls: number;
  rawErrors: number;
  /** apiRps ÷ rawRps. */
  ratio: number;
}

export interface SoakResult {
  seconds: number;
  concurrency: number;
  requests: number;
  rps: number;
  errors: number;
  errorsByOp: Record<string, number>;
  firstErrors: string[];
  serverRssStartMb: number;
  /** After the first minute (warm: caches, JIT, sockets): the base for memory growth. */
  serverRssWarmMb?: number;
  serverRssEndMb: number;
  latencyP50: number;
  latencyP99: number;
  /** No error, and the end RSS at most 25% above the warm RSS (runs of 2 minutes or more). */
  passed: boolean;
}

/** Allowed RSS growth from the first minute to the end of a soak before it counts as a leak. */
export const SOAK_RSS_GROWTH = 1.25;

export interface ApiBenchReport {
  bench: "api";
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryMb: number; node: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  options: Omit<ApiBenchArgs, "out">;
  dataset: LoadedDataset & { fixture: Omit<ApiFixture, "profiles" | "identities" | "buyers" | "redeemers"> & { profiles: number; identities: number; buyers: number; redeemers: number } };
  ops: OpRow[];
  /** `{ __typename }` over HTTP: what the stack costs with no DynamoDB call (the overhead's floor). */
  stackFloor?: FloorRow;
  /** A bare node:http server in another process, same client: the machine's floor under the stack floor. */
  httpFloor?: FloorRow;
  throughput: ThroughputRow[];
  cold?: ColdStart;
  soak?: SoakResult;
  targets: { requestsAtMinimum: boolean; p50Within130: boolean; throughputAt16Within70?: boolean; bundleUnder1_5MB?: boolean; coldStartUnder300ms?: boolean };
}

interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

// --- the server child and HTTP ---------------------------------------------------------------

interface ServerChild {
  url: string;
  rss(): Promise<number>;
  /** CPU time the server process has used (user + system), µs. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

async function startServerChild(): Promise<ServerChild> {
  const entry = fileURLToPath(new URL("./api-server-child.ts", import.meta.url));
  // BENCH_SERVER_NODE_ARGS: extra Node flags for the server only (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child: ChildProcess = fork(entry, [], { execArgv: ["--import", "tsx", ...extra], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const url = await new Promise<string>((resolvePromise, reject) => {
    child.once("message", (m: { type: string; url: string }) => (m.type === "ready" ? resolvePromise(m.url) : reject(new Error("server child: unexpected message"))));
    child.once("exit", (code) => reject(new Error(`the server child exited with code ${code}`)));
    child.once("error", reject);
  });
  const ask = (what: "rss" | "cpu", field: "rss" | "micros") =>
    new Promise<number>((resolvePromise) => {
      const on = (m: Record<string, unknown>) => {
        if (m.type !== what) return;
        child.off("message", on);
        resolvePromise(m[field] as number);
      };
      child.on("message", on);
      child.send(what);
    });
  return {
    url,
    rss: () => ask("rss", "rss"),
    cpu: () => ask("cpu", "micros"),
    stop: () =>
      new Promise((resolvePromise) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolvePromise();
        });
        child.send("stop");
      }),
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: MAX_CONCURRENCY });

/** POSTs a GraphQL request; resolves with the status and the body text. */
function post(url: string, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "content-length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolvePromise({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const failed = (status: number, text: string) => status !== 200 || text.includes('"errors"');

// --- phases ----------------------------------------------------------------------------------

/** DynamoDB requests and levels of each op, full stack (in-process) and baseline, after one warm call (caches of settings, campaigns). */
const LEVEL_TRIES = 3;

export async function countMix(fixture: ApiFixture, baseline: BaselineContext, ops: readonly MixOp[] = MIX) {
  const rows: Pick<OpRow, "op" | "requests" | "byCommand" | "levels" | "baselineRequests" | "baselineLevels">[] = [];
  for (const [n, op] of ops.entries()) {
    const exec = (i: number) => executeOperation(op.query, op.variables(fixture, i), { tenant: fixture.tenantId, role: "ADMIN", sub: "bench" });
    const warm = await exec(n);
    if (warm.errors) throw new Error(`${op.name}: ${JSON.stringify(warm.errors)}`);
    // Levels come from call timings, and scheduling noise can only make parallel calls look
    // sequential, never the reverse: the fewest levels over three tries is the true depth.
    let levels = Infinity;
    let baselineLevels = Infinity;
    let api: Awaited<ReturnType<typeof countRequests<Awaited<ReturnType<typeof exec>>>>> | undefined;
    let base: Awaited<ReturnType<typeof countRequests<unknown>>> | undefined;
    for (let t = 0; t < LEVEL_TRIES; t++) {
      api = await countRequests(() => exec(n + 1 + 2 * t), { timings: true });
      if (api.result.errors) throw new Error(`${op.name}: ${JSON.stringify(api.result.errors)}`);
      base = await countRequests(() => op.baseline(baseline, fixture, n + 2 + 2 * t), { timings: true });
      levels = Math.min(levels, requestLevels(api.tally.calls!));
      baselineLevels = Math.min(baselineLevels, requestLevels(base.tally.calls!));
    }
    rows.push({ op: op.name, requests: api!.tally.total, byCommand: api!.tally.byCommand, levels, baselineRequests: base!.tally.total, baselineLevels });
  }
  return rows;
}

/**
 * `{ __typename }` with a token, `iterations` times after the warm-up, one at a time: latency, and
 * the answering process's CPU time per request (`serverCpu`: its user + system µs so far).
 */
async function measureFloor(url: string, token: string, iterations: number, serverCpu: () => Promise<number>): Promise<FloorRow> {
  const body = JSON.stringify({ query: "{ __typename }" });
  const samples: number[] = [];
  let cpuStart = 0;
  for (let i = 0; i < WARMUP + iterations; i++) {
    if (i === WARMUP) cpuStart = await serverCpu();
    const t = performance.now();
    const r = await post(url, token, body);
    if (failed(r.status, r.text)) throw new Error(`{ __typename } to ${url} failed: ${r.status} ${r.text}`);
    if (i >= WARMUP) samples.push(performance.now() - t);
  }
  const serverCpuMs = Math.round(((await serverCpu()) - cpuStart) / iterations) / 1000;
  return { ...percentiles(samples), serverCpuMs };
}

/**
 * The machine's own floor for one loopback HTTP request to another Node process: a bare
 * `node:http` server answering `{ __typename }`'s response without reading it, so no GraphQL,
 * no auth, no JSON parse. The API's stack floor above it is what our server adds.
 */
const BARE_SERVER = `
const http = require("node:http");
const body = JSON.stringify({ data: { __typename: "Query" } });
const server = http.createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }); res.end(body); }); });
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
process.on("message", () => { const { user, system } = process.cpuUsage(); process.send({ micros: user + system }); });
process.on("disconnect", () => process.exit(0));
`;

async function measureBareHttp(iterations: number): Promise<FloorRow> {
  const child = spawn(process.execPath, ["-e", BARE_SERVER], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      child.stdout!.once("data", (d: Buffer) => resolvePort(Number(String(d).trim())));
      child.once("exit", (code) => reject(new Error(`bare HTTP server exited (${code})`)));
    });
    const cpu = () => new Promise<number>((resolveCpu) => { child.once("message", (m: { micros: number }) => resolveCpu(m.micros)); child.send("cpu"); });
    return await measureFloor(`http://127.0.0.1:${port}/graphql`, "-", iterations, cpu);
  } finally {
    child.kill();
  }
}

/** The mix through the Lambda handler in this process, each request beside its baseline (same event loop, same CPU). */
async function measureHandlerLatency(token: string, fixture: ApiFixture, baseline: BaselineContext, iterations: number, log: (line: string) => void) {
  const out = new Map<string, NonNullable<OpRow["handler"]>>();
  for (const op of MIX) {
    const api: number[] = [];
    const base: number[] = [];
    let errors = 0;
    for (let i = 0; i < WARMUP + iterations; i++) {
      let t = performance.now();
      const r = await handler(apiGatewayEvent({ query: op.query, variables: op.variables(fixture, i) }, { authorization: `Bearer ${token}` }), lambdaContext(`bench-${op.name}-${i}`));
      const apiMs = performance.now() - t;
      if (failed(r.statusCode ?? 0, String(r.body))) errors++;
      t = performance.now();
      await op.baseline(baseline, fixture, i);
      const baseMs = performance.now() - t;
      if (i >= WARMUP) {
        api.push(apiMs);
        base.push(baseMs);
      }
    }
    const [apiP, baseP] = [percentiles(api), percentiles(base)];
    const row = { api: apiP, baseline: baseP, ratio: p50Ratio(apiP, baseP), errors };
    out.set(op.name, row);
    log(`in-process handler ${op.name}: p50 ${row.api.p50} ms, baseline p50 ${row.baseline.p50} ms${errors ? `; ${errors} errors` : ""}`);
  }
  return out;
}

async function measureLatency(server: ServerChild, token: string, fixture: ApiFixture, baseline: BaselineContext, iterations: number, log: (line: string) => void) {
  const url = server.url;
  const out = new Map<string, { api: Percentiles; baseline: Percentiles; errors: number; serverCpuMs: number; baselineCpuMs: number }>();
  const cpuNow = () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  for (const op of MIX) {
    const api: number[] = [];
    const base: number[] = [];
    let errors = 0;
    let serverCpuStart = 0;
    let baselineCpu = 0;
    for (let i = 0; i < WARMUP + iterations; i++) {
      if (i === WARMUP) serverCpuStart = await server.cpu();
      const body = JSON.stringify({ query: op.query, variables: op.variables(fixture, i) });
      let t = performance.now();
      const r = await post(url, token, body);
      const apiMs = performance.now() - t;
      if (failed(r.status, r.text)) errors++;
      const cpu = cpuNow();
      t = performance.now();
      await op.baseline(baseline, fixture, i);
      const baseMs = performance.now() - t;
      if (i >= WARMUP) {
        baselineCpu += cpuNow() - cpu;
        api.push(apiMs);
        base.push(baseMs);
      }
    }
    const serverCpu = (await server.cpu()) - serverCpuStart;
    const perRequest = (micros: number) => Math.round((micros / 1000 / iterations) * 100) / 100;
    const row = { api: percentiles(api), baseline: percentiles(base), errors, serverCpuMs: perRequest(serverCpu), baselineCpuMs: perRequest(baselineCpu) };
    out.set(op.name, row);
    log(`latency ${op.name}: API p50 ${row.api.p50} ms, baseline p50 ${row.baseline.p50} ms; CPU per request: server ${row.serverCpuMs} ms, baseline ${row.baselineCpuMs} ms${errors ? `; ${errors} errors` : ""}`);
  }
  return out;
}

/** The mix through HTTP at `connections`, round robin per connection (autocannon). */
async function loadMix(url: string, token: string, fixture: ApiFixture, connections: number, seconds: number, onTick?: (second: number) => void) {
  let k = 0;
  const errorsByOp: Record<string, number> = {};
  const firstErrors: string[] = [];
  const requests: AutocannonRequest[] = MIX.map((op) => ({
    method: "POST",
    path: new URL(url).pathname,
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: op.query, variables: op.variables(fixture, k++) }) }),
    onResponse: (status, body) => {
      if (!failed(status, body)) return;
      errorsByOp[op.name] = (errorsByOp[op.name] ?? 0) + 1;
      if (firstErrors.length < 5) firstErrors.push(`${op.name} ${status}: ${body.slice(0, 300)}`);
    },
  }));
  const instance = autocannon({ url, connections, duration: seconds, timeout: 30, headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, requests });
  let second = 0;
  instance.on("tick", () => onTick?.(++second));
  const result = await instance;
  const graphqlErrors = Object.values(errorsByOp).reduce((a, b) => a + b, 0);
  return {
    requests: result.requests.total,
    rps: Math.round((result.requests.total / Math.max(1, result.duration)) * 10) / 10,
    // non2xx are counted by onResponse too; socket errors and timeouts are not.
    errors: result.errors + result.timeouts + graphqlErrors,
    errorsByOp,
    firstErrors,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
  };
}

/** The same mix as direct SDK calls from `concurrency` loops for `seconds`. */
async function rawMix(fixture: ApiFixture, baseline: BaselineContext, concurrency: number, seconds: number) {
  const deadline = performance.now() + seconds * 1000;
  let calls = 0;
  let errors = 0;
  let k = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      for (let j = lane; performance.now() < deadline; j++) {
        const op = MIX[j % MIX.length]!;
        try {
          await op.baseline(baseline, fixture, k++);
          calls++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { calls, errors, rps: Math.round((calls / elapsed) * 10) / 10 };
}

// --- the run ---------------------------------------------------------------------------------

export async function runApiBench(args: ApiBenchArgs, io: Output): Promise<ApiBenchReport> {
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg().map((l) => Number(l.toFixed(2)));
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // Cold start first, on a machine not yet busy with DynamoDB Local's JVM or the server child
  // (it needs neither: the probe's request does not reach DynamoDB).
  let cold: ColdStart | undefined;
  if (args.coldRuns > 0 && args.soak === undefined) {
    const coldToken = await signLocalToken({ tenant: "api", role: "ADMIN", sub: "bench", expiresIn: "1h" });
    cold = await measureColdStart({ token: coldToken, runs: args.coldRuns, env: process.env.JWT_SECRET ? { JWT_SECRET: process.env.JWT_SECRET } : {} });
    io.err(`cold start: bundle ${(cold.bundleBytes / 1e6).toFixed(2)} MB, import ${cold.importMs} ms + first request ${cold.firstRequestMs} ms`);
  }
  const local = await startDynamoLocal({});
  // Interrupted, this process just exits: the server child exits when its IPC channel closes,
  // and the launcher's watchdog kills Java when this process goes away.
  let server: ServerChild | undefined;
  try {
    const table = "bench-api";
    Object.assign(process.env, { DYNAMODB_ENDPOINT: local.endpoint, TABLE_NAME: table, AWS_REGION: "local", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" });
    const client = new DynamoDBClient({ endpoint: local.endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    try {
      await ensureTable(client, table);
    } finally {
      client.destroy();
    }
    resetClients();
    io.err(`DynamoDB Local (in memory) on ${local.endpoint}; load average ${loadAverageAtStart.join(" ")} on ${availableParallelism()} CPUs`);
    const tenantId = "api";
    const loaded = await loadDatasetInChild({ name: "generated", tenantId, members: args.members, seed: args.seed }, (line) => io.err(`load: ${line}`));
    io.err(`loaded ${loaded.members} members, ${loaded.orders} orders, ${loaded.events} events (${loaded.itemsWritten} items) in ${(loaded.loadMs / 1000).toFixed(1)} s`);
    const runId = `b${Date.now().toString(36)}`;
    const { fixture, baseline } = await prepareFixture(tenantId, runId, io.err);
    server = await startServerChild();
    const token = await signLocalToken({ tenant: tenantId, role: "ADMIN", sub: "bench", expiresIn: "12h" });
    io.err(`server child on ${server.url}`);

    const dataset: ApiBenchReport["dataset"] = {
      ...loaded,
      fixture: { tenantId, tier: fixture.tier, campaignId: fixture.campaignId, runId, profiles: fixture.profiles.length, identities: fixture.identities.length, buyers: fixture.buyers.length, redeemers: fixture.redeemers.length },
    };
    const { out: _out, ...options } = args;
    const finish = (rest: Pick<ApiBenchReport, "ops" | "stackFloor" | "httpFloor" | "throughput" | "cold" | "soak" | "targets">): ApiBenchReport => ({
      bench: "api",
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? "unknown", memoryMb: Math.round(totalmem() / (1 << 20)), node: process.version, loadAverageAtStart, loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))) },
      options,
      dataset,
      ...rest,
    });

    if (args.soak !== undefined) {
      const concurrency = args.concurrency[0]!;
      const rssStart = await server.rss();
      io.err(`soak: ${args.soak} s of the mix at concurrency ${concurrency}; server RSS ${mb(rssStart)} MB`);
      let rssWarm: number | undefined;
      const r = await loadMix(server.url, token, fixture, concurrency, args.soak, (s) => {
        if (s % 60 === 0)
          void server!.rss().then((rss) => {
            if (s === 60) rssWarm = rss;
            io.err(`soak: ${s} s, server RSS ${mb(rss)} MB`);
          });
      });
      const rssEnd = await server.rss();
      const grew = rssWarm !== undefined && args.soak >= 120 && rssEnd > rssWarm * SOAK_RSS_GROWTH;
      const soak: SoakResult = {
        seconds: args.soak,
        concurrency,
        requests: r.requests,
        rps: r.rps,
        errors: r.errors,
        errorsByOp: r.errorsByOp,
        firstErrors: r.firstErrors,
        serverRssStartMb: mb(rssStart),
        ...(rssWarm !== undefined ? { serverRssWarmMb: mb(rssWarm) } : {}),
        serverRssEndMb: mb(rssEnd),
        latencyP50: r.latencyP50,
        latencyP99: r.latencyP99,
        passed: r.errors === 0 && !grew,
      };
      io.err(`soak ${soak.passed ? "passed" : "FAILED"}: ${r.errors} errors; server RSS ${soak.serverRssStartMb} MB at start, ${soak.serverRssWarmMb ?? "?"} MB after a minute, ${soak.serverRssEndMb} MB at the end (at most ×${SOAK_RSS_GROWTH} of the warm figure allowed)`);
      const report = finish({ ops: [], throughput: [], soak, targets: { requestsAtMinimum: true, p50Within130: true } });
      write(args.out, report);
      io.out(formatApiTables(report));
      io.out(`figures written to ${args.out}`);
      return report;
    }

    const counts = await countMix(fixture, baseline);
    for (const c of counts) io.err(`requests ${c.op}: ${c.requests} in ${c.levels} level(s) ${JSON.stringify(c.byCommand)}; baseline ${c.baselineRequests} in ${c.baselineLevels}`);
    const stackFloor = await measureFloor(server.url, token, args.iterations, server.cpu);
    io.err(`stack floor ({ __typename } over HTTP): p50 ${stackFloor.p50} ms`);
    const httpFloor = await measureBareHttp(args.iterations);
    io.err(`bare loopback HTTP to a Node process: p50 ${httpFloor.p50} ms`);
    const latency = await measureLatency(server, token, fixture, baseline, args.iterations, io.err);
    const inProcess = await measureHandlerLatency(token, fixture, baseline, args.iterations, io.err);
    const ops: OpRow[] = MIX.map((op) => {
      const c = counts.find((r) => r.op === op.name)!;
      const l = latency.get(op.name)!;
      return {
        ...c,
        description: op.description,
        minimumRequests: op.minimum.requests,
        minimumLevels: op.minimum.levels,
        minimumHow: op.minimum.how,
        api: l.api,
        baseline: l.baseline,
        ratio: p50Ratio(l.api, l.baseline),
        serverCpuMs: l.serverCpuMs,
        baselineCpuMs: l.baselineCpuMs,
        apiErrors: l.errors,
        handler: inProcess.get(op.name),
      };
    });

    const throughput: ThroughputRow[] = [];
    for (const concurrency of args.concurrency) {
      const api = await loadMix(server.url, token, fixture, concurrency, args.duration);
      const raw = await rawMix(fixture, baseline, concurrency, args.duration);
      throughput.push({ concurrency, durationS: args.duration, apiRps: api.rps, apiRequests: api.requests, apiErrors: api.errors, apiLatencyP50: api.latencyP50, apiLatencyP99: api.latencyP99, rawRps: raw.rps, rawCalls: raw.calls, rawErrors: raw.errors, ratio: Math.round((api.rps / Math.max(0.1, raw.rps)) * 100) / 100 });
      io.err(`throughput at ${concurrency}: API ${api.rps} req/s (${api.errors} errors${api.firstErrors.length ? `: ${api.firstErrors[0]}` : ""}), raw ${raw.rps} calls/s (${raw.errors} errors)`);
    }

    const at16 = throughput.find((t) => t.concurrency === 16);
    const report = finish({
      ops,
      stackFloor,
      httpFloor,
      throughput,
      cold,
      targets: {
        requestsAtMinimum: ops.every((o) => o.requests <= o.minimumRequests),
        p50Within130: ops.every((o) => o.ratio <= 1.3),
        throughputAt16Within70: at16 ? at16.ratio >= 0.7 : undefined,
        bundleUnder1_5MB: cold ? cold.bundleBytes <= 1.5e6 : undefined,
        coldStartUnder300ms: cold ? cold.coldStartMs <= 300 : undefined,
      },
    });
    write(args.out, report);
    io.out(formatApiTables(report));
    io.out(`figures written to ${args.out}`);
    return report;
  } finally {
    await server?.stop().catch(() => {});
    agent.destroy();
    resetClients();
    await local.stop();
  }
}

const mb = (bytes: number) => Math.round(bytes / (1 << 20));

function write(path: string, report: ApiBenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
