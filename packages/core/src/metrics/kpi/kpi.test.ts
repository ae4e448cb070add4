/**
 * The KPI job against DynamoDB Local on the hand-computed fixture of kpi-fixture.ts (as of
 * 2025-06-30, Asia/Shanghai). Every expected number below is worked out by hand in the comments.
 * Amounts are minor units (fen).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkpointedSegments } from "../../jobs/checkpoint.js";
import { jobKeys } from "../../jobs/keys.js";
import { runJob } from "../../jobs/run.js";
import { newTenantId } from "../../test/tenant.js";
import { computeKpis, type KpiSnapshot } from "./compute.js";
import { KPI_AS_OF, KPI_FIXTURE_ITEMS, loadKpiFixture } from "./kpi-fixture.js";
import { KPI_METRIC_NAMES, type KpiValues } from "./metrics.js";
import { kpiJob } from "./job.js";
import { emptyKpiPartial, type KpiMemberState, type KpiPartial } from "./partial.js";
import { getKpiSeries, getKpiSnapshot } from "./store.js";

let tenant: string;
let snapshot: KpiSnapshot;
const withoutTime = (s: KpiSnapshot) => ({ ...s, computedAt: "-" });

beforeAll(async () => {
  tenant = newTenantId("kpi");
  await loadKpiFixture(tenant);
  snapshot = (await runJob<KpiSnapshot>("kpi", { tenantId: tenant, asOf: KPI_AS_OF, segments: 4, workers: 1 })).snapshot;
}, 120_000);

/*
 * Members counted (ACTIVE or ERASED, joined by D): m1, m2 (WECHAT_OA), m3, m4 (MINI_PROGRAM; m4
 * erased), m6 (STORE). m5 is MERGED into m6 (MINI_PROGRAM), m7 joined after D.
 *
 * Activity days (orders and events before the cutoff, Shanghai days):
 *   m1  05-10 order (prev), 06-15 order, 06-20 survey, 06-30 23:59:59 order → D, 7d, 30d, prev; first→last 51 days
 *   m2  06-26 survey, 06-30 00:00 view (its order at 07-01 00:00 is after D) → D, 7d, 30d; 4 days
 *   m3  06-30 order → D, 7d, 30d; 0 days
 *   m4  03-05 survey, 05-20 click → prev only; 76 days
 *   m6  05-05 order (moved from m5), 05-31 23:59 survey (prev), 06-01 00:00 order (30d) → 30d, prev; 27 days
 */
const ALL: KpiValues = {
  MEMBERS: 5,
  NEW_MEMBERS_1D: 1, // m3 (joined 00:00:00 on D)
  NEW_MEMBERS_7D: 2, // m2 (06-25), m3
  NEW_MEMBERS_30D: 2,
  ACTIVE_MEMBERS_1D: 3, // m1, m2, m3
  ACTIVE_MEMBERS_7D: 3,
  ACTIVE_MEMBERS_30D: 4, // + m6 (06-01 00:00)
  RETENTION_BASE_30D: 3, // active 05-02..05-31: m1, m4, m6
  RETAINED_MEMBERS_30D: 2, // of those, active 06-01..06-30: m1, m6
  RETENTION_RATE_30D: 2 / 3,
  PAYING_MEMBERS: 3, // m1 (3 orders), m3 (1), m6 (2: o6 moved from m5, o7)
  CONVERSION_RATE: 3 / 5,
  ORDERS_30D: 4, // o2 5000, o3 3000, o5 4000, o7 2550
  REVENUE_30D: 14_550,
  AOV_30D: 3638, // 14550 / 4 = 3637.5 → 3638
  BUYERS_30D: 3, // m1, m3, m6
  REPEAT_BUYERS_30D: 1, // m1
  REPURCHASE_RATE_30D: 1 / 3,
  ORDERS: 6, // + o1 10000, o6 6000
  REVENUE: 30_550,
  AOV: 5092, // 30550 / 6 = 5091.67
  REPURCHASE_RATE: 2 / 3, // m1, m6 of 3 paying
  REFUNDS: 3000, // r1 2000 (m1) + r2 1000 (under m5, credited to m6); r3 is after D
  NET_REVENUE: 27_550,
  HISTORICAL_CLV: 5510, // 27550 / 5
  SPEND_30D: 40_000, // s1 10000 (06-10) + s2 30000 (06-20)
  CAC_30D: 20_000, // 40000 / 2 new
  SPEND: 45_000, // + s3 5000 (05-15); s4 is after D
  CAC: 9000, // 45000 / 5 members
  CAMPAIGN_SPEND: 40_000, // cp1: s1 + s2
  ATTRIBUTED_REVENUE: 7000, // cp1 orders o3 3000 + o5 4000 (cp2 has no spend)
  ROI: (7000 - 40_000) / 40_000, // -0.825
  REFERRED_MEMBERS_30D: 2, // m2, m3
  REFERRERS_30D: 1, // m1
  K_FACTOR_30D: 2,
  LIFECYCLE_DAYS: (51 + 4 + 0 + 76 + 27) / 5, // 31.6
  NPS_RESPONSES_30D: 2, // m1 10 (promoter), m2 6 (detractor); m6's 9 at 05-31 23:59 is before the window
  NPS_30D: 0,
  NPS_RESPONSES: 4, // + m4 8 (passive), m6 9 (promoter)
  NPS: (100 * (2 - 1)) / 4, // 25
  PROFILE_COMPLETENESS: 14 / 24, // ACTIVE members m1 6 + m2 2 + m3 2 + m6 4 fields of 6 each (erased m4 left out)
  DUPLICATE_RATE: 1 / 6, // m5 merged ÷ (5 + 1)
  FRESHNESS_DAYS: 0, // every member item was updated after D (by this test's writes)
  PRIVATE_DOMAIN_SALES: Math.round(2 * 2 * (3 / 5) * 3638 * (1 / 3)), // retained × K × conversion × AOV 30d × repurchase 30d = 2910
};

