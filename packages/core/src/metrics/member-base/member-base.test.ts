/**
 * The member-base job against DynamoDB Local on the hand-computed fixture of fixture.ts (as of
 * 2025-06-30, Asia/Shanghai). Amounts are minor units (fen).
 *
 * Members counted (ACTIVE or ERASED, joined by D): a1..a6. a7 is MERGED into a1 (its order o3
 * moved to a1), a8 joined at 00:00 on 07-01. Active = an order or event in 06-01..06-30.
 *
 * | id | gender | age band | city | province | region | channel | tier | tags | cohort | active | orders | revenue | CLV |
 * |---|---|---|---|---|---|---|---|---|---|---|---|---|---|
 * | a1 | FEMALE | 35_39 (35 on D) | 上海 | 上海 | EAST | WECHAT_OA | LOYAL | VIP, 宝妈 | 2025-01 | yes (o2 06-15) | 3 | 18000 | 12345.6 |
 * | a2 | MALE | UNDER_18 (17) | 杭州 | 浙江 | EAST | WECHAT_OA | SILENT | VIP | 2025-06 | yes (e1 23:59:59) | 0 (o4 at the cutoff) | 0 | — |
 * | a3 | FEMALE | 18_24 (24) | 成都 | 四川 | SOUTHWEST | MINI_PROGRAM | ACTIVE | NONE | 2025-06 | yes | 2 | 10000 | 5000.4 |
 * | a4 | UNKNOWN | UNKNOWN | Springfield | UNKNOWN | UNKNOWN | STORE | CORE | VIP | 2025-01 | no (e2 05-31 23:59:59) | 1 | 2550 | 100 |
 * | a5 | OTHER | 50_PLUS (55) | UNKNOWN | UNKNOWN | UNKNOWN | STORE | ACTIVE | 宝妈 | 2025-03 | yes (e3) | 0 | 0 | — |
 * | a6 (erased) | UNKNOWN | UNKNOWN | UNKNOWN | UNKNOWN | UNKNOWN | APP | ACTIVE | NONE | 2025-02 | yes (o8) | 1 | 20000 | 800 |
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkpointedSegments } from "../../jobs/checkpoint.js";
import { jobKeys } from "../../jobs/keys.js";
import { runJob } from "../../jobs/run.js";
import { newTenantId } from "../../test/tenant.js";
import type { MemberBaseGroup, MemberBaseSnapshot } from "./compute.js";
import { ageAt, ageBand } from "./dimensions.js";
import { BASE_AS_OF, BASE_FIXTURE_ITEMS, loadBaseFixture } from "./fixture.js";
import { memberBaseJob } from "./job.js";
import type { BaseMemberState, BasePartial } from "./partial.js";
import { cityKey, provinceOf, regionOf } from "./regions.js";
import { listNonMemberSales, reportNonMemberSales, type NonMemberSalesInput } from "./sales.js";
import { getMemberBaseBreakdown, getSalesShare, getTrafficSources } from "./store.js";

let tenant: string;
let snapshot: MemberBaseSnapshot;
const withoutTime = (s: MemberBaseSnapshot) => ({ ...s, computedAt: "-" });

beforeAll(async () => {
  tenant = newTenantId("base");
  await loadBaseFixture(tenant);
  snapshot = (await runJob<MemberBaseSnapshot>("member-base", { tenantId: tenant, asOf: BASE_AS_OF, segments: 4, workers: 1 })).snapshot;
}, 120_000);

/** A group from its counts; the derived figures are worked out here from the same counts. */
function g(key: string, members: number, active: number, paying: number, repeat: number, orders: number, revenue: number, clvMembers: number, averageClvMinor: number | null): MemberBaseGroup {
  return {
    key, members, activeMembers: active, payingMembers: paying, repeatMembers: repeat, orders, revenueMinor: revenue, clvMembers,
    activeShare: active / members,
    aovMinor: orders === 0 ? null : Math.round(revenue / orders),
    repurchaseRate: paying === 0 ? null : repeat / paying,
    averageClvMinor,
  };
}
const A1 = [1, 1, 1, 1, 3, 18_000, 1, 12_346] as const; // round(12345.6)
const A2 = [1, 1, 0, 0, 0, 0, 0, null] as const;
const A3 = [1, 1, 1, 1, 2, 10_000, 1, 5000] as const; // round(5000.4)
const A4 = [1, 0, 1, 0, 1, 2550, 1, 100] as const;
const A5 = [1, 1, 0, 0, 0, 0, 0, null] as const;

