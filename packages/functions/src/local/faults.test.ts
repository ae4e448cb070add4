import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamo, resetClients, tableName } from "@growth/core/db/client";
import { importCsv } from "@growth/core/importer";
import { runJob } from "@growth/core/jobs";
import { listMembers } from "@growth/core/member";
import { getClvSnapshot } from "@growth/core/metrics/clv-job";
import { getKpiSnapshot } from "@growth/core/metrics/kpi";
import { getMemberBaseBreakdown } from "@growth/core/metrics/member-base";
import { getRetention } from "@growth/core/metrics/retention";
import { getTierSnapshot } from "@growth/core/metrics/tiers";
import { createSegment, getSegment } from "@growth/core/segment";
import { newTenantId } from "../test/tenant.js";
import { startDynamoLocal, type DynamoLocal } from "./dynamo-local.js";
import { ensureTable } from "./ensure-table.js";

/**
 * Faults (issue "Security and reliability"): DynamoDB Local, on disk, is killed (SIGKILL, as a
 * crash) in the middle of a bulk import and in the middle of each metrics job, then started
 * again on the same files; the rerun must finish with exact totals, equal to a twin tenant that
 * got the same data and jobs without a crash.
 */

const dataDir = mkdtempSync(join(tmpdir(), "growth-faults-"));
const shared = process.env.DYNAMODB_ENDPOINT;
let db: DynamoLocal;
let crashes = 0;

async function start(port?: number): Promise<void> {
  db = await startDynamoLocal({ dataDir, port });
  process.env.DYNAMODB_ENDPOINT = db.endpoint;
  resetClients();
}

/** Kills the database, then brings it back on the same port and files. */
async function crashAndRestart(): Promise<void> {
  const port = db.port;
  await db.crash();
  crashes++;
  await start(port);
}

beforeAll(async () => {
  await start();
  await ensureTable(dynamo(), tableName());
}, 120_000);

afterAll(async () => {
  await db?.stop();
  process.env.DYNAMODB_ENDPOINT = shared;
  resetClients();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`faults: DynamoDB Local killed and restarted ${crashes} times`);
});

// A fixed brand in CDNOW's transaction format: 150 customers with 1 to 13 purchases each (a
// skewed mix, as real buyers are, so the CLV model has heterogeneity to fit) over 1997-1998.
const ROWS = Array.from({ length: 150 }, (_, k) => {
  const u = ((k * 37) % 150) / 150;
  const orders = 1 + Math.floor(12 * u ** 3);
  const first = (k * 211) % 400;
  return Array.from({ length: orders }, (_, j) => ({
    customer: String(k).padStart(5, "0"),
    day: new Date(Date.UTC(1997, 0, 1) + (first + ((j * (k + 17) * 13) % (700 - first))) * 86_400_000).toISOString().slice(0, 10),
    cents: 500 + ((k * 31337 + j * 7919) % 9_500),
  }));
}).flat();
const file = join(dataDir, "transactions.csv");
writeFileSync(file, ["customer_id,date,quantity,amount", ...ROWS.map((r) => `${r.customer},${r.day},1,${(r.cents / 100).toFixed(2)}`)].join("\n"));
const expected = { members: new Set(ROWS.map((r) => r.customer)).size, orders: ROWS.length, amountMinor: ROWS.reduce((s, r) => s + r.cents, 0) };

async function memberTotals(tenantId: string) {
  let after: string | null | undefined;
  const totals = { members: 0, orders: 0, amountMinor: 0 };
  do {
    const page = await listMembers(tenantId, {}, { first: 100, after });
    for (const m of page.items) {
      totals.members++;
      totals.orders += m.orderCount;
      totals.amountMinor += m.grossSpendMinor;
    }
    after = page.hasNextPage ? page.endCursor : undefined;
  } while (after);
  return totals;
}

const crashed = newTenantId("crash");
const twin = newTenantId("twin");
const AS_OF = "1998-12-31";

