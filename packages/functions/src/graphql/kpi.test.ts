import { recordEvent } from "@growth/core/event";
import { KPI_METRIC_NAMES } from "@growth/core/metrics/kpi";
import { createMember } from "@growth/core/member";
import { recordOrder } from "@growth/core/order";
import { isEnumType } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation, schema } from "./server.js";

const OVERVIEW = `query O($range: DayRange, $asOf: Date) {
  metricsOverview(range: $range, asOf: $asOf) {
    asOf computedAt timeZone
    overall { channel computedAt growth { members newOnDay new7Days new30Days } conversion { payingMembers rate }
      orders { orders30Days revenue30Days { amount minor currency } aov30Days { amount } repurchaseRate30Days }
      acquisition { spend30Days { amount } cac30Days { amount } campaignSpend { amount } attributedRevenue { amount } roi }
      referral { referred30Days referrers30Days kFactor30Days } nps { responses30Days nps30Days }
      sales { retainedMembers fissionRate conversionRate aov { amount } repurchaseRate sales { amount } }
      values { metric unit value computedAt } }
    channels { channel growth { members } acquisition { cac30Days { amount } } }
    orderChannels { channel orders30Days aov30Days { amount } }
    campaigns { campaignId spend { amount } orders attributedRevenue { amount } roi }
  }
}`;
const SERIES = `query S($metric: KpiMetric!, $range: DayRange!, $channel: Channel) {
  metricsSeries(metric: $metric, range: $range, channel: $channel) { metric unit channel points { day value computedAt } }
}`;
const SPEND = `mutation M($input: RecordMarketingSpendInput!) {
  recordMarketingSpend(input: $input) { duplicate spend { id channel campaignId date amount { amount minor currency } note createdAt } }
}`;
const RUN = `mutation { runMetricsJob(job: KPI, asOf: "2025-03-31") { runs { job variant asOf itemsRead summary } } }`;

let tenant: string;
const by = { actor: "test" };

beforeAll(async () => {
  tenant = newTenantId("gqlkpi");
  // As of 2025-03-31 (Shanghai): a joined 03-01 (WEB) with orders 100 (03-05, campaign c1) and 50
  // (03-31 23:30); b joined 03-30 (APP) referred by a, survey 9 on 03-31; c joined 01-10 (APP), no activity.
  await createMember(tenant, { memberId: "a", sourceChannel: "WEB", joinedAt: "2025-03-01T10:00:00+08:00" }, by);
  await createMember(tenant, { memberId: "b", sourceChannel: "APP", joinedAt: "2025-03-30T10:00:00+08:00", referrerId: "a" }, by);
  await createMember(tenant, { memberId: "c", sourceChannel: "APP", joinedAt: "2025-01-10T10:00:00+08:00" }, by);
  await recordOrder(tenant, { orderId: "o1", memberId: "a", channel: "MINI_PROGRAM", amount: 100, occurredAt: "2025-03-05T10:00:00+08:00", campaignId: "c1" }, by);
  await recordOrder(tenant, { orderId: "o2", memberId: "a", channel: "WEB", amount: 50, occurredAt: "2025-03-31T23:30:00+08:00" }, by);
  await recordEvent(tenant, { eventId: "e1", memberId: "b", type: "SURVEY_SCORE", channel: "WECOM", occurredAt: "2025-03-31T12:00:00+08:00", score: 9 });
});

