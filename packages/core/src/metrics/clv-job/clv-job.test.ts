/**
 * The predictive CLV job against DynamoDB Local, on a hand-placed fixture in Asia/Shanghai.
 *
 * The expected RFM summaries are worked out by hand below (days counted on a calendar, amounts
 * added up), not with `summarize`; the expected predictions are `predictMember` called directly
 * on those summaries with the fitted parameters of the snapshot, and the fits themselves are
 * redone here on the hand summaries. Amounts are whole yuan, so every sum is exact.
 */
import { DateTime } from "luxon";
import { beforeAll, describe, expect, it } from "vitest";
import { checkpointedSegments } from "../../jobs/checkpoint.js";
import { jobKeys } from "../../jobs/keys.js";
import { getRunRecord } from "../../jobs/runs.js";
import { runJob, type JobRunResult } from "../../jobs/run.js";
import { createMember } from "../../member/create.js";
import { eraseMember } from "../../member/erase.js";
import { mergeMembers } from "../../member/merge.js";
import { recordOrder } from "../../order/record.js";
import { recordRefund } from "../../order/refund.js";
import { actor, newTenantId } from "../../test/tenant.js";
import { clvDistribution, fitBgnbd, fitGammaGamma, predictMember, topMembers, usableForSpend } from "../clv/index.js";
import type { ClvRun, ClvSnapshot } from "./compute.js";
import { getClvSnapshot, getMemberClvs } from "./store.js";

const ZONE = "Asia/Shanghai";
const AS_OF = "2025-06-30";
const JOB_ID = "predictive-clv.WEEK.12m.0.01";

/** A Shanghai wall-clock time as the UTC instant the API stores. */
const sh = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toUTC().toISO()!;

interface FixtureOrder {
  id: string;
  at: string; // Shanghai wall clock
  yuan: number;
  refund?: number;
}
interface FixtureMember {
  id: string;
  joined: string;
  channel: string;
  tier?: string;
  orders: FixtureOrder[];
}

/**
 * 13 members. m01-m10 buy; m11 is merged into m09 (its order moves there), m01 is erased (still
 * counted), m12 never buys, m13 joins exactly at the cutoff (left out with its order).
 */
