/**
 * Tier thresholds (tenantSettings / updateTierThresholds), runMetricsJob(TIERS) and
 * tierPyramid end to end through Apollo's executeOperation, on a small hand-computed fixture
 * as of 2026-06-30 (Shanghai).
 */
import { recordEvent } from "@growth/core/event";
import { createMember } from "@growth/core/member";
import { recordOrder } from "@growth/core/order";
import { beforeAll, describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

const THRESHOLDS = `tierThresholds {
  core { minOrders minNetSpend { minor amount currency } activeWithinDays minPredictedClv { minor } }
  loyal { minOrders minEvents activeWithinDays }
  active { activeWithinDays }
}`;
const UPDATE = `mutation U($input: TierThresholdsInput!) {
  updateTierThresholds(input: $input) { thresholds { core { minOrders minNetSpend { minor } activeWithinDays minPredictedClv { minor } } loyal { minOrders minEvents activeWithinDays } active { activeWithinDays } } settings { updatedAt } }
}`;
const RUN = `mutation R($asOf: Date) { runMetricsJob(job: TIERS, asOf: $asOf) { runs { job variant asOf segments itemsRead summary } } }`;
const SNAPSHOT_FIELDS = `asOf computedAt timeZone members changes upgrades downgrades changesApplied
  counts { silent active loyal core total } before { silent active loyal core total }
  transitions { from to members } rules { rule tier members } skipped { merged erased joinedAfter }
  thresholds { core { minOrders } }`;
const PYRAMID = `query P($from: Date, $to: Date, $limit: Int) { tierPyramid(from: $from, to: $to, limit: $limit) { current { ${SNAPSHOT_FIELDS} } snapshots { asOf counts { total core } } } }`;

const sh = (local: string) => `${local}+08:00`;

let tenant: string;

beforeAll(async () => {
  tenant = newTenantId("gqltiers");
  const member = (memberId: string, tier: string) => createMember(tenant, { memberId, name: `Member ${memberId}`, sourceChannel: "APP", joinedAt: sh("2026-01-10T10:00:00"), tier }, { actor: "t" });
  const order = (memberId: string, n: number, day: string, yuan: number) => recordOrder(tenant, { orderId: `${memberId}-${n}`, memberId, channel: "APP", amount: yuan, occurredAt: sh(day) }, { actor: "t" });
  // g1: 2 orders, 700.00, last 06-20 (r = 10) → CORE by value with the thresholds set below (≥ 2 orders, ≥ 600.00, r < 30).
  await member("g1", "SILENT");
  await order("g1", 1, "2026-06-01T12:00:00", 300);
  await order("g1", 2, "2026-06-20T12:00:00", 400);
  // g2: 1 order, r = 40 → ACTIVE (LOYAL needs 2 orders).
  await member("g2", "LOYAL");
  await order("g2", 1, "2026-05-21T12:00:00", 50);
  // g3: one event at r = 100 → SILENT.
  await member("g3", "ACTIVE");
  await recordEvent(tenant, { eventId: "g3-e1", memberId: "g3", type: "CHECK_IN", channel: "MINI_PROGRAM", occurredAt: sh("2026-03-22T10:00:00") });
  // g4: never active → SILENT (unchanged).
  await member("g4", "SILENT");
});

describe("tier thresholds, runMetricsJob(TIERS), tierPyramid end to end", () => {
  it("shows the default thresholds in the brand's currency to every staff role", async () => {
    const r = await executeOperation(`{ tenantSettings { ${THRESHOLDS} } }`, {}, { tenant, role: "ANALYST" });
    expect(r.errors).toBeUndefined();
    expect(r.data?.tenantSettings.tierThresholds).toEqual({
      core: { minOrders: 6, minNetSpend: { minor: 50_000, amount: 500, currency: "CNY" }, activeWithinDays: 60, minPredictedClv: { minor: 50_000 } },
      loyal: { minOrders: 2, minEvents: 10, activeWithinDays: 90 },
      active: { activeWithinDays: 90 },
    });
  });

  it("lets only ADMIN change them, validates them as a whole, and takes null as 'rule off'", async () => {
    for (const role of ["OPERATOR", "ANALYST"] as const) {
      const denied = await executeOperation(UPDATE, { input: { core: { minOrders: 1 } } }, { tenant, role });
      expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const tooLong = await executeOperation(UPDATE, { input: { loyal: { activeWithinDays: 120 } } }, { tenant, role: "ADMIN" });
    expect(tooLong.errors?.[0]).toMatchObject({ message: expect.stringMatching(/must not exceed active\.activeWithinDays/), extensions: { code: "BAD_USER_INPUT", field: "loyal.activeWithinDays" } });
    const cents = await executeOperation(UPDATE, { input: { core: { minNetSpend: 1.234 } } }, { tenant, role: "ADMIN" });
    expect(cents.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "core.minNetSpend" });

    const ok = await executeOperation(UPDATE, { input: { core: { minOrders: 2, minNetSpend: 600, activeWithinDays: 30, minPredictedClv: null }, loyal: { minEvents: null } } }, { tenant, role: "ADMIN" });
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.updateTierThresholds.thresholds).toEqual({
      core: { minOrders: 2, minNetSpend: { minor: 60_000 }, activeWithinDays: 30, minPredictedClv: null },
      loyal: { minOrders: 2, minEvents: null, activeWithinDays: 90 },
      active: { activeWithinDays: 90 },
    });
    expect(ok.data?.updateTierThresholds.settings.updatedAt).toEqual(expect.any(String));
    // `reset` starts from the defaults.
    const reset = await executeOperation(UPDATE, { input: { reset: true, active: { activeWithinDays: 120 } } }, { tenant, role: "ADMIN" });
    expect(reset.data?.updateTierThresholds.thresholds).toMatchObject({ core: { minOrders: 6, minPredictedClv: { minor: 50_000 } }, loyal: { minEvents: 10 }, active: { activeWithinDays: 120 } });
    // Back to the fixture's thresholds.
    await executeOperation(UPDATE, { input: { reset: true, core: { minOrders: 2, minNetSpend: 600, activeWithinDays: 30, minPredictedClv: null }, loyal: { minEvents: null } } }, { tenant, role: "ADMIN" });
  });

  it("has an empty pyramid before the job ran", async () => {
    const r = await executeOperation(PYRAMID, {}, { tenant, role: "ANALYST" });
    expect(r.errors).toBeUndefined();
    expect(r.data?.tierPyramid).toEqual({ current: null, snapshots: [] });
  });

  it("runs the job in-process, changes the tiers with reasons in the members' histories, and serves the pyramid", async () => {
    const run = await executeOperation(RUN, { asOf: "2026-06-30" }, { tenant, role: "ADMIN" });
    expect(run.errors).toBeUndefined();
    expect(run.data?.runMetricsJob.runs).toEqual([
      {
        job: "TIERS",
        variant: "",
        asOf: "2026-06-30",
        segments: 1,
        itemsRead: 4, // four MEMBER items, no CLV items
        summary: "tiers as of 2026-06-30: 4 members (SILENT 2→2, ACTIVE 1→1, LOYAL 1→0, CORE 0→1); 3 changes (1 up, 2 down), 3 applied, 0 already applied, 0 skipped",
      },
    ]);

    const pyramid = await executeOperation(PYRAMID, {}, { tenant, role: "ANALYST" });
    expect(pyramid.errors).toBeUndefined();
    expect(pyramid.data?.tierPyramid.current).toEqual({
      asOf: "2026-06-30",
      computedAt: expect.any(String),
      timeZone: "Asia/Shanghai",
      members: 4,
      changes: 3,
      upgrades: 1,
      downgrades: 2,
      changesApplied: true,
      counts: { silent: 2, active: 1, loyal: 0, core: 1, total: 4 },
      before: { silent: 2, active: 1, loyal: 1, core: 0, total: 4 },
      transitions: [
        { from: "SILENT", to: "SILENT", members: 1 },
        { from: "SILENT", to: "CORE", members: 1 },
        { from: "ACTIVE", to: "SILENT", members: 1 },
        { from: "LOYAL", to: "ACTIVE", members: 1 },
      ],
      rules: [
        { rule: "CORE_VALUE", tier: "CORE", members: 1 },
        { rule: "CORE_PREDICTED", tier: "CORE", members: 0 },
        { rule: "LOYAL_REPEAT", tier: "LOYAL", members: 0 },
        { rule: "LOYAL_ENGAGED", tier: "LOYAL", members: 0 },
        { rule: "ACTIVE_RECENT", tier: "ACTIVE", members: 1 },
        { rule: "SILENT_INACTIVE", tier: "SILENT", members: 2 },
      ],
      skipped: { merged: 0, erased: 0, joinedAfter: 0 },
      thresholds: { core: { minOrders: 2 } },
    });
    expect(pyramid.data?.tierPyramid.snapshots).toEqual([{ asOf: "2026-06-30", counts: { total: 4, core: 1 } }]);

    const members = await executeOperation(`{ g1: member(id: "g1") { tier tierHistory { edges { node { from to reason actor } } } } g2: member(id: "g2") { tier } g3: member(id: "g3") { tier } g4: member(id: "g4") { tier tierHistory { edges { node { reason } } } } }`, {}, { tenant, role: "ADMIN" });
    expect(members.errors).toBeUndefined();
    expect(members.data).toEqual({
      g1: { tier: "CORE", tierHistory: { edges: [{ node: { from: "SILENT", to: "CORE", reason: "RULE:CORE_VALUE", actor: "job:tiers" } }] } },
      g2: { tier: "ACTIVE" },
      g3: { tier: "SILENT" },
      g4: { tier: "SILENT", tierHistory: { edges: [] } },
    });
  });

  it("keeps the pyramid over time: a later run adds a snapshot, newest first, and ranges filter by as-of date", async () => {
    const again = await executeOperation(RUN, { asOf: "2026-07-10" }, { tenant, role: "ADMIN" });
    expect(again.errors).toBeUndefined();
    // As of 07-10, g1's last order (06-20) is r = 20 (still CORE), g2's (05-21) r = 50: both unchanged.
    expect(again.data?.runMetricsJob.runs[0].summary).toMatch(/; 0 changes \(0 up, 0 down\), 0 applied/);
    const all = await executeOperation(PYRAMID, {}, { tenant, role: "OPERATOR" });
    expect(all.data?.tierPyramid.snapshots.map((s: { asOf: string }) => s.asOf)).toEqual(["2026-07-10", "2026-06-30"]);
    expect(all.data?.tierPyramid.current.asOf).toBe("2026-07-10");
    const june = await executeOperation(PYRAMID, { from: "2026-06-01", to: "2026-06-30" }, { tenant, role: "ANALYST" });
    expect(june.data?.tierPyramid.snapshots.map((s: { asOf: string }) => s.asOf)).toEqual(["2026-06-30"]);
    expect(june.data?.tierPyramid.current.asOf).toBe("2026-07-10"); // current ignores the range
    const one = await executeOperation(PYRAMID, { limit: 1 }, { tenant, role: "ANALYST" });
    expect(one.data?.tierPyramid.snapshots.map((s: { asOf: string }) => s.asOf)).toEqual(["2026-07-10"]);
    const bad = await executeOperation(PYRAMID, { limit: 0 }, { tenant, role: "ANALYST" });
    expect(bad.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "limit" });
  });
});
