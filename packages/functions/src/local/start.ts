import cliProgress from "cli-progress";
import { createServer } from "node:net";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { DynamoLocal } from "./dynamo-local.js";
import type { RunningHttpServer } from "./http.js";
import type { LocalSchedules } from "./metrics-jobs.js";
import { checkJava } from "./java.js";

/**
 * `npm start`: the whole API on this machine.
 *
 *   1. DynamoDB Local (Java, watchdogged: it dies with this process, even on SIGKILL), data in
 *      `<repo>/.data/dynamodb`, or in memory with `--in-memory` / DYNAMO_IN_MEMORY=1; its port
 *      from DYNAMO_PORT, else a free one;
 *   2. the table, created if missing (the definition the SST stack deploys);
 *   3. the demo brand in tenant `demo` when that tenant has no members yet (DEMO_MEMBERS sets its
 *      size, default DEFAULT_DEMO_MEMBERS (1500); 0 skips it); an interrupted load is resumed on
 *      the next start;
 *   4. the demo's metrics (retention WEEK and MONTH, predictive CLV, tiers) as of its latest
 *      complete day, each job only when its snapshot for that day is missing (one line each);
 *   5. the GraphQL API on PORT (default 4000), with a ready-to-use ADMIN token for `demo`;
 *   6. with `--schedules` or LOCAL_SCHEDULES=1: the cloud's job schedules (JOB_SCHEDULES, same
 *      cron expressions) on timers in this process, for the tenants in TENANTS (default demo).
 *
 * Ctrl-C or SIGTERM stops the HTTP server and Java, then exits 0.
 *
 * Modules that touch the AWS SDK are imported dynamically, once the environment below is set.
 *
 * Run it as `node --import tsx packages/functions/src/local/start.ts` (what `npm start` does):
 * tsx's own CLI runs the script in a child process, which a SIGKILL of the parent would orphan.
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const TABLE_NAME = "growth-local";
const DEMO_TENANT = "demo";
const TOKEN_LIFETIME = "30d";

class StartError extends Error {}

function options() {
  let values: { "in-memory"?: boolean; schedules?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { "in-memory": { type: "boolean" }, schedules: { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (error) {
    throw new StartError(`${(error as Error).message.split("\n")[0]} (usage: npm start [-- --in-memory] [--schedules])`);
  }
  const env = process.env;
  const yes = (value: string | undefined) => ["1", "true", "yes"].includes((value ?? "").toLowerCase());
  const inMemory = values["in-memory"] === true || yes(env.DYNAMO_IN_MEMORY);
  const tenants = (env.TENANTS ?? "").split(",").map((t) => t.trim()).filter(Boolean);
  for (const t of tenants) if (!/^[A-Za-z0-9_-]{1,64}$/.test(t)) throw new StartError(`TENANTS: "${t}" is not a tenant id (1-64 letters, digits, _ or -)`);
  return {
    help: values.help === true,
    inMemory,
    schedules: values.schedules === true || yes(env.LOCAL_SCHEDULES),
    /** Tenants the local schedules run for. */
    scheduleTenants: tenants.length > 0 ? [...new Set(tenants)] : [DEMO_TENANT],
    dynamoPort: env.DYNAMO_PORT ? portNumber(env.DYNAMO_PORT, "DYNAMO_PORT", 1) : undefined,
    port: env.PORT ? portNumber(env.PORT, "PORT", 0) : 4000,
    /** Undefined: the demo's default size. */
    demoMembers: env.DEMO_MEMBERS ? wholeNumber(env.DEMO_MEMBERS, "DEMO_MEMBERS", 0, 100_000) : undefined,
  };
}

function portNumber(text: string, name: string, min: number): number {
  return wholeNumber(text, name, min, 65_535);
}

function wholeNumber(text: string, name: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new StartError(`${name} must be a whole number from ${min} to ${max} (got "${text}")`);
  return value;
}

const portTaken = (port: number) => new StartError(`port ${port} is in use (another npm start?): stop it or set PORT, e.g. PORT=${port + 1} npm start`);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once("error", () => resolvePort(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolvePort(true)));
  });
}