const FIXTURE: FixtureMember[] = [
  { id: "m01", joined: "2025-02-20T10:00:00", channel: "WECHAT_OA", orders: [{ id: "o01a", at: "2025-02-22T12:00:00", yuan: 199 }] },
  { id: "m02", joined: "2025-03-01T10:00:00", channel: "MINI_PROGRAM", orders: [{ id: "o02a", at: "2025-03-02T12:00:00", yuan: 127 }] },
  { id: "m03", joined: "2025-03-10T10:00:00", channel: "WECHAT_OA", tier: "ACTIVE", orders: [{ id: "o03a", at: "2025-03-15T12:00:00", yuan: 379 }, { id: "o03b", at: "2025-03-29T12:00:00", yuan: 313 }] },
  // 04-04 20:00 and 04-05 00:00 Shanghai are both April 4th in UTC: two transactions here, one if
  // days were cut in UTC. The 04-05 order (300) is refunded by 73: a net 227.
  {
    id: "m04",
    joined: "2025-03-20T10:00:00",
    channel: "STORE",
    orders: [
      { id: "o04a", at: "2025-03-22T12:00:00", yuan: 30 },
      { id: "o04b", at: "2025-04-04T20:00:00", yuan: 104 },
      { id: "o04c", at: "2025-04-05T00:00:00", yuan: 300, refund: 73 },
      { id: "o04d", at: "2025-05-14T12:00:00", yuan: 242 },
    ],
  },
  { id: "m05", joined: "2025-03-05T10:00:00", channel: "MINI_PROGRAM", orders: [{ id: "o05a", at: "2025-03-08T12:00:00", yuan: 184 }, { id: "o05b", at: "2025-06-22T12:00:00", yuan: 92 }] },
  // The last second of 06-29 is 06-29; the first instant of 07-01 is after the as-of date.
  {
    id: "m06",
    joined: "2025-05-13T09:00:00",
    channel: "WECHAT_OA",
    tier: "ACTIVE",
    orders: [
      { id: "o06a", at: "2025-05-13T12:00:00", yuan: 165 },
      { id: "o06b", at: "2025-06-28T12:00:00", yuan: 217 },
      { id: "o06c", at: "2025-06-29T23:59:59", yuan: 699 },
      { id: "o06d", at: "2025-07-01T00:00:00", yuan: 500 },
    ],
  },
  { id: "m07", joined: "2025-02-10T10:00:00", channel: "STORE", tier: "LOYAL", orders: [{ id: "o07a", at: "2025-02-15T12:00:00", yuan: 310 }, { id: "o07b", at: "2025-03-23T12:00:00", yuan: 322 }] },
  // Two orders on 05-13 (1000 + 724): one transaction of 1724.
  {
    id: "m08",
    joined: "2025-05-01T10:00:00",
    channel: "MINI_PROGRAM",
    tier: "CORE",
    orders: [
      { id: "o08a", at: "2025-05-12T12:00:00", yuan: 845 },
      { id: "o08b", at: "2025-05-13T09:00:00", yuan: 1000 },
      { id: "o08c", at: "2025-05-13T18:30:00", yuan: 724 },
      { id: "o08d", at: "2025-05-19T12:00:00", yuan: 2080 },
      { id: "o08e", at: "2025-05-27T12:00:00", yuan: 1382 },
      { id: "o08f", at: "2025-06-04T12:00:00", yuan: 958 },
      { id: "o08g", at: "2025-06-05T12:00:00", yuan: 720 },
      { id: "o08h", at: "2025-06-06T12:00:00", yuan: 734 },
      { id: "o08i", at: "2025-06-08T12:00:00", yuan: 1296 },
      { id: "o08j", at: "2025-06-09T12:00:00", yuan: 1416 },
      { id: "o08k", at: "2025-06-21T12:00:00", yuan: 720 },
      { id: "o08l", at: "2025-06-27T12:00:00", yuan: 1153 },
    ],
  },
  { id: "m09", joined: "2025-03-01T10:00:00", channel: "WECHAT_OA", orders: [{ id: "o09a", at: "2025-03-07T12:00:00", yuan: 203 }, { id: "o09b", at: "2025-03-08T12:00:00", yuan: 230 }] },
  { id: "m10", joined: "2025-03-21T10:00:00", channel: "STORE", orders: [{ id: "o10a", at: "2025-03-21T12:00:00", yuan: 85 }] },
  // Merged into m09: its 03-09 order becomes m09's third transaction.
  { id: "m11", joined: "2025-03-05T10:00:00", channel: "WECHAT_OA", orders: [{ id: "o11a", at: "2025-03-09T12:00:00", yuan: 373 }] },
  // Joins at Shanghai midnight of April 1st (March 31st in UTC): cohort 2025-04. Never buys.
  { id: "m12", joined: "2025-04-01T00:00:00", channel: "MINI_PROGRAM", orders: [] },
  { id: "m13", joined: "2025-07-01T00:00:00", channel: "APP", orders: [{ id: "o13a", at: "2025-07-02T12:00:00", yuan: 50 }] },
];
const FIXTURE_ITEMS = FIXTURE.length + FIXTURE.reduce((n, m) => n + m.orders.length, 0);

/**
 * By hand, as of 2025-06-30, in days (÷ 7 for weeks). T counts from the first transaction day to
 * the as-of day; x = transaction days − 1; m = mean of the repeat transactions (minor units).
 */
