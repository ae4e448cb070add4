/**
 * The tiers job against DynamoDB Local, on a hand-placed fixture (as of 2026-06-30, Shanghai)
 * whose expected tiers are worked out by hand below; then an idempotent rerun, a fresh rerun, a
 * backfill and a run killed half-way through applying its changes.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { documentClient, tableName } from "../../db/client.js";
import { resolveContext } from "../../jobs/context.js";
import { getRunRecord } from "../../jobs/runs.js";
import { runJob, type JobRunResult } from "../../jobs/run.js";
import { scanSegment } from "../../jobs/scan.js";
import { runPartition } from "../../jobs/segment.js";
import { createMember } from "../../member/create.js";
import { eraseMember } from "../../member/erase.js";
import { listTierHistory } from "../../member/history.js";
import { mergeMembers } from "../../member/merge.js";
import { getMember } from "../../member/read.js";
import type { Tier } from "../../member/types.js";
import { recordEvent } from "../../event/record.js";
import { recordOrder } from "../../order/record.js";
import { recordRefund } from "../../order/refund.js";
import { getSettings, updateTierThresholds } from "../../tenant/settings.js";
import { actor, newTenantId } from "../../test/tenant.js";
import { clvKeys } from "../clv-job/keys.js";
import { finishTiers, tiersJob, type TiersRun } from "./job.js";
import { getTierSnapshot, listTierSnapshots, TIERS_ACTOR } from "./store.js";

/** Lets a test make `setTier` fail after some calls (a run killed while applying changes). */
const failing = vi.hoisted(() => ({ after: Number.POSITIVE_INFINITY, calls: 0 }));
vi.mock("../../member/tier.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../member/tier.js")>();
  return {
    ...original,
    setTier: async (...args: Parameters<typeof original.setTier>) => {
      if (failing.calls++ >= failing.after) throw new Error("killed while applying tier changes");
      return original.setTier(...args);
    },
  };
});

const AS_OF = "2026-06-30";
/** Shanghai wall clock → the instant the API stores. */
const sh = (local: string) => `${local}+08:00`;

/**
 * Test thresholds. CORE: ≥ 3 orders, ≥ 500.00 net, r < 30; or predicted CLV ≥ 1,000.00 and
 * r < 90. LOYAL: ≥ 2 orders or ≥ 3 events, r < 60. ACTIVE: r < 90. (r = days since the last
 * activity as of 06-30: 06-20 → 10, 06-01 → 29, 05-01 → 60, 04-01 → 90.)
 */
const THRESHOLDS = {
  core: { minOrders: 3, minNetSpendMinor: 50_000, activeWithinDays: 30, minPredictedClvMinor: 100_000 },
  loyal: { minOrders: 2, minEvents: 3, activeWithinDays: 60 },
  active: { activeWithinDays: 90 },
};

interface Fixture {
  id: string;
  tier: Tier;
  joined?: string;
  orders?: [day: string, yuan: number, refund?: number][];
  events?: string[];
  /** Predicted CLV in minor units on the member's CLV item. */
  clv?: number;
  /** Expected: [tier, rule] or "skipped". */
  expect: [Tier, string] | "skipped";
}