const out = (line = "") => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let dynamo: DynamoLocal | undefined;
let http: RunningHttpServer | undefined;
let schedules: LocalSchedules | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    schedules?.stop();
    const force = setTimeout(() => process.exit(code), 15_000);
    force.unref();
    await http?.stop().catch(() => {});
    await dynamo?.stop().catch(() => {});
  }
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130); // a second Ctrl-C: do not wait any longer
    if (signal === "SIGINT") out("\nStopping...");
    void shutdown(0);
  });
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.help) {
    out("usage: npm start [-- --in-memory] [--schedules]   env: PORT (4000), DYNAMO_PORT, DYNAMO_IN_MEMORY=1, DEMO_MEMBERS (1500, 0 = no demo), LOCAL_SCHEDULES=1, TENANTS (demo)");
    return;
  }
  const java = checkJava();
  if (!java.ok) throw new StartError(java.message);
  // Fail before a long demo load rather than after it (the listen below still handles a race).
  if (opts.port !== 0 && !(await portFree(opts.port))) throw portTaken(opts.port);

  // The SDK warns about Node 20 when it loads; that is noise for a local run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { startDynamoLocal } = await import("./dynamo-local.js");
  const dataDir = opts.inMemory ? undefined : join(REPO_ROOT, ".data", "dynamodb");
  try {
    dynamo = await startDynamoLocal({ dataDir, port: opts.dynamoPort });
  } catch (error) {
    throw new StartError(`could not start DynamoDB Local: ${(error as Error).message}`);
  }
  if (stopping) return;
  out(`DynamoDB Local  ${dynamo.endpoint}  (${dataDir ? `data in ${relative(process.cwd(), dataDir) || dataDir}` : "in memory"})`);

  // Before anything that builds an SDK client reads them.
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    TABLE_NAME,
    AWS_REGION: "local",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    STAGE: "local",
  });

  const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  const { ensureTable } = await import("./ensure-table.js");
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    const table = await ensureTable(client, TABLE_NAME);
    out(`Table           ${TABLE_NAME} (${table === "created" ? "created" : "exists"})`);
  } finally {
    client.destroy();
  }

  const { DEFAULT_DEMO_MEMBERS } = await import("@growth/core/demo");
  const demoMembers = opts.demoMembers ?? DEFAULT_DEMO_MEMBERS;
  if (demoMembers > 0 && (await demo(demoMembers)) && !stopping) {
    // Non-member sales for the member-base snapshot's private-domain share (once; replaced by day and channel).
    const { ensureDemoNonMemberSales, generateDemoBrand, DEFAULT_DEMO_SEED } = await import("@growth/core/demo");
    await ensureDemoNonMemberSales(DEMO_TENANT, generateDemoBrand(DEFAULT_DEMO_SEED, demoMembers));
    // The demo's service tickets and surveys, before the jobs so the KPI snapshot has service metrics.
    const desk = await (await import("@growth/core/demo")).ensureDemoService(DEMO_TENANT, demoMembers).catch((error: Error) => {
      out(`Service         loading the demo's service tickets failed: ${error.message} (the next npm start resumes it)`);
      return undefined;
    });
    if (desk && desk.opened + desk.steps > 0) out(`Service         ${desk.tickets} tickets, ${desk.surveys} satisfaction answers (serviceMetrics, ticketsAwaitingResponse)`);
    const { runDemoJobs } = await import("./metrics-jobs.js");
    await runDemoJobs(DEMO_TENANT, out, { stopping: () => stopping });
    // The winter coupon, once its segment is materialised (the segments job above).
    const issued = stopping ? undefined : await (await import("@growth/core/demo")).issueDemoCoupons(DEMO_TENANT).catch((error: Error) => {
      out(`Coupons         issuing the demo's winter coupon failed: ${error.message}`);
      return undefined;
    });
    if (issued !== undefined) out(`Coupons         ${issued} winter coupons issued to members reachable on WeChat (campaign cp-winter-coupons)`);
    // A chain of referrals through invite codes in the running fission campaign (once).
    const referred = stopping ? undefined : await (await import("@growth/core/demo")).loadDemoReferrals(DEMO_TENANT).catch((error: Error) => {
      out(`Referrals       the demo's referral chain failed: ${error.message}`);
      return undefined;
    });
    if (referred) out(`Referrals       ${referred} referrals recorded through invite codes in cp-bring-a-friend (K-factor 2.0, 4 first orders rewarded)`);
    // The journeys once now (welcome for those new members, win-back for members crossing 60 days); rerun-safe.
    if (!stopping) {
      const { runLocally } = await import("./metrics-jobs.js");
      await runLocally("journeys", DEMO_TENANT, {}, undefined, { fresh: true }).then(
        (r) => out(`Journeys        ${r.summary}`),
        (error: Error) => out(`Journeys        the journeys run failed: ${error.message}`),
      );
    }
  }
  if (stopping) return;

  const { startHttpServer } = await import("./http.js");
  try {
    http = await startHttpServer({ port: opts.port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw portTaken(opts.port);
    throw error;
  }
  const url = `http://localhost:${http.port}/graphql`;

  const { signLocalToken } = await import("../graphql/auth.js");
  let token: string | undefined;
  try {
    token = await signLocalToken({ tenant: DEMO_TENANT, role: "ADMIN", expiresIn: TOKEN_LIFETIME });
  } catch (error) {
    out(`(no local token: ${(error as Error).message})`);
  }

  out();
  out(`GraphQL API     ${url}   (ready ${seconds(process.uptime() * 1000)} after start)`);
  if (token) {
    out();
    out(`ADMIN token for tenant "${DEMO_TENANT}" (valid 30 days; more with npm run token -- --tenant <id> --role <role>):`);
    out(token);
    out();
    out("Try it:");
    const query = JSON.stringify({ query: "{ viewer { tenantId role } members(first: 3) { edges { node { id name tier tags stats { orderCount } } } } }" });
    out(`curl -s ${url} -H 'content-type: application/json' -H 'authorization: Bearer ${token}' -d '${query}'`);
  }
  const partnerKey = demoMembers > 0 ? await (await import("@growth/core/demo")).rotateDemoPartnerKey(DEMO_TENANT) : undefined;
  if (partnerKey) {
    out();
    out(`Partner key for "neighbour-bakery", the demo's co-marketing partner (new each start, the previous one revoked; README "Partner integration"):`);
    out(partnerKey);
    const partnerQuery = JSON.stringify({ query: "{ jointCampaigns { id name status results { funnel { step members { value suppressed } } orders { value suppressed } } } }" });
    out(`curl -s ${url} -H 'content-type: application/json' -H 'authorization: Bearer ${partnerKey}' -d '${partnerQuery}'`);
  }
  if (opts.schedules) {
    const { startLocalSchedules } = await import("./metrics-jobs.js");
    schedules = startLocalSchedules({ tenants: opts.scheduleTenants, out });
    out();
    for (const s of schedules.upcoming()) {
      out(`Schedule        ${s.job} for ${opts.scheduleTenants.join(", ")}: ${s.description} (${s.cron}), next ${s.at?.toISOString() ?? "never"}`);
    }
  }
  out();
  out("Ctrl-C stops the API and DynamoDB Local.");
}

/** Loads (or resumes) the demo; true when the demo brand is there afterwards. */
async function demo(members: number): Promise<boolean> {
  const { listMembers } = await import("@growth/core/member");
  const { isDemoLoaded, isDemoStarted, loadDemoBrand } = await import("@growth/core/demo");
  const existing = await listMembers(DEMO_TENANT, {}, { first: 1 });
  if (existing.items.length > 0) {
    if (await isDemoLoaded(DEMO_TENANT, { members })) {
      out(`Demo brand      tenant "${DEMO_TENANT}" (already loaded)`);
      // A demo loaded before marketing spend existed gets it now (the KPI snapshot's CAC and ROI).
      const { ensureDemoSpend, generateDemoBrand, DEFAULT_DEMO_SEED } = await import("@growth/core/demo");
      await ensureDemoSpend(DEMO_TENANT, generateDemoBrand(DEFAULT_DEMO_SEED, members));
      return true;
    }
    if (!(await isDemoStarted(DEMO_TENANT, { members }))) {
      out(`Demo brand      tenant "${DEMO_TENANT}" has other members: demo not loaded (delete .data to start afresh)`);
      return false;
    }
    out(`Demo brand      the last load into tenant "${DEMO_TENANT}" did not finish: resuming`);
  } else {
    out(`Demo brand      loading ${members.toLocaleString("en-US")} members into tenant "${DEMO_TENANT}" (first start only)`);
  }

  const interactive = process.stdout.isTTY === true;
  const bar = interactive
    ? new cliProgress.SingleBar(
        { format: "                {bar} {percentage}% | {value}/{total} members | {orders} orders, {events} events | {duration}s", hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let nextLine = 0.25;
  bar?.start(members, 0, { orders: 0, events: 0 });
  try {
    const result = await loadDemoBrand(DEMO_TENANT, {
      members,
      staff: true,
      onProgress: (p) => {
        if (stopping) return;
        bar?.update(p.membersDone, { orders: p.written.orders, events: p.written.events });
        if (!bar && p.phase === "members" && p.membersTotal > 0 && p.membersDone / p.membersTotal >= nextLine) {
          out(`                ${p.membersDone}/${p.membersTotal} members, ${p.written.orders} orders, ${p.written.events} events`);
          while (p.membersDone / p.membersTotal >= nextLine) nextLine += 0.25;
        }
      },
    });
    bar?.stop();
    const w = result.written;
    out(
      `Demo brand      ${result.planned.members} members, ${result.planned.stores} stores, ${result.planned.orders} orders, ${result.planned.refunds} refunds, ` +
        `${result.planned.events} events, ${result.planned.redemptions} redemptions (${w.members + w.orders + w.refunds + w.events + w.redemptions + w.stores} records written in ${seconds(result.ms)})`,
    );
    return true;
  } catch (error) {
    bar?.stop();
    if (stopping) return false;
    throw new StartError(`the demo load failed: ${(error as Error).message} (the next npm start resumes it)`);
  }
}

try {
  await main();
} catch (error) {
  if (!stopping) {
    if (error instanceof StartError) process.stderr.write(`error: ${error.message}\n`);
    else process.stderr.write(`error: ${(error as Error)?.stack ?? String(error)}\n`);
    await shutdown(1);
  }
}