describe("member-base job on the hand-computed fixture", () => {
  it("counts the members and takes the latest CLV as-of day of their CLV items", () => {
    expect(snapshot).toMatchObject({ tenantId: tenant, asOf: BASE_AS_OF, timeZone: "Asia/Shanghai", currency: "CNY", members: 6, clvAsOf: "2025-06-30" });
  });

  it("gender and age band at the as-of day", () => {
    expect(snapshot.dimensions.GENDER).toEqual([
      g("FEMALE", 2, 2, 2, 2, 5, 28_000, 2, 8673), // a1 + a3; (12345.6 + 5000.4) / 2 = 8673; AOV 28000 / 5 = 5600
      g("MALE", ...A2),
      g("OTHER", ...A5),
      g("UNKNOWN", 2, 1, 2, 0, 2, 22_550, 2, 450), // a4 + a6 (erased); AOV 11275; (100 + 800) / 2
    ]);
    expect(snapshot.dimensions.AGE_BAND).toEqual([g("UNDER_18", ...A2), g("18_24", ...A3), g("35_39", ...A1), g("50_PLUS", ...A5), g("UNKNOWN", 2, 1, 2, 0, 2, 22_550, 2, 450)]);
  });

  it("city, province and region from the documented mapping", () => {
    expect(snapshot.dimensions.CITY).toEqual([g("Springfield", ...A4), g("上海", ...A1), g("成都", ...A3), g("杭州", ...A2), g("UNKNOWN", 2, 2, 1, 0, 1, 20_000, 1, 800)]);
    const unknown3 = g("UNKNOWN", 3, 2, 2, 0, 2, 22_550, 2, 450); // a4, a5, a6
    expect(snapshot.dimensions.PROVINCE).toEqual([g("上海", ...A1), g("四川", ...A3), g("浙江", ...A2), unknown3]);
    expect(snapshot.dimensions.REGION).toEqual([g("EAST", 2, 2, 1, 1, 3, 18_000, 1, 12_346), g("SOUTHWEST", ...A3), unknown3]);
  });

  it("source channel, tier, tag (overlapping) and join cohort in the tenant's zone", () => {
    expect(snapshot.dimensions.SOURCE_CHANNEL).toEqual([
      g("APP", 1, 1, 1, 0, 1, 20_000, 1, 800), // a6 (a7 merged away)
      g("MINI_PROGRAM", ...A3),
      g("STORE", 2, 1, 1, 0, 1, 2550, 1, 100), // a4 + a5
      g("WECHAT_OA", 2, 2, 1, 1, 3, 18_000, 1, 12_346), // a1 + a2
    ]);
    expect(snapshot.dimensions.TIER).toEqual([g("SILENT", ...A2), g("ACTIVE", 3, 3, 2, 1, 3, 30_000, 2, 2900), g("LOYAL", ...A1), g("CORE", ...A4)]); // (5000.4 + 800) / 2 = 2900.2
    expect(snapshot.dimensions.TAG).toEqual([
      g("VIP", 3, 2, 2, 1, 4, 20_550, 2, 6223), // a1, a2, a4 (a6's tag went with the erasure); AOV 5137.5 → 5138; (12345.6 + 100) / 2 = 6222.8
      g("宝妈", 2, 2, 1, 1, 3, 18_000, 1, 12_346), // a1, a5
      g("NONE", 2, 2, 2, 1, 3, 30_000, 2, 2900), // a3, a6
    ]);
    expect(snapshot.dimensions.JOIN_COHORT).toEqual([
      g("2025-01", 2, 1, 2, 1, 4, 20_550, 2, 6223), // a1, a4 (2025-01-01 00:05 Shanghai is still 2024 in UTC)
      g("2025-02", 1, 1, 1, 0, 1, 20_000, 1, 800),
      g("2025-03", ...A5),
      g("2025-06", 2, 2, 1, 1, 2, 10_000, 1, 5000), // a2, a3 (2025-06-01 00:10 Shanghai is 05-31 in UTC)
    ]);
  });

  it("new members per join day by channel and campaign; member and non-member sales per day", () => {
    expect(snapshot.traffic).toEqual([
      { day: "2025-01-01", members: 1, channels: { STORE: 1 }, campaigns: { "cp-other": 1 } },
      { day: "2025-01-15", members: 1, channels: { WECHAT_OA: 1 }, campaigns: {} },
      { day: "2025-02-01", members: 1, channels: { APP: 1 }, campaigns: {} },
      { day: "2025-03-10", members: 1, channels: { STORE: 1 }, campaigns: {} },
      { day: "2025-06-01", members: 1, channels: { MINI_PROGRAM: 1 }, campaigns: { "cp-ref": 1 } },
      { day: "2025-06-30", members: 1, channels: { WECHAT_OA: 1 }, campaigns: { "cp-ref": 1 } },
    ]);
    const day = (d: string, memberMinor: number, nonMemberMinor = 0, nonMemberReports = 0) => ({ day: d, memberMinor, nonMemberMinor, nonMemberReports });
    expect(snapshot.sales).toEqual([
      day("2025-02-01", 10_000),
      day("2025-04-05", 3000),
      day("2025-05-20", 2550),
      day("2025-06-01", 4000, 0, 1), // a zero report counts as reported
      day("2025-06-05", 20_000),
      day("2025-06-15", 5000, 30_000, 1), // 300 replaced 250
      day("2025-06-20", 6000),
      day("2025-06-30", 0, 60_000, 2), // STORE 500 + no channel 100; o4 and 07-01's report are after D
    ]);
  });
});

