import { countRequests } from "@growth/core/db";
import { getClvSnapshot, getMemberClvs } from "@growth/core/metrics/clv-job";
import { createMember } from "@growth/core/member";
import { recordOrder } from "@growth/core/order";
import { getSettings } from "@growth/core/tenant";
import { beforeAll, describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

const SNAPSHOT = `query S($asOf: Date) {
  clvSnapshot(asOf: $asOf) {
    asOf computedAt timeZone timeUnit horizonMonths monthlyDiscountRate members customers
    parameters {
      bgnbd { r alpha a b timeUnit logLikelihood customers converged }
      gammaGamma { p q gamma logLikelihood customers converged used }
      spendModel observedMeanSpend { minor currency } populationMeanSpend { minor }
    }
    distribution {
      members total { minor } mean { minor } min { minor } max { minor }
      quantiles { p value { minor } }
      deciles { decile members min { minor } max { minor } total { minor } mean { minor } share }
    }
    topMembers { rank memberId member { id name } predicted { minor amount currency } expectedPurchases pAlive }
    historical {
      overall { key members customers revenue { minor } average { minor } }
      byCohort { key members customers revenue { minor } average { minor } }
      byChannel { key members }
      byTier { key members }
    }
    warnings { code message }
  }
}`;
const RUN = `mutation Run($asOf: Date) {
  runMetricsJob(job: PREDICTIVE_CLV, asOf: $asOf) { runs { job variant asOf segments itemsRead summary } }
}`;
const MEMBERS = `{ members(first: 50) { edges { node { id clv { historical { minor currency } predicted { minor } expectedPurchases pAlive expectedAverageOrderValue { minor } repeatPurchases asOf computedAt horizonMonths } } } } }`;

/** Ten buyers (the core job test's fixture, one order per day, whole yuan) and one member who never bought. */
const BUYERS: [id: string, channel: string, orders: [day: string, yuan: number][]][] = [
  ["g01", "WECHAT_OA", [["2025-02-22", 199]]],
  ["g02", "MINI_PROGRAM", [["2025-03-02", 127]]],
  ["g03", "WECHAT_OA", [["2025-03-15", 379], ["2025-03-29", 313]]],
  ["g04", "STORE", [["2025-03-22", 30], ["2025-04-04", 104], ["2025-04-05", 227], ["2025-05-14", 242]]],
  ["g05", "MINI_PROGRAM", [["2025-03-08", 184], ["2025-06-22", 92]]],
  ["g06", "WECHAT_OA", [["2025-05-13", 165], ["2025-06-28", 217], ["2025-06-29", 699]]],
  ["g07", "STORE", [["2025-02-15", 310], ["2025-03-23", 322]]],
  [
    "g08",
    "MINI_PROGRAM",
    [["2025-05-12", 845], ["2025-05-13", 1724], ["2025-05-19", 2080], ["2025-05-27", 1382], ["2025-06-04", 958], ["2025-06-05", 720], ["2025-06-06", 734], ["2025-06-08", 1296], ["2025-06-09", 1416], ["2025-06-21", 720], ["2025-06-27", 1153]],
  ],
  ["g09", "WECHAT_OA", [["2025-03-07", 203], ["2025-03-08", 230], ["2025-03-09", 373]]],
  ["g10", "STORE", [["2025-03-21", 85]]],
];
const ITEMS = BUYERS.length + 1 + BUYERS.reduce((n, [, , o]) => n + o.length, 0);

let tenant: string;

beforeAll(async () => {
  tenant = newTenantId("gqlclv");
  for (const [id, channel, orders] of BUYERS) {
    await createMember(tenant, { memberId: id, name: `Member ${id}`, sourceChannel: channel, joinedAt: `${orders[0]![0]}T01:00:00+08:00` }, { actor: "t" });
    for (const [i, [day, yuan]] of orders.entries()) await recordOrder(tenant, { orderId: `${id}-${i}`, memberId: id, channel: "WEB", amount: yuan, occurredAt: `${day}T12:00:00+08:00` }, { actor: "t" });
  }
  await createMember(tenant, { memberId: "g11", name: "Never Bought", sourceChannel: "APP", joinedAt: "2025-04-01T10:00:00+08:00" }, { actor: "t" });
});

describe("clvSnapshot / Member.clv / runMetricsJob(PREDICTIVE_CLV) end to end", () => {
  it("is null before the job ran, for the snapshot and for members", async () => {
    const r = await executeOperation(SNAPSHOT, {}, { tenant, role: "ANALYST" });
    expect(r.errors).toBeUndefined();
    expect(r.data?.clvSnapshot).toBeNull();
    const m = await executeOperation(`{ member(id: "g01") { clv { asOf } } }`, {}, { tenant, role: "ANALYST" });
    expect(m.errors).toBeUndefined();
    expect(m.data?.member).toEqual({ clv: null });
  });

  it("runs the job in-process and serves the snapshot with members behind the top list", async () => {
    const run = await executeOperation(RUN, { asOf: "2025-06-30" }, { tenant, role: "ADMIN" });
    expect(run.errors).toBeUndefined();
    expect(run.data?.runMetricsJob.runs).toHaveLength(1);
    expect(run.data?.runMetricsJob.runs[0]).toMatchObject({ job: "PREDICTIVE_CLV", variant: "WEEK.12m.0.01", asOf: "2025-06-30", segments: 1, itemsRead: ITEMS });
    expect(run.data?.runMetricsJob.runs[0].summary).toMatch(/^CLV as of 2025-06-30: 11 members, 10 customers fitted, r=0.348/);

    const stored = (await getClvSnapshot(tenant))!;
    const r = await executeOperation(SNAPSHOT, {}, { tenant, role: "ANALYST" });
    expect(r.errors).toBeUndefined();
    const s = r.data!.clvSnapshot;
    expect(s).toMatchObject({ asOf: "2025-06-30", computedAt: stored.computedAt, timeZone: "Asia/Shanghai", timeUnit: "WEEK", horizonMonths: 12, monthlyDiscountRate: 0.01, members: 11, customers: 10, warnings: [] });
    const bg = stored.parameters.bgnbd!;
    expect(s.parameters.bgnbd).toEqual({ r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b, timeUnit: "WEEK", logLikelihood: bg.logLikelihood, customers: 10, converged: true });
    const gg = stored.parameters.gammaGamma!;
    expect(s.parameters.gammaGamma).toEqual({ p: gg.p, q: gg.q, gamma: gg.gamma, logLikelihood: gg.logLikelihood, customers: 7, converged: true, used: true });
    expect(s.parameters.spendModel).toBe("GAMMA_GAMMA");
    expect(s.parameters.populationMeanSpend.minor).toBe(Math.round((gg.p * gg.gamma) / (gg.q - 1)));
    expect(s.parameters.observedMeanSpend).toEqual({ minor: Math.round(stored.parameters.observedMeanSpendMinor), currency: "CNY" });

    expect(s.distribution.members).toBe(10);
    expect(s.distribution.deciles.map((d: { decile: number }) => d.decile)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(s.distribution.deciles.map((d: { members: number }) => d.members)).toEqual(Array(10).fill(1));
    expect(s.distribution.quantiles.map((q: { p: number }) => q.p)).toEqual(stored.distribution.quantiles.map((q) => q.p));
    expect(s.distribution.total.minor).toBe(Math.round(stored.distribution.total));

    // Top members: ids from the snapshot, members loaded (names masked for analysts).
    expect(s.topMembers).toHaveLength(10);
    expect(s.topMembers.map((t: { memberId: string }) => t.memberId)).toEqual(stored.top.map((t) => t.memberId));
    expect(s.topMembers[0]).toEqual({
      rank: 1,
      memberId: "g08",
      member: { id: "g08", name: "M**" },
      predicted: { minor: Math.round(stored.top[0]!.predictedClvMinor), amount: Math.round(stored.top[0]!.predictedClvMinor) / 100, currency: "CNY" },
      expectedPurchases: stored.top[0]!.expectedPurchases,
      pAlive: stored.top[0]!.pAlive,
    });

    // R ÷ M: 1,752,900 fen over 11 members (g11 never bought).
    expect(s.historical.overall).toEqual({ key: "ALL", members: 11, customers: 10, revenue: { minor: 1_752_900 }, average: { minor: Math.round(1_752_900 / 11) } });
    expect(s.historical.byCohort.map((c: { key: string; members: number }) => [c.key, c.members])).toEqual([["2025-02", 2], ["2025-03", 6], ["2025-04", 1], ["2025-05", 2]]);
    expect(s.historical.byChannel).toEqual([{ key: "APP", members: 1 }, { key: "MINI_PROGRAM", members: 3 }, { key: "STORE", members: 3 }, { key: "WECHAT_OA", members: 4 }]);
    expect(s.historical.byTier).toEqual([{ key: "SILENT", members: 11 }]);

    const byDate = await executeOperation(SNAPSHOT, { asOf: "2025-06-30" }, { tenant, role: "OPERATOR" });
    expect(byDate.data?.clvSnapshot.computedAt).toBe(stored.computedAt);
    const none = await executeOperation(SNAPSHOT, { asOf: "2025-06-29" }, { tenant, role: "OPERATOR" });
    expect(none.errors).toBeUndefined();
    expect(none.data?.clvSnapshot).toBeNull();
  });

  it("serves each member's CLV with one BatchGetItem for a page of members", async () => {
    const items = await getMemberClvs(tenant, [...BUYERS.map(([id]) => id), "g11"]);
    const shards = (await getSettings(tenant)).memberListShards; // also warms the settings cache
    const { result, tally } = await countRequests(() => executeOperation(MEMBERS, {}, { tenant, role: "ANALYST" }));
    expect(result.errors).toBeUndefined();
    // One query per shard of the member list, then one BatchGetItem for the 11 CLV items.
    expect(tally.byCommand).toEqual({ QueryCommand: shards, BatchGetItemCommand: 1 });
    const nodes = new Map(result.data!.members.edges.map((e: { node: { id: string; clv: unknown } }) => [e.node.id, e.node.clv]));
    expect(nodes.size).toBe(11);
    for (const [id] of BUYERS) {
      const c = items.get(id)!;
      expect(nodes.get(id), id).toEqual({
        historical: { minor: c.historicalClvMinor, currency: "CNY" },
        predicted: { minor: Math.round(c.predictedClvMinor!) },
        expectedPurchases: c.expectedPurchases,
        pAlive: c.pAlive,
        expectedAverageOrderValue: { minor: Math.round(c.expectedAovMinor!) },
        repeatPurchases: c.repeatPurchases,
        asOf: "2025-06-30",
        computedAt: c.computedAt,
        horizonMonths: 12,
      });
    }
    expect(nodes.get("g04")).toMatchObject({ historical: { minor: 60300 }, repeatPurchases: 3 });
    // Never bought: historical 0, no prediction.
    expect(nodes.get("g11")).toMatchObject({ historical: { minor: 0 }, predicted: null, expectedPurchases: null, pAlive: null, expectedAverageOrderValue: null, repeatPurchases: null });
  });

  it("lets only administrators run the job", async () => {
    const r = await executeOperation(RUN, { asOf: "2025-06-30" }, { tenant, role: "OPERATOR" });
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