const FIXTURE: Fixture[] = [
  // 3 orders, 550.00 net, r = 10: CORE by value.
  { id: "a01", tier: "SILENT", orders: [["2026-06-10T12:00:00", 200], ["2026-06-15T12:00:00", 200], ["2026-06-20T12:00:00", 150]], expect: ["CORE", "CORE_VALUE"] },
  // 3 orders, 600.00 paid but 150.00 refunded: 450.00 net < 500.00, r = 5: LOYAL by repeat purchase.
  { id: "a02", tier: "CORE", orders: [["2026-06-05T12:00:00", 200], ["2026-06-15T12:00:00", 200, 150], ["2026-06-25T12:00:00", 200]], expect: ["LOYAL", "LOYAL_REPEAT"] },
  // 1 order, r = 60 (outside LOYAL and CORE by value) but predicted CLV 1,500.00 and r < 90: CORE by prediction.
  { id: "a03", tier: "LOYAL", orders: [["2026-05-01T12:00:00", 80]], clv: 150_000, expect: ["CORE", "CORE_PREDICTED"] },
  // Predicted 999.99: just short, r = 5: ACTIVE (unchanged).
  { id: "a04", tier: "ACTIVE", orders: [["2026-06-25T12:00:00", 30]], clv: 99_999, expect: ["ACTIVE", "ACTIVE_RECENT"] },
  // 3 events, no order, r = 27: LOYAL by engagement.
  { id: "a05", tier: "SILENT", events: ["2026-06-01T10:00:00", "2026-06-02T10:00:00", "2026-06-03T10:00:00"], expect: ["LOYAL", "LOYAL_ENGAGED"] },
  // 2 orders, the last at r = 60: outside LOYAL, ACTIVE.
  { id: "a06", tier: "LOYAL", orders: [["2026-04-15T12:00:00", 40], ["2026-05-01T12:00:00", 40]], expect: ["ACTIVE", "ACTIVE_RECENT"] },
  // One event at r = 90, and a big predicted CLV that cannot help: SILENT.
  { id: "a07", tier: "ACTIVE", events: ["2026-04-01T23:59:59"], clv: 500_000, expect: ["SILENT", "SILENT_INACTIVE"] },
  // Never active (the merged a10 brings nothing): SILENT, unchanged.
  { id: "a08", tier: "SILENT", expect: ["SILENT", "SILENT_INACTIVE"] },
  // Erased: not tiered.
  { id: "a09", tier: "CORE", orders: [["2026-06-20T12:00:00", 900]], expect: "skipped" },
  // Merged into a08: not tiered.
  { id: "a10", tier: "LOYAL", expect: "skipped" },
  // Joined at the cutoff (07-01 00:00 Shanghai): left for a later run.
  { id: "a11", tier: "ACTIVE", joined: "2026-07-01T00:00:00", expect: "skipped" },
  // Exactly 3 orders and 500.00, the last at 06-01 00:00 (r = 29): CORE, unchanged.
  { id: "a12", tier: "CORE", orders: [["2026-05-20T12:00:00", 200], ["2026-05-25T12:00:00", 200], ["2026-06-01T00:00:00", 100]], clv: 200_000, expect: ["CORE", "CORE_VALUE"] },
  // Its only order is after the as-of date: activity counts as r = 0 (the stats are current): ACTIVE.
  { id: "a13", tier: "SILENT", orders: [["2026-07-02T12:00:00", 20]], expect: ["ACTIVE", "ACTIVE_RECENT"] },
];

const EXPECTED_SNAPSHOT = {
  asOf: AS_OF,
  timeZone: "Asia/Shanghai",
  currency: "CNY",
  members: 10,
  before: { SILENT: 4, ACTIVE: 2, LOYAL: 2, CORE: 2 },
  after: { SILENT: 2, ACTIVE: 3, LOYAL: 2, CORE: 3 },
  changes: 7,
  upgrades: 4,
  downgrades: 3,
  transitions: [
    { from: "SILENT", to: "SILENT", members: 1 },
    { from: "SILENT", to: "ACTIVE", members: 1 },
    { from: "SILENT", to: "LOYAL", members: 1 },
    { from: "SILENT", to: "CORE", members: 1 },
    { from: "ACTIVE", to: "SILENT", members: 1 },
    { from: "ACTIVE", to: "ACTIVE", members: 1 },
    { from: "LOYAL", to: "ACTIVE", members: 1 },
    { from: "LOYAL", to: "CORE", members: 1 },
    { from: "CORE", to: "LOYAL", members: 1 },
    { from: "CORE", to: "CORE", members: 1 },
  ],
  rules: [
    { rule: "CORE_VALUE", members: 2 },
    { rule: "CORE_PREDICTED", members: 1 },
    { rule: "LOYAL_REPEAT", members: 1 },
    { rule: "LOYAL_ENGAGED", members: 1 },
    { rule: "ACTIVE_RECENT", members: 3 },
    { rule: "SILENT_INACTIVE", members: 2 },
  ],
  skipped: { merged: 1, erased: 1, joinedAfter: 1 },
  thresholds: THRESHOLDS,
};
const EXPECTED_CHANGES = [
  { memberId: "a01", from: "SILENT", to: "CORE", rule: "CORE_VALUE" },
  { memberId: "a02", from: "CORE", to: "LOYAL", rule: "LOYAL_REPEAT" },
  { memberId: "a03", from: "LOYAL", to: "CORE", rule: "CORE_PREDICTED" },
  { memberId: "a05", from: "SILENT", to: "LOYAL", rule: "LOYAL_ENGAGED" },
  { memberId: "a06", from: "LOYAL", to: "ACTIVE", rule: "ACTIVE_RECENT" },
  { memberId: "a07", from: "ACTIVE", to: "SILENT", rule: "SILENT_INACTIVE" },
  { memberId: "a13", from: "SILENT", to: "ACTIVE", rule: "ACTIVE_RECENT" },
];