describe("member-base reads (one item each)", () => {
  it("a breakdown by day, the latest one, and none before the first snapshot", async () => {
    const byDay = await getMemberBaseBreakdown(tenant, "TIER", BASE_AS_OF);
    expect(byDay).toEqual({ dimension: "TIER", asOf: BASE_AS_OF, computedAt: snapshot.computedAt, currency: "CNY", members: 6, clvAsOf: "2025-06-30", groups: snapshot.dimensions.TIER });
    expect((await getMemberBaseBreakdown(tenant, "TIER"))?.asOf).toBe(BASE_AS_OF);
    expect(await getMemberBaseBreakdown(tenant, "TIER", "2025-06-01")).toBeNull();
    await expect(getMemberBaseBreakdown(tenant, "SHOE_SIZE" as never)).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });

  it("traffic sources per month, ISO week and day (clipped to the range)", async () => {
    const month = await getTrafficSources(tenant, { from: "2025-01-01", to: "2025-06-30" }, "MONTH", BASE_AS_OF);
    const empty = (start: string, end: string) => ({ start, end, newMembers: 0, channels: [], campaigns: [], withoutCampaign: 0 });
    expect(month?.periods).toEqual([
      { start: "2025-01-01", end: "2025-01-31", newMembers: 2, channels: [{ key: "STORE", members: 1 }, { key: "WECHAT_OA", members: 1 }], campaigns: [{ key: "cp-other", members: 1 }], withoutCampaign: 1 },
      { start: "2025-02-01", end: "2025-02-28", newMembers: 1, channels: [{ key: "APP", members: 1 }], campaigns: [], withoutCampaign: 1 },
      { start: "2025-03-01", end: "2025-03-31", newMembers: 1, channels: [{ key: "STORE", members: 1 }], campaigns: [], withoutCampaign: 1 },
      empty("2025-04-01", "2025-04-30"),
      empty("2025-05-01", "2025-05-31"),
      { start: "2025-06-01", end: "2025-06-30", newMembers: 2, channels: [{ key: "MINI_PROGRAM", members: 1 }, { key: "WECHAT_OA", members: 1 }], campaigns: [{ key: "cp-ref", members: 2 }], withoutCampaign: 0 },
    ]);
    expect(month?.totals).toEqual({
      start: "2025-01-01", end: "2025-06-30", newMembers: 6,
      channels: [{ key: "APP", members: 1 }, { key: "MINI_PROGRAM", members: 1 }, { key: "STORE", members: 2 }, { key: "WECHAT_OA", members: 2 }],
      campaigns: [{ key: "cp-other", members: 1 }, { key: "cp-ref", members: 2 }], withoutCampaign: 3,
    });
    const week = await getTrafficSources(tenant, { from: "2025-05-28", to: "2025-06-30" }, "WEEK");
    expect(week?.periods.map((p) => [p.start, p.end, p.newMembers])).toEqual([
      ["2025-05-28", "2025-06-01", 1], // the week of Monday 05-26, from the range's first day; a3 joined 06-01 00:10
      ["2025-06-02", "2025-06-08", 0],
      ["2025-06-09", "2025-06-15", 0],
      ["2025-06-16", "2025-06-22", 0],
      ["2025-06-23", "2025-06-29", 0],
      ["2025-06-30", "2025-06-30", 1], // a2, to the range's last day
    ]);
    // Across Shanghai midnight: a3's join (05-31 16:10 UTC) is on 06-01.
    const days = await getTrafficSources(tenant, { from: "2025-05-31", to: "2025-06-01" }, "DAY");
    expect(days?.periods.map((p) => [p.start, p.newMembers])).toEqual([["2025-05-31", 0], ["2025-06-01", 1]]);
    await expect(getTrafficSources(tenant, { from: "2024-01-01", to: "2025-06-30" }, "DAY")).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(getTrafficSources(tenant, { from: "2025-07-01", to: "2025-06-30" }, "MONTH")).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });

  it("private-domain share of sales = member ÷ (member + non-member), null without a non-member report", async () => {
    const june = await getSalesShare(tenant, { from: "2025-06-01", to: "2025-06-30" }, "MONTH");
    // member 4000 + 20000 + 5000 + 6000 = 35000; non-member 30000 + 60000 = 90000
    expect(june?.periods).toEqual([{ start: "2025-06-01", end: "2025-06-30", memberSalesMinor: 35_000, nonMemberSalesMinor: 90_000, totalSalesMinor: 125_000, reportedDays: 3, share: 0.28 }]);
    const weeks = await getSalesShare(tenant, { from: "2025-06-01", to: "2025-06-30" }, "WEEK");
    expect(weeks?.periods.map((p) => [p.start, p.end, p.memberSalesMinor, p.nonMemberSalesMinor, p.reportedDays, p.share])).toEqual([
      ["2025-06-01", "2025-06-01", 4000, 0, 1, 1], // reported zero: everything was members'
      ["2025-06-02", "2025-06-08", 20_000, 0, 0, null], // nothing reported: unknown
      ["2025-06-09", "2025-06-15", 5000, 30_000, 1, 5000 / 35_000],
      ["2025-06-16", "2025-06-22", 6000, 0, 0, null],
      ["2025-06-23", "2025-06-29", 0, 0, 0, null],
      ["2025-06-30", "2025-06-30", 0, 60_000, 1, 0], // two reports, one day
    ]);
    expect((await getSalesShare(tenant, { from: "2025-05-01", to: "2025-05-31" }, "MONTH"))?.totals).toMatchObject({ memberSalesMinor: 2550, reportedDays: 0, share: null });
  });

  it("non-member sales reports: replaced by (date, channel), listed by date, bad input refused", async () => {
    const t = newTenantId("nms");
    const first = await reportNonMemberSales(t, { date: "2025-06-15", channel: "WEB", amount: 250 });
    expect(first).toMatchObject({ previousAmountMinor: null, sales: { date: "2025-06-15", channel: "WEB", amountMinor: 25_000 } });
    const again = await reportNonMemberSales(t, { date: "2025-06-15", channel: "WEB", amount: 300 });
    expect(again.previousAmountMinor).toBe(25_000);
    expect((await reportNonMemberSales(t, { date: "2025-06-15", channel: "WEB", amount: 300 })).previousAmountMinor).toBe(30_000); // a repeat changes nothing
    await reportNonMemberSales(t, { date: "2025-06-15", amount: 10 });
    const list = await listNonMemberSales(t, { from: "2025-06-01", to: "2025-06-30" });
    expect(list.map((s) => [s.date, s.channel, s.amountMinor])).toEqual([["2025-06-15", null, 1000], ["2025-06-15", "WEB", 30_000]]);
    for (const [bad, field] of [[{ amount: -1 }, "amount"], [{ amount: 1.234 }, "amount"], [{ channel: "FAX" }, "channel"], [{ date: "2025-02-30" }, "date"], [{ date: "2999-01-01" }, "date"]] as const) {
      const input: NonMemberSalesInput = Object.assign({ date: "2025-06-15", amount: 1 }, bad);
      await expect(reportNonMemberSales(t, input)).rejects.toMatchObject({ code: "BAD_USER_INPUT", details: { field } });
    }
  });
});