const WECHAT_OA: KpiValues = {
  MEMBERS: 2, NEW_MEMBERS_1D: 0, NEW_MEMBERS_7D: 1, NEW_MEMBERS_30D: 1, // m2
  ACTIVE_MEMBERS_1D: 2, ACTIVE_MEMBERS_7D: 2, ACTIVE_MEMBERS_30D: 2,
  RETENTION_BASE_30D: 1, RETAINED_MEMBERS_30D: 1, RETENTION_RATE_30D: 1, // m1
  PAYING_MEMBERS: 1, CONVERSION_RATE: 1 / 2,
  ORDERS_30D: 2, REVENUE_30D: 8000, AOV_30D: 4000, BUYERS_30D: 1, REPEAT_BUYERS_30D: 1, REPURCHASE_RATE_30D: 1,
  ORDERS: 3, REVENUE: 18_000, AOV: 6000, REPURCHASE_RATE: 1,
  REFUNDS: 2000, NET_REVENUE: 16_000, HISTORICAL_CLV: 8000,
  SPEND_30D: 10_000, CAC_30D: 10_000, SPEND: 15_000, CAC: 7500,
  CAMPAIGN_SPEND: 10_000, ATTRIBUTED_REVENUE: 1750, ROI: (1750 - 10_000) / 10_000, // cp1's 7000 × 10000/40000 of its spend
  REFERRED_MEMBERS_30D: 1, REFERRERS_30D: 1, K_FACTOR_30D: 1,
  LIFECYCLE_DAYS: (51 + 4) / 2,
  NPS_RESPONSES_30D: 2, NPS_30D: 0, NPS_RESPONSES: 2, NPS: 0,
  PROFILE_COMPLETENESS: 8 / 12, DUPLICATE_RATE: 0, FRESHNESS_DAYS: 0,
  PRIVATE_DOMAIN_SALES: 2000, // 1 × 1 × 0.5 × 4000 × 1
};

const MINI_PROGRAM: KpiValues = {
  MEMBERS: 2, NEW_MEMBERS_1D: 1, NEW_MEMBERS_7D: 1, NEW_MEMBERS_30D: 1, // m3
  ACTIVE_MEMBERS_1D: 1, ACTIVE_MEMBERS_7D: 1, ACTIVE_MEMBERS_30D: 1,
  RETENTION_BASE_30D: 1, RETAINED_MEMBERS_30D: 0, RETENTION_RATE_30D: 0, // m4 lapsed
  PAYING_MEMBERS: 1, CONVERSION_RATE: 1 / 2,
  ORDERS_30D: 1, REVENUE_30D: 4000, AOV_30D: 4000, BUYERS_30D: 1, REPEAT_BUYERS_30D: 0, REPURCHASE_RATE_30D: 0,
  ORDERS: 1, REVENUE: 4000, AOV: 4000, REPURCHASE_RATE: 0,
  REFUNDS: 0, NET_REVENUE: 4000, HISTORICAL_CLV: 2000,
  SPEND_30D: 30_000, CAC_30D: 30_000, SPEND: 30_000, CAC: 15_000,
  CAMPAIGN_SPEND: 30_000, ATTRIBUTED_REVENUE: 5250, ROI: (5250 - 30_000) / 30_000,
  REFERRED_MEMBERS_30D: 1, REFERRERS_30D: 1, K_FACTOR_30D: 1,
  LIFECYCLE_DAYS: (0 + 76) / 2,
  NPS_RESPONSES_30D: 0, NPS_30D: null, NPS_RESPONSES: 1, NPS: 0,
  PROFILE_COMPLETENESS: 2 / 6, DUPLICATE_RATE: 1 / 3, FRESHNESS_DAYS: 0, // m5 ÷ (2 + 1)
  PRIVATE_DOMAIN_SALES: 0, // 0 retained
};