describe("recordMarketingSpend", () => {
  it("records spend idempotently; other content under the id is a CONFLICT; bad input is BAD_USER_INPUT with the field", async () => {
    const input = { id: "sp1", channel: "WEB", campaignId: "c1", date: "2025-03-02", amount: 80, note: "search ads" };
    const first = await executeOperation(SPEND, { input }, { tenant, role: "OPERATOR" });
    expect(first.errors).toBeUndefined();
    expect(first.data?.recordMarketingSpend).toMatchObject({ duplicate: false, spend: { id: "sp1", channel: "WEB", campaignId: "c1", date: "2025-03-02", amount: { amount: 80, minor: 8000, currency: "CNY" }, note: "search ads" } });
    const again = await executeOperation(SPEND, { input }, { tenant, role: "ADMIN" });
    expect(again.data?.recordMarketingSpend.duplicate).toBe(true);
    const other = await executeOperation(SPEND, { input: { ...input, amount: 81 } }, { tenant, role: "ADMIN" });
    expect(other.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    for (const [bad, field] of [[{ amount: 0 }, "amount"], [{ amount: 1.234 }, "amount"], [{ id: "has space" }, "id"]] as const) {
      const r = await executeOperation(SPEND, { input: { ...input, id: "sp-bad", ...bad } }, { tenant, role: "ADMIN" });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
    const badDate = await executeOperation(SPEND, { input: { ...input, id: "sp-bad", date: "2025-02-30" } }, { tenant, role: "ADMIN" });
    expect(badDate.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const listed = await executeOperation(`{ marketingSpend(range: { from: "2025-03-01", to: "2025-03-31" }) { id amount { amount } } }`, {}, { tenant, role: "ANALYST" });
    expect(listed.data?.marketingSpend).toEqual([{ id: "sp1", amount: { amount: 80 } }]);
  });

  it("is denied to analysts", async () => {
    const r = await executeOperation(SPEND, { input: { id: "sp2", channel: "APP", date: "2025-03-02", amount: 10 } }, { tenant, role: "ANALYST" });
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("metricsOverview / metricsSeries end to end", () => {
  it("is null before the job ran; the KPI enum matches the core catalogue", async () => {
    const r = await executeOperation(OVERVIEW, {}, { tenant, role: "ANALYST" });
    expect(r.errors).toBeUndefined();
    expect(r.data?.metricsOverview).toBeNull();
    const type = schema.getType("KpiMetric");
    expect(isEnumType(type) && type.getValues().map((v) => v.name)).toEqual(KPI_METRIC_NAMES);
  });

  it("runs the KPI job and serves the overview and a series", async () => {
    const run = await executeOperation(RUN, {}, { tenant, role: "ADMIN" });
    expect(run.errors).toBeUndefined();
    // 3 members, 2 orders, 1 event, 1 spend entry.
    expect(run.data?.runMetricsJob.runs).toEqual([expect.objectContaining({ job: "KPI", variant: "", asOf: "2025-03-31", itemsRead: 7 })]);

    const r = await executeOperation(OVERVIEW, { range: { from: "2025-03-01", to: "2025-04-30" } }, { tenant, role: "ANALYST" });
    expect(r.errors).toBeUndefined();
    const o = r.data?.metricsOverview;
    expect(o).toMatchObject({ asOf: "2025-03-31", timeZone: "Asia/Shanghai" });
    // Members a, b, c; new in 30 days (03-02..03-31): b (03-30); a joined 03-01, the 31st day back. Paying: a.
    // Orders in 30 days: o1 100 + o2 50 → AOV 75; a has 2 of them → repurchase 1/1.
    // Spend 80 (c1, WEB) in the window → CAC 80 ÷ 1 new; ROI (c1's 100 − 80) ÷ 80 = 0.25.
    // K-factor: b referred by a → 1 ÷ 1. Sales = retained 0 (nobody was active 01-31..03-01) × ... = 0.
    expect(o.overall).toMatchObject({
      channel: null,
      computedAt: o.computedAt,
      growth: { members: 3, newOnDay: 0, new7Days: 1, new30Days: 1 },
      conversion: { payingMembers: 1, rate: 1 / 3 },
      orders: { orders30Days: 2, revenue30Days: { amount: 150, minor: 15_000, currency: "CNY" }, aov30Days: { amount: 75 }, repurchaseRate30Days: 1 },
      acquisition: { spend30Days: { amount: 80 }, cac30Days: { amount: 80 }, campaignSpend: { amount: 80 }, attributedRevenue: { amount: 100 }, roi: 0.25 },
      referral: { referred30Days: 1, referrers30Days: 1, kFactor30Days: 1 },
      nps: { responses30Days: 1, nps30Days: 100 },
      sales: { retainedMembers: 0, fissionRate: 1, conversionRate: 1 / 3, aov: { amount: 75 }, repurchaseRate: 1, sales: { amount: 0 } },
    });
    expect(o.overall.values).toHaveLength(KPI_METRIC_NAMES.length);
    expect(o.overall.values.find((v: { metric: string }) => v.metric === "HISTORICAL_CLV")).toEqual({ metric: "HISTORICAL_CLV", unit: "MONEY", value: 50, computedAt: o.computedAt }); // 150 ÷ 3
    // Channels are source channels: WEB (a: the spend's channel too) and APP (b, c).
    expect(o.channels).toEqual([
      { channel: "APP", growth: { members: 2 }, acquisition: { cac30Days: { amount: 0 } } }, // no spend ÷ 1 new (b)
      { channel: "WEB", growth: { members: 1 }, acquisition: { cac30Days: null } }, // spend 80, but nobody joined WEB in the window
    ]);
    expect(o.orderChannels).toEqual([
      { channel: "MINI_PROGRAM", orders30Days: 1, aov30Days: { amount: 100 } },
      { channel: "WEB", orders30Days: 1, aov30Days: { amount: 50 } },
    ]);
    expect(o.campaigns).toEqual([{ campaignId: "c1", spend: { amount: 80 }, orders: 1, attributedRevenue: { amount: 100 }, roi: 0.25 }]);

    const byDay = await executeOperation(OVERVIEW, { asOf: "2025-03-31" }, { tenant, role: "OPERATOR" });
    expect(byDay.data?.metricsOverview.overall.growth.members).toBe(3);
    expect((await executeOperation(OVERVIEW, { range: { from: "2025-04-01", to: "2025-04-30" } }, { tenant, role: "ANALYST" })).data?.metricsOverview).toBeNull();

    const series = await executeOperation(SERIES, { metric: "AOV_30D", range: { from: "2025-03-01", to: "2025-03-31" }, channel: "WEB" }, { tenant, role: "ANALYST" });
    expect(series.errors).toBeUndefined();
    expect(series.data?.metricsSeries).toEqual({ metric: "AOV_30D", unit: "MONEY", channel: "WEB", points: [{ day: "2025-03-31", value: 75, computedAt: o.computedAt }] });
    const all = await executeOperation(SERIES, { metric: "MEMBERS", range: { from: "2025-03-31", to: "2025-03-31" } }, { tenant, role: "ANALYST" });
    expect(all.data?.metricsSeries.points.map((p: { value: number }) => p.value)).toEqual([3]);
  });

  it("refuses bad ranges and both range and asOf with BAD_USER_INPUT", async () => {
    const backwards = await executeOperation(SERIES, { metric: "MEMBERS", range: { from: "2025-03-31", to: "2025-03-01" } }, { tenant, role: "ANALYST" });
    expect(backwards.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const long = await executeOperation(SERIES, { metric: "MEMBERS", range: { from: "2023-01-01", to: "2025-03-01" } }, { tenant, role: "ANALYST" });
    expect(long.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "range" });
    const both = await executeOperation(OVERVIEW, { asOf: "2025-03-31", range: { from: "2025-03-01", to: "2025-03-31" } }, { tenant, role: "ANALYST" });
    expect(both.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const unknown = await executeOperation(SERIES, { metric: "NOPE", range: { from: "2025-03-01", to: "2025-03-31" } }, { tenant, role: "ANALYST" });
    expect(unknown.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