describe("member-base job: as-of days, reruns, resumption", () => {
  it("as of the day before and the day after: joins, ages and cohorts move at Shanghai midnight", async () => {
    const before = (await runJob<MemberBaseSnapshot>("member-base", { tenantId: tenant, asOf: "2025-06-29", segments: 2, workers: 1 })).snapshot;
    // a2 (joined 06-30 23:59:59) is not a member yet; a1 is 34 until 06-30.
    expect(before.members).toBe(5);
    expect(before.dimensions.AGE_BAND.map((x) => [x.key, x.members])).toEqual([["18_24", 1], ["30_34", 1], ["50_PLUS", 1], ["UNKNOWN", 2]]);
    expect(before.dimensions.JOIN_COHORT.find((x) => x.key === "2025-06")?.members).toBe(1);
    // a3's order o6 (06-20) is in, the 30-day window is 05-31..06-29, so a4's view at 05-31 23:59:59 makes it active.
    expect(before.dimensions.SOURCE_CHANNEL.find((x) => x.key === "STORE")).toMatchObject({ members: 2, activeMembers: 2 });
    const after = (await runJob<MemberBaseSnapshot>("member-base", { tenantId: tenant, asOf: "2025-07-01", segments: 2, workers: 1 })).snapshot;
    // a8 joins at 00:00:00 on 07-01; a2 turns 18 that day.
    expect(after.members).toBe(7);
    expect(after.dimensions.AGE_BAND.find((x) => x.key === "18_24")).toMatchObject({ members: 2, orders: 3, revenueMinor: 18_000 }); // a2 (o4 80 on 07-01 00:00), a3
    expect(after.dimensions.JOIN_COHORT.at(-1)).toMatchObject({ key: "2025-07", members: 1, orders: 1, revenueMinor: 1000, averageClvMinor: 999 });
    expect(after.sales.at(-1)).toEqual({ day: "2025-07-01", memberMinor: 9000, nonMemberMinor: 99_900, nonMemberReports: 1 });
  });

  it("1, 4 and 16 segments (in-thread and on worker threads) give identical snapshots; a rerun writes the same numbers", async () => {
    const asOf = "2025-06-28";
    const one = await runJob<MemberBaseSnapshot>("member-base", { tenantId: tenant, asOf, segments: 1, workers: 1 });
    const four = await runJob<MemberBaseSnapshot>("member-base", { tenantId: tenant, asOf, segments: 4, workers: 2 });
    const sixteen = await runJob<MemberBaseSnapshot>("member-base", { tenantId: tenant, asOf, segments: 16, workers: 1, pageLimit: 3 });
    expect(withoutTime(four.snapshot)).toEqual(withoutTime(one.snapshot));
    expect(withoutTime(sixteen.snapshot)).toEqual(withoutTime(one.snapshot));
    for (const r of [one, four, sixteen]) expect(r.itemsRead).toBe(BASE_FIXTURE_ITEMS);

    const rerun = await runJob<MemberBaseSnapshot>("member-base", { tenantId: tenant, asOf: BASE_AS_OF, segments: 4, workers: 1, fresh: true });
    expect(withoutTime(rerun.snapshot)).toEqual(withoutTime(snapshot));
    expect(rerun.snapshot.computedAt > snapshot.computedAt).toBe(true);
    expect((await getMemberBaseBreakdown(tenant, "GENDER", BASE_AS_OF))?.groups).toEqual(snapshot.dimensions.GENDER);
  });

  it("a run killed after 2 of 4 segments resumes from its checkpoints and writes the same snapshot", async () => {
    const asOf = "2025-06-27";
    const partition = jobKeys.runPartition(tenant, "member-base", asOf, 4);
    await expect(
      runJob("member-base", { tenantId: tenant, asOf, segments: 4, workers: 1, concurrency: 1, afterSegment: (_s, done) => { if (done === 2) throw new Error("killed"); } }),
    ).rejects.toThrow("killed");
    const saved = await checkpointedSegments(partition);
    expect([...saved.keys()].sort()).toEqual([0, 1]);
    const readBefore = saved.get(0)!.itemsRead + saved.get(1)!.itemsRead;
    const resumed = await runJob<MemberBaseSnapshot>("member-base", { tenantId: tenant, asOf, segments: 4, workers: 1, concurrency: 1 });
    expect(resumed.segmentsSkipped).toEqual([0, 1]);
    expect(resumed.itemsRead + readBefore).toBe(BASE_FIXTURE_ITEMS);
    const clean = await runJob<MemberBaseSnapshot>("member-base", { tenantId: tenant, asOf, segments: 1, workers: 1 });
    expect(withoutTime(resumed.snapshot)).toEqual(withoutTime(clean.snapshot));
  });
});

