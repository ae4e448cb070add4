import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { connect, createServer, type Server } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const START = "packages/functions/src/local/start.ts";

interface Started {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  // A failed test must not leave the server behind; the watchdog then takes Java down too.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Runs `npm start`'s entry the way package.json does: node --import tsx (no tsx CLI child). */
function start(args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, ["--import", "tsx", START, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exit = once(child, "exit").then(([code]) => code as number | null);
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor(started: Started, pattern: RegExp, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pattern.test(started.stdout())) {
    if (started.child.exitCode !== null) throw new Error(`start.ts exited (${started.child.exitCode}):\n${started.stdout()}\n${started.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms:\n${started.stdout()}\n${started.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once("error", () => resolvePort(false));
  });
}

async function closesWithin(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (await portOpen(port)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

const dynamoPortOf = (stdout: string) => Number(/DynamoDB Local\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);

describe("npm start", () => {
  it("serves the API with the demo brand, its metrics and a working ADMIN token, runs the schedules on request, and SIGTERM stops it and Java", { timeout: 180_000 }, async () => {
    const started = start(["--in-memory", "--schedules"], { PORT: "0", DEMO_MEMBERS: "20", TENANTS: "" });
    await waitFor(started, /Ctrl-C stops/, 150_000);
    const stdout = started.stdout();
    const url = /GraphQL API\s+(http:\/\/localhost:\d+\/graphql)/.exec(stdout)?.[1];
    const token = /^(eyJ[\w-]+\.[\w-]+\.[\w-]+)$/m.exec(stdout)?.[1];
    const dynamoPort = dynamoPortOf(stdout);
    expect(url, stdout).toBeDefined();
    expect(token, stdout).toBeDefined();
    expect(dynamoPort).toBeGreaterThan(0);
    expect(stdout).toMatch(/Demo brand\s+20 members/);
    // The demo's metrics as of its latest complete day, one line per job, before the API is ready.
    const metrics = stdout.split("\n").filter((l) => l.startsWith("Metrics "));
    expect(metrics.map((l) => /^Metrics\s+(weekly retention|monthly retention|CLV|tiers|KPIs|member base|segments for demo) as of \d{4}-\d{2}-\d{2}: .* \(\d+\.\d s\)$/.exec(l)?.[1]), stdout).toEqual(["weekly retention", "monthly retention", "CLV", "tiers", "KPIs", "KPIs", "member base", "member base", "segments for demo"]);
    expect(stdout.indexOf("Metrics ")).toBeLessThan(stdout.indexOf("GraphQL API"));
    // The schedules of the cloud, on local timers.
    expect(stdout).toMatch(/^Schedule\s+retention for demo: daily at 02:00 Asia\/Shanghai \(cron\(0 18 \* \* \? \*\)\), next \d{4}-\d{2}-\d{2}T18:00:00\.000Z$/m);
    expect(stdout).toMatch(/^Schedule\s+tiers for demo: daily at 03:00 Asia\/Shanghai/m);
    expect(stdout).toMatch(/^Schedule\s+kpi for demo: daily at 03:30 Asia\/Shanghai/m);
    expect(stdout).toContain(`curl -s ${url}`);

    const post = async (query: string) => {
      const res = await fetch(url!, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
      expect(res.status).toBe(200);
      return (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    };
    expect(await post("{ viewer { tenantId role } }")).toEqual({ data: { viewer: { tenantId: "demo", role: "ADMIN" } } });
    expect(await post("{ tenantSettings { currency } }")).toEqual({ data: { tenantSettings: { currency: "CNY" } } });
    const members = (await post("{ members(first: 5) { edges { node { id } } } }")) as { data: { members: { edges: unknown[] } } };
    expect(members.data.members.edges).toHaveLength(5);
    const metricsData = (await post("{ tierPyramid { current { counts { total } } } cohortRetention(period: WEEK, basis: ANY_ACTIVITY) { members } clvSnapshot { members } }")) as {
      data: { tierPyramid: { current: { counts: { total: number } } }; cohortRetention: { members: number }; clvSnapshot: { members: number } };
    };
    expect(metricsData.data).toEqual({ tierPyramid: { current: { counts: { total: 20 } } }, cohortRetention: { members: 20 }, clvSnapshot: { members: 20 } });
    // Saved segments, materialised, and content items with their workflow states.
    const demo = (await post("{ segments(first: 10) { edges { node { name size computedAt } } } contents(first: 20) { edges { node { id status } } } contentPyramid { pyramidType live } }")) as {
      data: { segments: { edges: { node: { size: number | null; computedAt: string | null } }[] }; contents: { edges: { node: { status: string } }[] }; contentPyramid: { live: number }[] };
    };
    expect(demo.data.segments.edges).toHaveLength(6);
    for (const { node } of demo.data.segments.edges) expect(node.computedAt).not.toBeNull();
    expect(demo.data.contents.edges.map((e) => e.node.status).sort()).toEqual([...Array(12).fill("PUBLISHED"), "ARCHIVED", "DRAFT", "SCHEDULED"].sort());
    expect(demo.data.contentPyramid.reduce((s, l) => s + l.live, 0)).toBe(14);
    // The winter coupon campaign's coupons went to its (materialised) segment.
    expect(stdout).toMatch(/^Coupons\s+\d+ winter coupons issued/m);
    const coupons = (await post(`{ campaign(id: "cp-winter-coupons") { couponStats { issued } } }`)) as { data: { campaign: { couponStats: { issued: number } } } };
    expect(coupons.data.campaign.couponStats.issued).toBe(Number(/^Coupons\s+(\d+)/m.exec(stdout)![1]));
    // The printed partner key works and sees the partner view only.
    const partnerKey = /^(pdk\.demo\.[\w-]+\.[\w-]+)$/m.exec(stdout)?.[1];
    expect(partnerKey, stdout).toBeDefined();
    const asPartner = await fetch(url!, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${partnerKey}` }, body: JSON.stringify({ query: "{ viewer { role } jointCampaigns { id status } }" }) });
    expect(await asPartner.json()).toEqual({ data: { viewer: { role: "PARTNER" }, jointCampaigns: [{ id: "cp-winter-coupons", status: "RUNNING" }, { id: "cp-2026-mid-autumn", status: "ENDED" }] } });
    // KPIs out of the box: the latest snapshot, and the demo data's last day with its marketing spend.
    const kpis = (await post('{ latest: metricsOverview { overall { growth { members } } } dataEnd: metricsOverview(asOf: "2026-10-31") { overall { growth { members } acquisition { spend { minor } } } } }')) as {
      data: { latest: { overall: { growth: { members: number } } }; dataEnd: { overall: { growth: { members: number }; acquisition: { spend: { minor: number } } } } };
    };
    expect(kpis.data.latest.overall.growth.members).toBe(20);
    expect(kpis.data.dataEnd.overall.growth.members).toBe(20);
    expect(kpis.data.dataEnd.overall.acquisition.spend.minor).toBeGreaterThan(0);
    // The demo's service desk (20 members: one ticket, opened 2026-09-29 Shanghai).
    expect(stdout).toMatch(/^Service\s+1 tickets, \d+ satisfaction answers/m);
    const service = (await post('{ serviceMetrics(range: { from: "2026-08-03", to: "2026-10-31" }) { overall { tickets } } }')) as { data: { serviceMetrics: { overall: { tickets: number } } } };
    expect(service.data.serviceMetrics.overall.tickets).toBe(1);

    started.child.kill("SIGTERM");
    const code = await Promise.race([started.exit, new Promise<string>((r) => setTimeout(() => r("still running"), 30_000))]);
    expect(code).toBe(0);
    expect(await closesWithin(dynamoPort, 3_000)).toBe(true);
    expect(await portOpen(Number(new URL(url!).port))).toBe(false);
  });

  it("says in one line that the API port is taken and exits 1 before starting Java", { timeout: 120_000 }, async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const started = start(["--in-memory"], { PORT: String(port), DEMO_MEMBERS: "0" });
      const code = await Promise.race([started.exit, new Promise<string>((r) => setTimeout(() => r("still running"), 90_000))]);
      expect(code, started.stderr()).toBe(1);
      expect(started.stderr().trim()).toMatch(new RegExp(`^error: port ${port} is in use[^\\n]*$`));
      expect(started.stdout()).toBe("");
    } finally {
      blocker.close();
    }
  });

  it("says in one line that Java is missing", { timeout: 60_000 }, async () => {
    const started = start(["--in-memory"], { PATH: "/nonexistent" });
    expect(await started.exit).toBe(1);
    expect(started.stderr().trim()).toMatch(/^error: Java 17\+ is required to run DynamoDB Local: install it [^\n]*$/);
    expect(started.stdout()).toBe("");
  });
});