async function load(tenant: string, fixture: Fixture[]): Promise<void> {
  await updateTierThresholds(tenant, THRESHOLDS);
  for (const f of fixture) {
    await createMember(tenant, { memberId: f.id, name: `Member ${f.id}`, sourceChannel: "MINI_PROGRAM", joinedAt: sh(f.joined ?? "2026-01-05T10:00:00"), tier: f.tier }, actor);
    for (const [i, [day, yuan, refund]] of (f.orders ?? []).entries()) {
      await recordOrder(tenant, { orderId: `${f.id}-o${i}`, memberId: f.id, channel: "MINI_PROGRAM", amount: yuan, occurredAt: sh(day) }, actor);
      if (refund) await recordRefund(tenant, { refundId: `${f.id}-r${i}`, orderId: `${f.id}-o${i}`, amount: refund, occurredAt: sh(day) }, actor);
    }
    for (const [i, day] of (f.events ?? []).entries()) await recordEvent(tenant, { eventId: `${f.id}-e${i}`, memberId: f.id, type: "VIEW", channel: "MINI_PROGRAM", occurredAt: sh(day) });
    if (f.clv !== undefined) {
      await documentClient().send(new PutCommand({ TableName: tableName(), Item: { ...clvKeys.member(tenant, f.id), tenantId: tenant, memberId: f.id, asOf: AS_OF, predictedClvMinor: f.clv, pAlive: 0.9 } }));
    }
  }
}

/** The snapshot a split into `n` segments gives, folded and merged here (reversed, through JSON), without writing. */
async function splitSnapshot(tenant: string, n: number): Promise<TiersRun> {
  const ctx = await resolveContext(tiersJob, { tenantId: tenant, asOf: AS_OF });
  const partials = [];
  for (let segment = 0; segment < n; segment++) {
    let partial = tiersJob.init(ctx);
    for await (const item of scanSegment({ tenantId: tenant, kinds: tiersJob.kinds, projection: tiersJob.projection, segment, totalSegments: n })) partial = tiersJob.add(partial, item, ctx);
    partials.push(tiersJob.decode(JSON.parse(JSON.stringify(tiersJob.encode(partial)))));
  }
  return finishTiers(partials.reverse().reduce((a, b) => tiersJob.merge(a, b)), ctx, "fixed");
}

const tiersOf = async (tenant: string, ids: string[]) => Object.fromEntries(await Promise.all(ids.map(async (id) => [id, (await getMember(tenant, id)).tier] as const)));
const jobChanges = async (tenant: string, id: string) => (await listTierHistory(tenant, id, { first: 50 })).items.filter((c) => c.actor === TIERS_ACTOR);
const stable = (s: unknown) => ({ ...(s as Record<string, unknown>), computedAt: "-" });