const HAND: Record<string, { x: number; txDays: number; TDays: number; m: number; historical: number }> = {
  m01: { x: 0, txDays: 0, TDays: 128, m: 0, historical: 19900 }, // 02-22 → 06-30: 6 + 31 + 30 + 31 + 30 = 128
  m02: { x: 0, txDays: 0, TDays: 120, m: 0, historical: 12700 }, // 03-02 → 06-30: 29 + 30 + 31 + 30
  m03: { x: 1, txDays: 14, TDays: 107, m: 31300 / 1, historical: 37900 + 31300 }, // 03-15 → 03-29; → 06-30: 16 + 30 + 31 + 30
  // Days 03-22, 04-04, 04-05, 05-14: 04-05 nets 300 − 73 = 227.
  m04: { x: 3, txDays: 53, TDays: 100, m: (10400 + 22700 + 24200) / 3, historical: 3000 + 10400 + 22700 + 24200 }, // 03-22 → 05-14: 9 + 30 + 14
  m05: { x: 1, txDays: 106, TDays: 114, m: 9200 / 1, historical: 18400 + 9200 }, // 03-08 → 06-22: 23 + 30 + 31 + 22
  // 07-01's order is after the as-of date.
  m06: { x: 2, txDays: 47, TDays: 48, m: (21700 + 69900) / 2, historical: 16500 + 21700 + 69900 }, // 05-13 → 06-29: 18 + 29
  m07: { x: 1, txDays: 36, TDays: 135, m: 32200 / 1, historical: 31000 + 32200 }, // 02-15 → 03-23: 13 + 23
  // 11 days (05-13 holds two orders): x = 10; 05-12 → 06-27: 19 + 27 = 46, → 06-30: 49.
  m08: {
    x: 10,
    txDays: 46,
    TDays: 49,
    m: (172400 + 208000 + 138200 + 95800 + 72000 + 73400 + 129600 + 141600 + 72000 + 115300) / 10,
    historical: 84500 + 172400 + 208000 + 138200 + 95800 + 72000 + 73400 + 129600 + 141600 + 72000 + 115300,
  },
  // With m11's 03-09 order: days 03-07, 03-08, 03-09.
  m09: { x: 2, txDays: 2, TDays: 115, m: (23000 + 37300) / 2, historical: 20300 + 23000 + 37300 },
  m10: { x: 0, txDays: 0, TDays: 101, m: 0, historical: 8500 },
  m12: { x: -1, txDays: 0, TDays: 0, m: 0, historical: 0 }, // no order
};
const BUYERS = Object.keys(HAND).filter((id) => HAND[id]!.x >= 0);
const handSummary = (id: string) => {
  const h = HAND[id]!;
  return { x: h.x, tx: h.txDays / 7, T: h.TDays / 7, m: h.m };
};

let tenant: string;

async function loadFixture(tenantId: string): Promise<void> {
  for (const m of FIXTURE) {
    await createMember(tenantId, { memberId: m.id, sourceChannel: m.channel, joinedAt: sh(m.joined), tier: m.tier }, actor);
    for (const o of m.orders) {
      await recordOrder(tenantId, { orderId: o.id, memberId: m.id, channel: "WEB", amount: o.yuan, occurredAt: sh(o.at) }, actor);
      if (o.refund) await recordRefund(tenantId, { refundId: `${o.id}-r`, orderId: o.id, amount: o.refund, occurredAt: sh(o.at) }, actor);
    }
  }
  await mergeMembers(tenantId, "m09", "m11", actor);
  await eraseMember(tenantId, "m01", actor);
}

const withoutTime = (s: ClvSnapshot) => ({ ...s, computedAt: "-" });

let clean: JobRunResult<ClvRun>;

beforeAll(async () => {
  tenant = newTenantId("clv");
  await loadFixture(tenant);
  clean = await runJob<ClvRun>("predictive-clv", { tenantId: tenant, asOf: AS_OF, segments: 1, workers: 1 });
});