describe("member-base pieces (pure)", () => {
  it("merge is commutative and associative and survives encode/decode", () => {
    const state = (over: Partial<BaseMemberState>): BaseMemberState => ({ facts: null, active: false, orders: 0, gross: 0, clv: null, clvAsOf: null, campaign: null, ...over });
    const facts = { status: "A" as const, joinDay: 20_000, gender: "FEMALE", age: "25_29", city: "上海", channel: "APP", tier: "ACTIVE", tags: ["a"] };
    const parts = (): BasePartial[] => [
      { members: new Map([["m", state({ facts })]]), sales: new Map([[20_001, [100, 0, 0] as [number, number, number]]]) },
      { members: new Map([["m", state({ active: true, orders: 2, gross: 300 })]]), sales: new Map([[20_001, [0, 50, 1] as [number, number, number]]]) },
      { members: new Map([["m", state({ clv: 12.5, clvAsOf: "2024-10-01", campaign: "c" })], ["n", state({ orders: 1, gross: 7 })]]), sales: new Map() },
    ];
    const canonical = (p: BasePartial) => JSON.stringify(memberBaseJob.encode({ members: new Map([...p.members].sort()), sales: new Map([...p.sales].sort()) }));
    const m = memberBaseJob.merge;
    const [a1, b1, c1] = parts();
    const left = canonical(m(m(a1!, b1!), c1!));
    const [a2, b2, c2] = parts();
    expect(canonical(m(a2!, m(c2!, b2!)))).toBe(left);
    const [a3, b3, c3] = parts();
    expect(canonical(memberBaseJob.decode(JSON.parse(JSON.stringify(memberBaseJob.encode(m(c3!, m(b3!, a3!)))))))).toBe(left);
    expect(JSON.parse(left)).toEqual({ v: 1, members: [["m", ["A", 20_000, "FEMALE", "25_29", "上海", "APP", "ACTIVE", ["a"]], 1, 2, 300, 12.5, "2024-10-01", "c"], ["n", null, 0, 1, 7, null, null, null]], sales: [[20_001, [100, 50, 1]]] });
  });

  it("ages at the as-of day, bands and the city mapping", () => {
    expect(ageAt("2000-07-01", "2025-06-30")).toBe(24);
    expect(ageAt("2000-07-01", "2025-07-01")).toBe(25);
    expect(ageAt("2004-02-29", "2025-02-28")).toBe(20); // a 29 February birthday comes on 1 March
    expect(ageAt("2004-02-29", "2025-03-01")).toBe(21);
    expect(ageAt("2026-01-01", "2025-06-30")).toBeNull();
    expect([17, 18, 24, 25, 29, 30, 34, 35, 39, 40, 49, 50, 90].map(ageBand)).toEqual(["UNDER_18", "18_24", "18_24", "25_29", "25_29", "30_34", "30_34", "35_39", "35_39", "40_49", "40_49", "50_PLUS", "50_PLUS"]);
    expect(ageBand(null)).toBe("UNKNOWN");
    expect(["上海市", " shang hai ", "Shanghai", "广州", "深圳市", "Xi'an", "吉林", "", undefined, "Springfield"].map(cityKey)).toEqual(["上海", "上海", "上海", "广州", "深圳", "西安", "吉林", "UNKNOWN", "UNKNOWN", "Springfield"]);
    expect(["上海", "广州", "深圳", "西安", "吉林", "哈尔滨", "Springfield", "UNKNOWN"].map((c) => [provinceOf(c), regionOf(c)])).toEqual([
      ["上海", "EAST"], ["广东", "SOUTH"], ["广东", "SOUTH"], ["陕西", "NORTHWEST"], ["吉林", "NORTHEAST"], ["黑龙江", "NORTHEAST"], ["UNKNOWN", "UNKNOWN"], ["UNKNOWN", "UNKNOWN"],
    ]);
  });
});