let tenant: string;

beforeAll(async () => {
  tenant = newTenantId("tiers");
  await load(tenant, FIXTURE);
  await eraseMember(tenant, "a09", actor);
  await mergeMembers(tenant, "a08", "a10", actor);
}, 120_000);

describe("tiers job", () => {
  it("reads the tenant's thresholds from settings", async () => {
    expect((await getSettings(tenant)).tierThresholds).toEqual(THRESHOLDS);
  });

  it("gives the same snapshot and changes for 1, 4 and 16 segments (merged in reverse, through JSON)", async () => {
    const [one, four, sixteen] = [await splitSnapshot(tenant, 1), await splitSnapshot(tenant, 4), await splitSnapshot(tenant, 16)];
    expect(one.snapshot).toMatchObject(EXPECTED_SNAPSHOT);
    expect(one.changes).toEqual(EXPECTED_CHANGES);
    expect(four).toEqual(one);
    expect(sixteen).toEqual(one);
  });

  let first: JobRunResult<TiersRun>;

  it("applies the hand-computed changes with setTier (actor job:tiers, reason RULE:<rule>) and writes the pyramid", async () => {
    first = await runJob<TiersRun>("tiers", { tenantId: tenant, asOf: AS_OF, segments: 4, workers: 1 });
    expect(first.snapshot.snapshot).toMatchObject({ ...EXPECTED_SNAPSHOT, changesApplied: true });
    expect(first.snapshot.applied).toEqual({ applied: 7, alreadyApplied: 0, skipped: 0 });
    expect(first.summary).toBe(
      "tiers as of 2026-06-30: 10 members (SILENT 4→2, ACTIVE 2→3, LOYAL 2→2, CORE 2→3); 7 changes (4 up, 3 down), 7 applied, 0 already applied, 0 skipped",
    );
    const expectedTiers = Object.fromEntries(FIXTURE.filter((f) => f.expect !== "skipped").map((f) => [f.id, (f.expect as [Tier, string])[0]]));
    expect(await tiersOf(tenant, Object.keys(expectedTiers))).toEqual(expectedTiers);
    // Not touched: the erased member keeps its tier, the one who joined after the as-of date too.
    expect(await tiersOf(tenant, ["a09", "a11"])).toEqual({ a09: "CORE", a11: "ACTIVE" });
    for (const c of EXPECTED_CHANGES) {
      const history = await jobChanges(tenant, c.memberId);
      expect(history).toEqual([expect.objectContaining({ from: c.from, to: c.to, reason: `RULE:${c.rule}`, actor: TIERS_ACTOR })]);
    }
    expect(await jobChanges(tenant, "a04")).toEqual([]);
    const stored = await getTierSnapshot(tenant, AS_OF);
    expect(stored).toEqual(first.snapshot.snapshot);
    expect(await getTierSnapshot(tenant)).toEqual(stored);
  });

  it("writes the same snapshot on a rerun and changes nothing twice", async () => {
    const again = await runJob<TiersRun>("tiers", { tenantId: tenant, asOf: AS_OF, segments: 4, workers: 1 });
    expect(again.segmentsSkipped).toEqual([0, 1, 2, 3]); // the checkpoints of the first run
    expect(stable(again.snapshot.snapshot)).toEqual(stable(first.snapshot.snapshot));
    expect(again.snapshot.applied).toEqual({ applied: 0, alreadyApplied: 7, skipped: 0 });
    for (const c of EXPECTED_CHANGES) expect(await jobChanges(tenant, c.memberId)).toHaveLength(1);
  });

  it("finds nothing to change when run afresh: the pyramid is the one it left", async () => {
    const fresh = await runJob<TiersRun>("tiers", { tenantId: tenant, asOf: AS_OF, segments: 4, workers: 1, fresh: true });
    expect(fresh.snapshot.snapshot).toMatchObject({ members: 10, before: EXPECTED_SNAPSHOT.after, after: EXPECTED_SNAPSHOT.after, changes: 0, upgrades: 0, downgrades: 0, changesApplied: true });
    expect(fresh.snapshot.changes).toEqual([]);
    for (const c of EXPECTED_CHANGES) expect(await jobChanges(tenant, c.memberId)).toHaveLength(1);
  });

  it("does not apply a backfill for a date before the latest snapshot, and lists snapshots newest first", async () => {
    const backfill = await runJob<TiersRun>("tiers", { tenantId: tenant, asOf: "2026-05-15", segments: 1, workers: 1 });
    // As of 05-15 the stats are still today's (activity after the as-of date counts as r = 0), so
    // only the windows move: a06 (05-01, r = 14) is LOYAL again, and a07 (04-01, r = 44) is within
    // the ACTIVE window, where its predicted CLV of 5,000.00 makes it CORE.
    expect(backfill.snapshot.snapshot.changesApplied).toBe(false);
    expect(backfill.snapshot.applied).toBeUndefined();
    expect(backfill.summary).toMatch(/not applied \(a later snapshot exists: backfill\)$/);
    expect(backfill.snapshot.changes).toEqual([
      { memberId: "a06", from: "ACTIVE", to: "LOYAL", rule: "LOYAL_REPEAT" },
      { memberId: "a07", from: "SILENT", to: "CORE", rule: "CORE_PREDICTED" },
    ]);
    expect((await getMember(tenant, "a07")).tier).toBe("SILENT");
    const list = await listTierSnapshots(tenant);
    expect(list.map((s) => s.asOf)).toEqual([AS_OF, "2026-05-15"]);
    expect((await listTierSnapshots(tenant, { from: "2026-05-01", to: "2026-05-31" })).map((s) => s.asOf)).toEqual(["2026-05-15"]);
    expect((await listTierSnapshots(tenant, { to: "2026-06-29" })).map((s) => s.asOf)).toEqual(["2026-05-15"]);
    expect((await listTierSnapshots(tenant, { from: "2026-06-30", limit: 1 })).map((s) => s.asOf)).toEqual([AS_OF]);
    await expect(listTierSnapshots(tenant, { from: "2026-07-01", to: "2026-06-01" })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });

  it("resumes a run killed while applying changes: the rerun applies the rest, each change recorded once", async () => {
    const t2 = newTenantId("tiersk");
    await load(t2, FIXTURE.filter((f) => ["a01", "a02", "a05", "a06"].includes(f.id)));
    failing.calls = 0;
    failing.after = 2;
    try {
      // Scanned on worker threads (which load the job by name from the registry), killed while writing here.
      await expect(runJob("tiers", { tenantId: t2, asOf: AS_OF, segments: 2, workers: 2 })).rejects.toThrow("killed while applying tier changes");
    } finally {
      failing.after = Number.POSITIVE_INFINITY;
    }
    const ctx = await resolveContext(tiersJob, { tenantId: t2, asOf: AS_OF });
    expect((await getRunRecord(runPartition(ctx, 2)))?.status).toBe("FAILED");
    expect(await getTierSnapshot(t2)).toBeNull(); // the snapshot is written after the changes
    const resumed = await runJob<TiersRun>("tiers", { tenantId: t2, asOf: AS_OF, segments: 2, workers: 1 });
    expect(resumed.segmentsSkipped).toEqual([0, 1]);
    expect(resumed.snapshot.snapshot).toMatchObject({ members: 4, before: { SILENT: 2, ACTIVE: 0, LOYAL: 1, CORE: 1 }, changes: 4 });
    expect(resumed.snapshot.applied).toEqual({ applied: 2, alreadyApplied: 2, skipped: 0 });
    expect(await tiersOf(t2, ["a01", "a02", "a05", "a06"])).toEqual({ a01: "CORE", a02: "LOYAL", a05: "LOYAL", a06: "ACTIVE" });
    for (const id of ["a01", "a02", "a05", "a06"]) expect(await jobChanges(t2, id)).toHaveLength(1);
  });
});