describe("predictive CLV job on a hand-computed fixture", () => {
  it("feeds the models the hand-computed summaries (local days, same-day orders, refunds, merges, cutoff)", () => {
    const { snapshot, members } = clean.snapshot;
    expect(clean.snapshotItemsRead).toBe(FIXTURE_ITEMS);
    // m11 (merged) and m13 (joined after the as-of date) are not members here.
    expect(members.map((m) => m.memberId)).toEqual(Object.keys(HAND));
    for (const m of members) {
      const h = HAND[m.memberId]!;
      expect(m.historicalClvMinor, m.memberId).toBe(h.historical);
      if (h.x < 0) {
        expect(m.summary, m.memberId).toBeNull();
        expect(m.prediction, m.memberId).toBeNull();
        continue;
      }
      expect({ x: m.summary!.x, txDays: m.summary!.txDays, TDays: m.summary!.TDays, m: m.summary!.m, tx: m.summary!.tx, T: m.summary!.T }, m.memberId).toEqual({
        txDays: h.txDays,
        TDays: h.TDays,
        ...handSummary(m.memberId),
      });
    }
    expect(snapshot).toMatchObject({ tenantId: tenant, asOf: AS_OF, timeZone: ZONE, currency: "CNY", paramsKey: "WEEK.12m.0.01", timeUnit: "WEEK", horizonMonths: 12, monthlyDiscountRate: 0.01, members: 11, customers: 10 });
    expect(snapshot.warnings).toEqual([]);
  });

  it("fits BG/NBD and Gamma-Gamma on exactly those summaries, and predicts each member as predictMember does", () => {
    const { snapshot, members } = clean.snapshot;
    const bg = fitBgnbd(BUYERS.map(handSummary), "WEEK");
    const gg = fitGammaGamma(BUYERS.map(handSummary).filter(usableForSpend));
    expect(snapshot.parameters.bgnbd).toEqual({ r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b, timeUnit: "WEEK", logLikelihood: bg.logLikelihood, customers: 10, converged: true, evaluations: bg.evaluations });
    expect(snapshot.parameters.gammaGamma).toEqual({ p: gg.p, q: gg.q, gamma: gg.gamma, logLikelihood: gg.logLikelihood, customers: 7, converged: true, evaluations: gg.evaluations, used: true });
    expect(snapshot.parameters.spendModel).toBe("GAMMA_GAMMA");
    // An interior optimum (not a boundary of the parameter space), and q > 1.
    expect(bg.r).toBeCloseTo(0.3476, 3);
    expect(bg.a).toBeCloseTo(0.558, 3);
    expect(gg.q).toBeCloseTo(2.8459, 3);
    // The observed mean spend: all 10 buyers' transactions (1+1+2+4+2+3+2+11+3+1 = 30 days), net.
    const total = BUYERS.reduce((s, id) => s + HAND[id]!.historical, 0);
    const days = BUYERS.reduce((s, id) => s + HAND[id]!.x + 1, 0);
    expect(days).toBe(30);
    expect(snapshot.parameters.observedMeanSpendMinor).toBe(total / 30);

    const P = snapshot.parameters;
    const expected = new Map(BUYERS.map((id) => [id, predictMember(P.bgnbd!, P.gammaGamma!, handSummary(id), { horizonMonths: 12, monthlyDiscountRate: 0.01 })]));
    for (const m of members) {
      if (m.summary) expect(m.prediction, m.memberId).toEqual(expected.get(m.memberId));
    }
    // One-time buyers are alive by BG/NBD's convention; m06 bought on 06-28 and 06-29: very likely alive.
    expect(expected.get("m01")!.pAlive).toBe(1);
    expect(expected.get("m08")!.clv).toBeGreaterThan(expected.get("m03")!.clv);

    expect(snapshot.distribution).toEqual(clvDistribution(BUYERS.map((id) => expected.get(id)!.clv)));
    expect(snapshot.distribution.members).toBe(10);
    expect(snapshot.distribution.deciles).toHaveLength(10);
    const top = topMembers(BUYERS.map((id) => ({ memberId: id, clv: expected.get(id)!.clv })), 20);
    expect(snapshot.top).toEqual(top.map(({ memberId }) => ({ memberId, predictedClvMinor: expected.get(memberId)!.clv, expectedPurchases: expected.get(memberId)!.expectedPurchases, pAlive: expected.get(memberId)!.pAlive })));
    expect(snapshot.top[0]!.memberId).toBe("m08");
    // Ids and numbers only.
    expect(Object.keys(snapshot.top[0]!).sort()).toEqual(["expectedPurchases", "memberId", "pAlive", "predictedClvMinor"]);
  });

  it("computes historical CLV as R ÷ M overall and by join month, channel and tier", () => {
    const h = clean.snapshot.snapshot.historical;
    const avg = (key: string, members: number, customers: number, revenueMinor: number) => ({ key, members, customers, revenueMinor, averageMinor: revenueMinor / members });
    expect(h.overall).toEqual(avg("ALL", 11, 10, 1_752_900));
    expect(h.byCohort).toEqual([
      avg("2025-02", 2, 2, 19900 + 63200), // m01, m07
      avg("2025-03", 6, 6, 12700 + 69200 + 60300 + 27600 + 80600 + 8500), // m02 m03 m04 m05 m09 m10
      avg("2025-04", 1, 0, 0), // m12, joined at Shanghai midnight of April 1st
      avg("2025-05", 2, 2, 108100 + 1_302_800), // m06, m08
    ]);
    expect(h.byChannel).toEqual([
      avg("MINI_PROGRAM", 4, 3, 12700 + 27600 + 1_302_800), // m02 m05 m08 m12
      avg("STORE", 3, 3, 60300 + 63200 + 8500), // m04 m07 m10
      avg("WECHAT_OA", 4, 4, 19900 + 69200 + 108100 + 80600), // m01 m03 m06 m09
    ]);
    expect(h.byTier).toEqual([
      avg("ACTIVE", 2, 2, 69200 + 108100),
      avg("CORE", 1, 1, 1_302_800),
      avg("LOYAL", 1, 1, 63200),
      avg("SILENT", 7, 6, 19900 + 12700 + 60300 + 27600 + 80600 + 8500),
    ]);
  });

  it("writes each member's CLV item beside the member, and the snapshot with a latest pointer", async () => {
    const { snapshot, members } = clean.snapshot;
    const items = await getMemberClvs(tenant, [...Object.keys(HAND), "m11", "m13"]);
    expect([...items.keys()].sort()).toEqual(Object.keys(HAND));
    for (const m of members) {
      const item = items.get(m.memberId)!;
      expect(item).toMatchObject({ tenantId: tenant, memberId: m.memberId, asOf: AS_OF, computedAt: snapshot.computedAt, paramsKey: "WEEK.12m.0.01", timeUnit: "WEEK", currency: "CNY", historicalClvMinor: HAND[m.memberId]!.historical });
      if (m.prediction) {
        expect(item).toMatchObject({ predictedClvMinor: m.prediction.clv, expectedPurchases: m.prediction.expectedPurchases, pAlive: m.prediction.pAlive, expectedAovMinor: m.prediction.expectedAverageValue, repeatPurchases: m.summary!.x });
      } else expect(item.predictedClvMinor).toBeUndefined();
    }
    expect(await getClvSnapshot(tenant)).toEqual(snapshot);
    expect(await getClvSnapshot(tenant, AS_OF)).toEqual(snapshot);
    expect(await getClvSnapshot(tenant, "2025-06-29")).toBeNull();
  });

  it("gives the same snapshot with 4 segments (in this thread, and on 2 worker threads)", async () => {
    const four = await runJob<ClvRun>("predictive-clv", { tenantId: tenant, asOf: AS_OF, segments: 4, workers: 1 });
    expect(withoutTime(four.snapshot.snapshot)).toEqual(withoutTime(clean.snapshot.snapshot));
    expect(four.snapshot.members).toEqual(clean.snapshot.members);
    const threads = await runJob<ClvRun>("predictive-clv", { tenantId: tenant, asOf: AS_OF, segments: 4, workers: 2, fresh: true });
    expect(threads.workers).toBe(2);
    expect(withoutTime(threads.snapshot.snapshot)).toEqual(withoutTime(clean.snapshot.snapshot));
    expect(threads.snapshot.members).toEqual(clean.snapshot.members);
  });

  it("a run killed after 2 of 4 segments resumes from the checkpoints and equals a clean run", async () => {
    const partition = jobKeys.runPartition(tenant, JOB_ID, AS_OF, 4);
    const kill = { tenantId: tenant, asOf: AS_OF, segments: 4, workers: 1, concurrency: 1, fresh: true };
    await expect(
      runJob("predictive-clv", {
        ...kill,
        afterSegment: (_stats, done) => {
          if (done === 2) throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    expect(await getRunRecord(partition)).toMatchObject({ status: "FAILED", error: "killed" });
    expect([...(await checkpointedSegments(partition)).keys()].sort()).toEqual([0, 1]);
    const resumed = await runJob<ClvRun>("predictive-clv", { ...kill, fresh: false });
    expect(resumed.segmentsSkipped).toEqual([0, 1]);
    expect(resumed.segmentsRun).toEqual([2, 3]);
    expect(resumed.snapshotItemsRead).toBe(FIXTURE_ITEMS);
    expect(withoutTime(resumed.snapshot.snapshot)).toEqual(withoutTime(clean.snapshot.snapshot));
    expect(resumed.snapshot.members).toEqual(clean.snapshot.members);
    expect(await getClvSnapshot(tenant)).toEqual(resumed.snapshot.snapshot);
  });

  it("a backfill of an older date writes its snapshot but leaves the members' newest CLV and the latest pointer", async () => {
    const older = await runJob<ClvRun>("predictive-clv", { tenantId: tenant, asOf: "2025-05-31", segments: 1, workers: 1 });
    // As of May 31st: m06 has one transaction (05-13), m08 its May days only.
    expect(older.snapshot.members.find((m) => m.memberId === "m06")!.summary).toMatchObject({ x: 0, TDays: 18 });
    expect(older.snapshot.members.find((m) => m.memberId === "m08")!.summary).toMatchObject({ x: 3, txDays: 15, TDays: 19 });
    expect((await getClvSnapshot(tenant, "2025-05-31"))?.asOf).toBe("2025-05-31");
    expect((await getClvSnapshot(tenant))?.asOf).toBe(AS_OF);
    const items = await getMemberClvs(tenant, ["m06", "m08"]);
    expect(items.get("m06")?.asOf).toBe(AS_OF);
    expect(items.get("m08")?.historicalClvMinor).toBe(HAND.m08!.historical);
  });

  it("takes its time unit, horizon and discount rate as options", async () => {
    const months = await runJob<ClvRun>("predictive-clv", { tenantId: tenant, asOf: AS_OF, params: { unit: "MONTH", horizon: "6", discount: "0" }, segments: 1, workers: 1 });
    expect(months.jobId).toBe("predictive-clv.MONTH.6m.0");
    const s = months.snapshot.snapshot;
    expect(s).toMatchObject({ timeUnit: "MONTH", horizonMonths: 6, monthlyDiscountRate: 0, paramsKey: "MONTH.6m.0" });
    const m08 = months.snapshot.members.find((m) => m.memberId === "m08")!;
    expect(m08.summary).toMatchObject({ x: 10, tx: 46 / (365.25 / 12), T: 49 / (365.25 / 12) });
    // A what-if run writes its snapshot only: the latest and the members' items stay on the
    // default parameters, and a date with several parameter sets serves the default one.
    expect((await getClvSnapshot(tenant, AS_OF))?.paramsKey).toBe("WEEK.12m.0.01");
    expect((await getClvSnapshot(tenant))?.paramsKey).toBe("WEEK.12m.0.01");
    expect((await getMemberClvs(tenant, ["m08"])).get("m08")?.paramsKey).toBe("WEEK.12m.0.01");
    await expect(runJob("predictive-clv", { tenantId: tenant, asOf: AS_OF, params: { unit: "YEAR" }, segments: 1, workers: 1 })).rejects.toThrow(/unit must be/);
    await expect(runJob("predictive-clv", { tenantId: tenant, asOf: AS_OF, params: { horizon: 0 }, segments: 1, workers: 1 })).rejects.toThrow(/horizon/);
  });
});