const STORE: KpiValues = {
  MEMBERS: 1, NEW_MEMBERS_1D: 0, NEW_MEMBERS_7D: 0, NEW_MEMBERS_30D: 0,
  ACTIVE_MEMBERS_1D: 0, ACTIVE_MEMBERS_7D: 0, ACTIVE_MEMBERS_30D: 1,
  RETENTION_BASE_30D: 1, RETAINED_MEMBERS_30D: 1, RETENTION_RATE_30D: 1,
  PAYING_MEMBERS: 1, CONVERSION_RATE: 1,
  ORDERS_30D: 1, REVENUE_30D: 2550, AOV_30D: 2550, BUYERS_30D: 1, REPEAT_BUYERS_30D: 0, REPURCHASE_RATE_30D: 0,
  ORDERS: 2, REVENUE: 8550, AOV: 4275, REPURCHASE_RATE: 1,
  REFUNDS: 1000, NET_REVENUE: 7550, HISTORICAL_CLV: 7550,
  SPEND_30D: 0, CAC_30D: null, SPEND: 0, CAC: 0, // s4 (STORE) is after D
  CAMPAIGN_SPEND: 0, ATTRIBUTED_REVENUE: 0, ROI: null,
  REFERRED_MEMBERS_30D: 0, REFERRERS_30D: 0, K_FACTOR_30D: null,
  LIFECYCLE_DAYS: 27,
  NPS_RESPONSES_30D: 0, NPS_30D: null, NPS_RESPONSES: 1, NPS: 100,
  PROFILE_COMPLETENESS: 4 / 6, DUPLICATE_RATE: 0, FRESHNESS_DAYS: 0,
  PRIVATE_DOMAIN_SALES: null, // no K-factor
};