describe("a crash of DynamoDB", () => {
  it("in the middle of a bulk import: the rerun finishes with exact totals", { timeout: 600_000 }, async () => {
    let killed: Promise<void> | undefined;
    const first = importCsv(crashed, "transactions", file, {
      batchSize: 100,
      onProgress: (p) => {
        if (!killed && p.rows >= ROWS.length / 3) killed = db.crash().then(() => void crashes++);
      },
    }).then(
      () => "finished",
      () => "failed",
    );
    expect(await first).toBe("failed");
    await killed;
    await start(db.port);
    const rerun = await importCsv(crashed, "transactions", file, { batchSize: 100 });
    expect(rerun.rows).toBe(ROWS.length);
    expect(rerun.imported + rerun.unchanged).toBe(ROWS.length);
    expect(rerun.imported).toBeGreaterThan(0); // the crash left work to do
    expect(rerun.totals.amountMinor).toBe(expected.amountMinor);
    expect(await memberTotals(crashed)).toEqual(expected);
    // Once more: nothing left to write.
    expect(await importCsv(crashed, "transactions", file, { batchSize: 100 })).toMatchObject({ imported: 0, unchanged: ROWS.length, membersCreated: 0, ordersCreated: 0 });

    await importCsv(twin, "transactions", file, { batchSize: 100 });
    expect(await memberTotals(twin)).toEqual(expected);
  });

  // `sameTenant`: compared with an uninterrupted run of the crashed tenant itself. The CLV fit is an
  // optimisation whose result depends on the order of its floating-point sums, and a twin tenant's
  // items fall into other scan segments (the tenant is part of every key); the others are counts.
  const JOBS: { job: string; params?: Record<string, string>; read: (tenantId: string) => Promise<unknown>; sameTenant?: true }[] = [
    { job: "retention", params: { period: "MONTH" }, read: (t) => getRetention(t, { period: "MONTH", basis: "ANY_ACTIVITY", asOf: AS_OF }) },
    { job: "predictive-clv", read: (t) => getClvSnapshot(t, AS_OF), sameTenant: true },
    { job: "member-base", read: (t) => getMemberBaseBreakdown(t, "TIER", AS_OF) },
    { job: "tiers", read: (t) => getTierSnapshot(t, AS_OF) },
    { job: "kpi", read: (t) => getKpiSnapshot(t, { asOf: AS_OF }) },
    { job: "segments", read: async (t) => (await getSegment(t, segmentOf.get(t)!, true)).size },
  ];
  const segmentOf = new Map<string, string>();

  it("in the middle of each metrics job: the rerun resumes and equals an uninterrupted run", { timeout: 600_000 }, async () => {
    for (const t of [crashed, twin]) {
      const segment = await createSegment(t, { name: "Big spenders", rule: { condition: { field: "NET_SPEND", op: "GTE", value: 200 } } }, { actor: "test" });
      segmentOf.set(t, segment.segmentId);
    }
    for (const { job, params, read, sameTenant } of JOBS) {
      const reference = sameTenant ? crashed : twin;
      await runJob(job, { tenantId: reference, asOf: AS_OF, params, segments: 4, workers: 1, fresh: true });
      const expectedSnapshot = comparable(await read(reference), reference);
      let killedAt: number | undefined;
      const interrupted = await runJob(job, {
        tenantId: crashed,
        asOf: AS_OF,
        params,
        segments: 4,
        workers: 1,
        concurrency: 1,
        fresh: true,
        afterSegment: async (_stats, done) => {
          if (done === 2 && killedAt === undefined) {
            killedAt = done;
            await db.crash();
            crashes++;
          }
        },
      }).then(
        () => "finished",
        () => "failed",
      );
      expect(interrupted, job).toBe("failed");
      await start(db.port);
      const rerun = await runJob(job, { tenantId: crashed, asOf: AS_OF, params, segments: 4, workers: 1 });
      expect(rerun.segmentsSkipped.length, `${job} resumed from its checkpoints`).toBeGreaterThanOrEqual(1);
      expect(comparable(await read(crashed), crashed), job).toEqual(expectedSnapshot);
      // The twin gets what the job wrote too (the CLV items later jobs read).
      if (sameTenant) await runJob(job, { tenantId: twin, asOf: AS_OF, params, segments: 4, workers: 1 });
    }
  });
});

/**
 * A snapshot without what differs between two tenants' runs by design (ids, tenant, clocks),
 * numbers to 6 significant digits: a resumed run merges its segments' partials in another
 * order, and floating-point sums (the CLV fit's likelihood) differ in their last bits.
 */
function comparable(value: unknown, tenantId: string): unknown {
  const text = JSON.stringify(value, (key, v) =>
    ["computedAt", "jobId", "createdAt", "updatedAt", "startedAt", "finishedAt", "tenantId", "ms", "evaluations"].includes(key) ? undefined : typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v,
  );
  return JSON.parse(text.replaceAll(tenantId, "<tenant>"));
}
