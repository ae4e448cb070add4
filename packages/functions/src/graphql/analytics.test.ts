/**
 * Member-base analytics through GraphQL against DynamoDB Local: the job run by `runMetricsJob`,
 * breakdowns per role (suppression of groups under 10 for ANALYST, none for ADMIN and OPERATOR,
 * no access for partners), traffic sources and the private-domain share of sales with
 * non-member sales reported through the API. Every number is worked out in the comments.
 */
import { countRequests } from "@growth/core/db";
import { createMember } from "@growth/core/member";
import { recordOrder } from "@growth/core/order";
import { beforeAll, describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

type Result = { data?: Record<string, any> | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };
const by = { actor: "test" };
let tenant: string;
let partnerKey: string;

const BREAKDOWN = `query B($dimension: MemberBaseDimension!, $asOf: Date) {
  memberBaseBreakdown(dimension: $dimension, asOf: $asOf) {
    dimension asOf members clvAsOf minGroupSize suppressionApplied omittedGroups
    groups { key suppressed members activeMembers activeShare payingMembers orders revenue { minor } aov { minor currency } repurchaseRate clvMembers averageClv { minor } }
  }
}`;
const REPORT = `mutation R($input: ReportNonMemberSalesInput!) {
  reportNonMemberSales(input: $input) { sales { date channel amount { amount minor } note reportedAt } previousAmount { minor } }
}`;

const as = (role: "ADMIN" | "OPERATOR" | "ANALYST") => (q: string, v: Record<string, unknown> = {}) => executeOperation(q, v, { tenant, role }) as Promise<Result>;
const ok = async (r: Promise<Result>) => {
  const out = await r;
  expect(out.errors).toBeUndefined();
  return out.data!;
};

beforeAll(async () => {
  tenant = newTenantId("gqlbase");
  // As of 2025-03-31 (Shanghai). f1..f11: FEMALE, 上海, MINI_PROGRAM, joined 03-02..03-12; f1..f10 tagged VIP, f11 私人.
  // m1, m2: MALE, Springfield, WECOM, joined 03-31 23:30 (15:30 UTC). Orders: f1 100 + 50, f2 30, m1 20.
  for (let i = 1; i <= 11; i++) {
    const day = String(i + 1).padStart(2, "0");
    await createMember(tenant, { memberId: `f${i}`, sourceChannel: "MINI_PROGRAM", gender: "FEMALE", city: "上海", tags: [i <= 10 ? "VIP" : "私人"], joinedAt: `2025-03-${day}T10:00:00+08:00` }, by);
  }
  for (const id of ["m1", "m2"]) await createMember(tenant, { memberId: id, sourceChannel: "WECOM", gender: "MALE", city: "Springfield", joinedAt: "2025-03-31T23:30:00+08:00" }, by);
  for (const [orderId, memberId, amount, at] of [["o1", "f1", 100, "2025-03-20"], ["o2", "f1", 50, "2025-03-25"], ["o3", "f2", 30, "2025-03-28"], ["o4", "m1", 20, "2025-03-31"]] as const) {
    await recordOrder(tenant, { orderId, memberId, channel: "MINI_PROGRAM", amount, occurredAt: `${at}T23:45:00+08:00` }, by);
  }
  const admin = as("ADMIN");
  await ok(admin(`mutation { createPartner(input: { id: "coffee-co", name: "Coffee Co." }) { partner { id } } }`));
  partnerKey = (await ok(admin(`mutation { createPartnerKey(input: { partnerId: "coffee-co" }) { key } }`))).createPartnerKey.key;
});

describe("reportNonMemberSales / nonMemberSales", () => {
  it("OPERATOR reports, a second report of the day and channel replaces the first; ANALYST may not; bad input names the field", async () => {
    const operator = as("OPERATOR");
    const first = await ok(operator(REPORT, { input: { date: "2025-03-30", channel: "STORE", amount: 120 } }));
    expect(first.reportNonMemberSales).toMatchObject({ sales: { date: "2025-03-30", channel: "STORE", amount: { amount: 120, minor: 12_000 }, note: null }, previousAmount: null });
    const second = await ok(operator(REPORT, { input: { date: "2025-03-30", channel: "STORE", amount: 150, note: "tills" } }));
    expect(second.reportNonMemberSales).toMatchObject({ sales: { amount: { minor: 15_000 }, note: "tills" }, previousAmount: { minor: 12_000 } });
    await ok(operator(REPORT, { input: { date: "2025-03-31", amount: 90 } }));
    expect((await as("ANALYST")(REPORT, { input: { date: "2025-03-31", amount: 1 } })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const bad = await operator(REPORT, { input: { date: "2025-03-31", amount: 1.001 } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "amount" });
    const list = await ok(as("ANALYST")(`{ nonMemberSales(range: { from: "2025-03-01", to: "2025-03-31" }) { date channel amount { minor } } }`));
    expect(list.nonMemberSales).toEqual([{ date: "2025-03-30", channel: "STORE", amount: { minor: 15_000 } }, { date: "2025-03-31", channel: null, amount: { minor: 9000 } }]);
  });
});

describe("member-base analytics end to end", () => {
  beforeAll(async () => {
    // After the reports above (vitest runs describe blocks in order).
    const run = await ok(as("ADMIN")(`mutation { runMetricsJob(job: MEMBER_BASE, asOf: "2025-03-31") { runs { job variant asOf itemsRead summary } } }`));
    // 13 members + 4 orders + 2 non-member sales entries.
    expect(run.runMetricsJob.runs).toEqual([expect.objectContaining({ job: "MEMBER_BASE", variant: "", asOf: "2025-03-31", itemsRead: 19 })]);
    expect(run.runMetricsJob.runs[0].summary).toBe("member base as of 2025-03-31: 13 members, 2 cities, 3 tag groups, 12 join days, 2 days of non-member sales");
  });

  // FEMALE: 11 members, active f1, f2 (orders in 03-02..03-31), paying f1, f2, repeat f1; 3 orders 18000 → AOV 6000.
  const female = { key: "FEMALE", suppressed: false, members: 11, activeMembers: 2, activeShare: 2 / 11, payingMembers: 2, orders: 3, revenue: { minor: 18_000 }, aov: { minor: 6000, currency: "CNY" }, repurchaseRate: 0.5, clvMembers: 0, averageClv: null };
  // MALE: m1, m2; m1's order 2000 on D (23:45) makes m1 active.
  const male = { key: "MALE", suppressed: false, members: 2, activeMembers: 1, activeShare: 0.5, payingMembers: 1, orders: 1, revenue: { minor: 2000 }, aov: { minor: 2000, currency: "CNY" }, repurchaseRate: 0, clvMembers: 0, averageClv: null };
  const hidden = (key: string) => ({ key, suppressed: true, members: null, activeMembers: null, activeShare: null, payingMembers: null, orders: null, revenue: null, aov: null, repurchaseRate: null, clvMembers: null, averageClv: null });
  const head = { asOf: "2025-03-31", members: 13, clvAsOf: null, minGroupSize: 10 };

  it("ADMIN and OPERATOR see every group", async () => {
    for (const role of ["ADMIN", "OPERATOR"] as const) {
      const r = await ok(as(role)(BREAKDOWN, { dimension: "GENDER" }));
      expect(r.memberBaseBreakdown).toEqual({ dimension: "GENDER", ...head, suppressionApplied: false, omittedGroups: 0, groups: [female, male] });
    }
    const cities = await ok(as("ADMIN")(BREAKDOWN, { dimension: "CITY", asOf: "2025-03-31" }));
    expect(cities.memberBaseBreakdown.groups.map((g: { key: string; members: number }) => [g.key, g.members])).toEqual([["Springfield", 2], ["上海", 11]]);
    const tags = await ok(as("ADMIN")(BREAKDOWN, { dimension: "TAG" }));
    expect(tags.memberBaseBreakdown.groups.map((g: { key: string; members: number }) => [g.key, g.members])).toEqual([["VIP", 10], ["私人", 1], ["NONE", 2]]);
  });

  it("ANALYST: groups under 10 are suppressed; in CITY and TAG they are left out and counted", async () => {
    const analyst = as("ANALYST");
    const gender = await ok(analyst(BREAKDOWN, { dimension: "GENDER" }));
    expect(gender.memberBaseBreakdown).toEqual({ dimension: "GENDER", ...head, suppressionApplied: true, omittedGroups: 0, groups: [female, hidden("MALE")] });
    const cities = await ok(analyst(BREAKDOWN, { dimension: "CITY" }));
    expect(cities.memberBaseBreakdown).toMatchObject({ suppressionApplied: true, omittedGroups: 1, groups: [{ ...female, key: "上海" }] });
    // An operator bound to a staff member (a shopping assistant) sees the brand's groups as an analyst does.
    const assistant = await ok(executeOperation(BREAKDOWN, { dimension: "GENDER" }, { tenant, role: "OPERATOR", staffId: "sa-1" }) as Promise<Result>);
    expect(assistant.memberBaseBreakdown).toEqual(gender.memberBaseBreakdown);
    const tags = await ok(analyst(BREAKDOWN, { dimension: "TAG" }));
    // VIP: f1..f10 (10, the minimum: shown); 私人 (1) and NONE (2) left out.
    expect(tags.memberBaseBreakdown).toMatchObject({ omittedGroups: 2, groups: [{ key: "VIP", suppressed: false, members: 10, activeMembers: 2, orders: 3 }] });
  });

  it("each read is one DynamoDB call on a snapshot item (never a scan)", async () => {
    for (const [query, command] of [
      [`{ memberBaseBreakdown(dimension: CITY, asOf: "2025-03-31") { members } }`, "GetItemCommand"],
      [`{ memberBaseBreakdown(dimension: TAG) { members } }`, "QueryCommand"],
      [`{ trafficSources(range: { from: "2025-01-01", to: "2025-03-31" }, granularity: WEEK) { totals { newMembers } } }`, "QueryCommand"],
      [`{ privateDomainSalesShare(range: { from: "2025-01-01", to: "2025-03-31" }, asOf: "2025-03-31") { totals { share } } }`, "GetItemCommand"],
    ] as const) {
      const { tally } = await countRequests(() => ok(as("ANALYST")(query)));
      expect(tally.byCommand, query).toEqual({ [command]: 1 });
    }
  });

  it("a partner credential gets no member-base field", async () => {
    const r = (await executeOperation(BREAKDOWN, { dimension: "GENDER" }, { authorization: `Bearer ${partnerKey}` })) as Result;
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const t = (await executeOperation(`{ trafficSources(range: { from: "2025-03-01", to: "2025-03-31" }) { asOf } }`, {}, { authorization: `Bearer ${partnerKey}` })) as Result;
    expect(t.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("traffic sources and the private-domain share of sales", async () => {
    const traffic = await ok(as("ANALYST")(`{ trafficSources(range: { from: "2025-03-01", to: "2025-03-31" }, granularity: MONTH) {
      asOf granularity periods { start end newMembers channels { channel members } campaigns { campaignId members } withoutCampaign } totals { newMembers } } }`));
    expect(traffic.trafficSources).toEqual({
      asOf: "2025-03-31", granularity: "MONTH",
      periods: [{ start: "2025-03-01", end: "2025-03-31", newMembers: 13, channels: [{ channel: "MINI_PROGRAM", members: 11 }, { channel: "WECOM", members: 2 }], campaigns: [], withoutCampaign: 13 }],
      totals: { newMembers: 13 },
    });
    // m1 and m2 joined at 23:30 on 03-31 in Shanghai (15:30 UTC): on the 31st.
    const day = await ok(as("ANALYST")(`{ trafficSources(range: { from: "2025-03-30", to: "2025-03-31" }, granularity: DAY) { periods { start newMembers } } }`));
    expect(day.trafficSources.periods).toEqual([{ start: "2025-03-30", newMembers: 0 }, { start: "2025-03-31", newMembers: 2 }]);
    // Members 15000 (f1) + 3000 (f2) + 2000 (m1) = 20000; non-member 15000 + 9000 = 24000; share 20000 / 44000 = 5/11.
    const share = await ok(as("ANALYST")(`{ privateDomainSalesShare(range: { from: "2025-03-01", to: "2025-03-31" }) {
      asOf granularity periods { start end memberSales { minor } nonMemberSales { minor } totalSales { minor } reportedDays share } } }`));
    expect(share.privateDomainSalesShare).toEqual({
      asOf: "2025-03-31", granularity: "MONTH",
      periods: [{ start: "2025-03-01", end: "2025-03-31", memberSales: { minor: 20_000 }, nonMemberSales: { minor: 24_000 }, totalSales: { minor: 44_000 }, reportedDays: 2, share: 20_000 / 44_000 }],
    });
    const none = await ok(as("ADMIN")(`{ memberBaseBreakdown(dimension: TIER, asOf: "2025-03-30") { asOf } trafficSources(range: { from: "2025-03-01", to: "2025-03-31" }, asOf: "2025-03-01") { asOf } }`));
    expect(none).toEqual({ memberBaseBreakdown: null, trafficSources: null });
    const tooLong = await as("ADMIN")(`{ privateDomainSalesShare(range: { from: "2024-01-01", to: "2025-03-31" }, granularity: DAY) { asOf } }`);
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "range" });
  });
});