describe("kpi job on the hand-computed fixture", () => {
  it("every KPI, overall and per source channel", () => {
    expect(Object.keys(snapshot.scopes)).toEqual(["ALL", "MINI_PROGRAM", "STORE", "WECHAT_OA"]); // m7 (WECOM) joined after D
    expect(snapshot.scopes.ALL).toEqual(ALL);
    expect(snapshot.scopes.WECHAT_OA).toEqual(WECHAT_OA);
    expect(snapshot.scopes.MINI_PROGRAM).toEqual(MINI_PROGRAM);
    expect(snapshot.scopes.STORE).toEqual(STORE);
    expect(snapshot).toMatchObject({ tenantId: tenant, asOf: KPI_AS_OF, timeZone: "Asia/Shanghai", currency: "CNY" });
  });

  it("orders by the channel they were placed in, and campaigns", () => {
    // Every order before the cutoff: o1 WEB 10000; o2 MP 5000, o5 MP 4000; o3 WECHAT_OA 3000; o6 LIVE 6000; o7 APP 2550.
    expect(snapshot.orderChannels).toEqual([
      { channel: "APP", orders30: 1, revenue30Minor: 2550, aov30Minor: 2550, orders: 1, revenueMinor: 2550, aovMinor: 2550 },
      { channel: "LIVE", orders30: 0, revenue30Minor: 0, aov30Minor: null, orders: 1, revenueMinor: 6000, aovMinor: 6000 },
      { channel: "MINI_PROGRAM", orders30: 2, revenue30Minor: 9000, aov30Minor: 4500, orders: 2, revenueMinor: 9000, aovMinor: 4500 },
      { channel: "WEB", orders30: 0, revenue30Minor: 0, aov30Minor: null, orders: 1, revenueMinor: 10_000, aovMinor: 10_000 },
      { channel: "WECHAT_OA", orders30: 1, revenue30Minor: 3000, aov30Minor: 3000, orders: 1, revenueMinor: 3000, aovMinor: 3000 },
    ]);
    expect(snapshot.campaigns).toEqual([
      { campaignId: "cp1", spendMinor: 40_000, orders: 2, attributedRevenueMinor: 7000, roi: -0.825 },
      { campaignId: "cp2", spendMinor: 0, orders: 1, attributedRevenueMinor: 2550, roi: null },
    ]);
  });

  it("stores the snapshot and one series item per metric, read by key", async () => {
    expect(withoutTime((await getKpiSnapshot(tenant, { asOf: KPI_AS_OF }))!)).toEqual(withoutTime(snapshot));
    expect((await getKpiSnapshot(tenant, { range: { from: "2025-06-01", to: "2025-07-15" } }))?.asOf).toBe(KPI_AS_OF);
    expect(await getKpiSnapshot(tenant, { range: { from: "2025-05-01", to: "2025-05-31" } })).toBeNull();
    const points = await getKpiSeries(tenant, "AOV_30D", { from: "2025-06-01", to: KPI_AS_OF }, "WECHAT_OA");
    expect(points).toEqual([{ day: KPI_AS_OF, value: 4000, computedAt: snapshot.computedAt }]);
    expect(await getKpiSeries(tenant, "NPS_30D", { from: KPI_AS_OF, to: KPI_AS_OF }, "STORE")).toEqual([{ day: KPI_AS_OF, value: null, computedAt: snapshot.computedAt }]);
    for (const metric of KPI_METRIC_NAMES) {
      const [point] = await getKpiSeries(tenant, metric, { from: KPI_AS_OF, to: KPI_AS_OF });
      expect(point?.value, metric).toBe(ALL[metric]);
    }
    await expect(getKpiSeries(tenant, "MEMBERS", { from: "2024-01-01", to: "2025-06-30" })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });
});

describe("kpi job: invariance, reruns, resumption", () => {
  it("1, 4 and 16 segments (in-thread and on worker threads) give identical snapshots; a rerun writes the same numbers", async () => {
    const asOf = "2025-06-29";
    const one = await runJob<KpiSnapshot>("kpi", { tenantId: tenant, asOf, segments: 1, workers: 1 });
    const four = await runJob<KpiSnapshot>("kpi", { tenantId: tenant, asOf, segments: 4, workers: 2 });
    const sixteen = await runJob<KpiSnapshot>("kpi", { tenantId: tenant, asOf, segments: 16, workers: 1, pageLimit: 3 });
    expect(withoutTime(four.snapshot)).toEqual(withoutTime(one.snapshot));
    expect(withoutTime(sixteen.snapshot)).toEqual(withoutTime(one.snapshot));
    for (const r of [one, four, sixteen]) expect(r.itemsRead).toBe(KPI_FIXTURE_ITEMS);
    // As of 06-29 m3 (joined 06-30 00:00) is not a member yet, and o3/o5 are in the future.
    expect(one.snapshot.scopes.ALL).toMatchObject({ MEMBERS: 4, NEW_MEMBERS_1D: 0, ORDERS_30D: 2, CAMPAIGN_SPEND: 40_000, ATTRIBUTED_REVENUE: 0, ROI: -1 });

    const rerun = await runJob<KpiSnapshot>("kpi", { tenantId: tenant, asOf: KPI_AS_OF, segments: 4, workers: 1, fresh: true });
    expect(withoutTime(rerun.snapshot)).toEqual(withoutTime(snapshot));
    expect(rerun.snapshot.computedAt > snapshot.computedAt).toBe(true);
    const [point] = await getKpiSeries(tenant, "MEMBERS", { from: KPI_AS_OF, to: KPI_AS_OF });
    expect(point).toEqual({ day: KPI_AS_OF, value: 5, computedAt: rerun.snapshot.computedAt });
  });

  it("a run killed after 2 of 4 segments resumes from its checkpoints and writes the same snapshot", async () => {
    const asOf = "2025-06-28";
    const partition = jobKeys.runPartition(tenant, "kpi", asOf, 4);
    await expect(
      runJob("kpi", { tenantId: tenant, asOf, segments: 4, workers: 1, concurrency: 1, afterSegment: (_s, done) => { if (done === 2) throw new Error("killed"); } }),
    ).rejects.toThrow("killed");
    const saved = await checkpointedSegments(partition);
    expect([...saved.keys()].sort()).toEqual([0, 1]);
    const readBefore = saved.get(0)!.itemsRead + saved.get(1)!.itemsRead;
    const resumed = await runJob<KpiSnapshot>("kpi", { tenantId: tenant, asOf, segments: 4, workers: 1, concurrency: 1 });
    expect(resumed.segmentsSkipped).toEqual([0, 1]);
    expect(resumed.itemsRead + readBefore).toBe(KPI_FIXTURE_ITEMS);
    const clean = await runJob<KpiSnapshot>("kpi", { tenantId: tenant, asOf, segments: 1, workers: 1 });
    expect(withoutTime(resumed.snapshot)).toEqual(withoutTime(clean.snapshot));
    expect(withoutTime((await getKpiSnapshot(tenant, { asOf }))!)).toEqual(withoutTime(clean.snapshot));
  });
});

describe("computeKpis (pure)", () => {
  it("merge is commutative and associative, and survives encode/decode exactly", () => {
    const member = (over: Partial<KpiMemberState>): KpiMemberState => ({
      facts: null, windows: 0, first: null, last: null, orders: 0, gross: 0, orders30: 0, gross30: 0, refunds: 0, survey: [0, 0, 0, 0, 0, 0], ...over,
    });
    const facts = { status: "A" as const, joinDay: 20_000, channel: "APP", referrerId: "r", mergedInto: null, profile: 4, updatedDay: 20_100 };
    const parts = (): KpiPartial[] => [
      { members: new Map([["a", member({ facts })], ["b", member({ windows: 4, first: 20_050, last: 20_090, orders: 2, gross: 500, orders30: 1, gross30: 200 })]]), spend: new Map([["APP\u0000c1", [100, 300]]]), orderChannels: new Map([["APP", [1, 200, 2, 500]]]), campaigns: new Map() },
      { members: new Map([["a", member({ windows: 9, first: 20_010, last: 20_020, refunds: 50, survey: [1, 1, 0, 2, 1, 1] })]]), spend: new Map([["APP\u0000c1", [0, 40]]]), orderChannels: new Map(), campaigns: new Map([["c1", [0, 0, 1, 70]]]) },
      { members: new Map([["b", member({ facts: { ...facts, referrerId: null }, windows: 2, first: 20_040, last: 20_095, orders: 1, gross: 70 })]]), spend: new Map(), orderChannels: new Map([["APP", [0, 0, 1, 70]]]), campaigns: new Map() },
    ];
    const canonical = (p: KpiPartial) => JSON.stringify(kpiJob.encode({ members: new Map([...p.members].sort()), spend: new Map([...p.spend].sort()), orderChannels: new Map([...p.orderChannels].sort()), campaigns: new Map([...p.campaigns].sort()) }));
    const m = kpiJob.merge;
    const [a1, b1, c1] = parts();
    const left = canonical(m(m(a1!, b1!), c1!));
    const [a2, b2, c2] = parts();
    expect(canonical(m(a2!, m(c2!, b2!)))).toBe(left);
    const [a3, b3, c3] = parts();
    expect(canonical(kpiJob.decode(JSON.parse(JSON.stringify(kpiJob.encode(m(c3!, m(b3!, a3!)))))))).toBe(left);
    expect(JSON.parse(left).members[0]).toEqual(["a", ["A", 20_000, "APP", "r", null, 4, 20_100], 9, 20_010, 20_020, 0, 0, 0, 0, 50, [1, 1, 0, 2, 1, 1]]);
  });

  it("freshness = mean days since each ACTIVE member item was last updated, clamped at 0", () => {
    const p = emptyKpiPartial();
    const state = (updatedDay: number, status: "A" | "E"): KpiMemberState => ({
      facts: { status, joinDay: 100, channel: "APP", referrerId: null, mergedInto: null, profile: 3, updatedDay },
      windows: 0, first: null, last: null, orders: 0, gross: 0, orders30: 0, gross30: 0, refunds: 0, survey: [0, 0, 0, 0, 0, 0],
    });
    const asOfDay = Date.parse("2025-06-30T00:00:00Z") / 86_400_000;
    p.members.set("a", state(asOfDay - 10, "A"));
    p.members.set("b", state(asOfDay + 3, "A")); // updated after D: 0
    p.members.set("c", state(asOfDay - 400, "E")); // erased: no profile to be fresh
    const s = computeKpis(p, { tenantId: "t", asOf: "2025-06-30", timeZone: "Asia/Shanghai", currency: "CNY", computedAt: "x" });
    expect(s.scopes.ALL).toMatchObject({ FRESHNESS_DAYS: 5, PROFILE_COMPLETENESS: 6 / 12, MEMBERS: 3, LIFECYCLE_DAYS: null, NPS: null, AOV: null });
  });
});
