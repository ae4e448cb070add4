import DataLoader from "dataloader";
import { getJob, runJob, type JobRunResult } from "@growth/core/jobs";
import { getClvSnapshot, getMemberClvs, populationSpendMinor, type ClvAverage, type ClvSnapshot, type ClvTopEntry, type MemberClv } from "@growth/core/metrics/clv-job";
import type { Member } from "@growth/core/member";
import { getRetention, type RetentionBasis, type RetentionMatrix, type RetentionMode } from "@growth/core/metrics/retention";
import { getTierSnapshot, listTierSnapshots, TIER_OF_RULE, type TierCounts, type TierPyramidSnapshot } from "@growth/core/metrics/tiers";
import type { PeriodType } from "@growth/core/jobs";
import { defineLoader, type Context } from "../context.js";
import { ADMIN_ONLY, definePermissions, READ } from "../permissions.js";
import { money, type MoneyValue, type Resolvers } from "./base.js";
import { memberById } from "./member.js";
import { tierThresholdsView } from "./tenant.js";

definePermissions({
  "Query.cohortRetention": { roles: READ, doc: "Read a precomputed cohort retention matrix (aggregates only)." },
  "Mutation.runMetricsJob": { roles: ADMIN_ONLY, doc: "Run a metrics job now, in-process (small brands, demos)." },
  "Query.clvSnapshot": { roles: READ, doc: "Read the precomputed CLV snapshot (model parameters, deciles, top members, averages)." },
  "Query.tierPyramid": { roles: READ, doc: "Read member pyramid counts over time (aggregates only)." },
});

const tierCounts = (c: TierCounts) => ({ silent: c.SILENT, active: c.ACTIVE, loyal: c.LOYAL, core: c.CORE, total: c.SILENT + c.ACTIVE + c.LOYAL + c.CORE });

/** A stored pyramid snapshot in the schema's shape. */
function tierSnapshotView(s: TierPyramidSnapshot) {
  return {
    asOf: s.asOf,
    computedAt: s.computedAt,
    timeZone: s.timeZone,
    members: s.members,
    counts: tierCounts(s.after),
    before: tierCounts(s.before),
    changes: s.changes,
    upgrades: s.upgrades,
    downgrades: s.downgrades,
    transitions: s.transitions,
    rules: s.rules.map((r) => ({ ...r, tier: TIER_OF_RULE[r.rule] })),
    skipped: s.skipped,
    thresholds: tierThresholdsView(s.thresholds, s.currency),
    changesApplied: s.changesApplied,
  };
}

interface TierPyramidArgs {
  tenantId: string;
  from?: string;
  to?: string;
  limit: number;
}

/** Members' CLV items (`pk = T#t#M#<member>`, `sk = CLV`), one BatchGetItem per request tick and 100 members. */
export const memberClvById = defineLoader("clv.byMember", (tenantId) =>
  new DataLoader<string, MemberClv | null>(
    async (ids) => {
      const found = await getMemberClvs(tenantId, ids);
      return ids.map((id) => found.get(id) ?? null);
    },
    { maxBatchSize: 100 },
  ),
);

/** Stored CLV values are unrounded minor units; Money holds whole minor units. */
const clvMoney = (minor: number, currency: string): MoneyValue => money(Math.round(minor), currency);

type TopMember = ClvTopEntry & { rank: number; currency: string };

/** The snapshot in the schema's shape (the member of a top entry is loaded by its resolver). */
function clvSnapshotView(s: ClvSnapshot) {
  const m = (minor: number) => clvMoney(minor, s.currency);
  const average = (a: ClvAverage) => ({ key: a.key, members: a.members, customers: a.customers, revenue: m(a.revenueMinor), average: m(a.averageMinor) });
  const d = s.distribution;
  return {
    asOf: s.asOf,
    computedAt: s.computedAt,
    timeZone: s.timeZone,
    timeUnit: s.timeUnit,
    horizonMonths: s.horizonMonths,
    monthlyDiscountRate: s.monthlyDiscountRate,
    members: s.members,
    customers: s.customers,
    parameters: {
      bgnbd: s.parameters.bgnbd,
      gammaGamma: s.parameters.gammaGamma,
      spendModel: s.parameters.spendModel,
      observedMeanSpend: m(s.parameters.observedMeanSpendMinor),
      populationMeanSpend: m(populationSpendMinor(s)),
    },
    distribution: {
      members: d.members,
      total: m(d.total),
      mean: m(d.mean),
      min: m(d.min),
      max: m(d.max),
      quantiles: d.quantiles.map((q) => ({ p: q.p, value: m(q.value) })),
      deciles: d.deciles.map((g) => ({ decile: g.decile, members: g.members, min: m(g.min), max: m(g.max), total: m(g.total), mean: m(g.mean), share: g.share })),
    },
    topMembers: s.top.map((t, i): TopMember => ({ ...t, rank: i + 1, currency: s.currency })),
    historical: { overall: average(s.historical.overall), byCohort: s.historical.byCohort.map(average), byChannel: s.historical.byChannel.map(average), byTier: s.historical.byTier.map(average) },
    warnings: s.warnings,
  };
}

/** GraphQL `MetricsJob` value ↔ job registry name: RETENTION ↔ retention, PREDICTIVE_CLV ↔ predictive-clv. */
export const jobNameOf = (value: string) => value.toLowerCase().replace(/_/g, "-");
const jobEnumOf = (name: string) => name.toUpperCase().replace(/-/g, "_");

/** The `Date` scalar parses to a JS Date at UTC midnight of the given day; jobs take `YYYY-MM-DD`. */
export const dateText = (value: Date | string | null | undefined): string | undefined =>
  value === null || value === undefined ? undefined : value instanceof Date ? value.toISOString().slice(0, 10) : value;

/** Budget for an in-request run: one segment, this thread (see the SDL's note on `runMetricsJob`). */
const IN_REQUEST = { segments: 1, workers: 1 } as const;

export const metricsResolvers: Resolvers = {
  Query: {
    cohortRetention: (
      _: unknown,
      a: { period: PeriodType; basis: RetentionBasis; mode?: RetentionMode | null; asOf?: Date | null },
      ctx: Context,
    ): Promise<RetentionMatrix | null> => getRetention(ctx.tenantId, { period: a.period, basis: a.basis, mode: a.mode ?? "ON", asOf: dateText(a.asOf) }),
    clvSnapshot: async (_: unknown, a: { asOf?: Date | null }, ctx: Context) => {
      const snapshot = await getClvSnapshot(ctx.tenantId, dateText(a.asOf));
      return snapshot ? clvSnapshotView(snapshot) : null;
    },
    // The two lists are read by their own resolvers, each one Query, only when selected.
    tierPyramid: (_: unknown, a: { from?: Date | null; to?: Date | null; limit?: number | null }, ctx: Context): TierPyramidArgs => ({
      tenantId: ctx.tenantId,
      from: dateText(a.from),
      to: dateText(a.to),
      limit: a.limit ?? 90,
    }),
  },
  TierPyramid: {
    current: async (p: TierPyramidArgs) => {
      const latest = await getTierSnapshot(p.tenantId);
      return latest ? tierSnapshotView(latest) : null;
    },
    snapshots: async (p: TierPyramidArgs) => (await listTierSnapshots(p.tenantId, { from: p.from, to: p.to, limit: p.limit })).map(tierSnapshotView),
  },
  Mutation: {
    runMetricsJob: async (_: unknown, a: { job: string; asOf?: Date | null }, ctx: Context) => {
      const job = getJob(jobNameOf(a.job));
      const runs: JobRunResult[] = [];
      for (const params of job.variants) runs.push(await runJob(job, { tenantId: ctx.tenantId, asOf: dateText(a.asOf), params, ...IN_REQUEST }));
      return { runs };
    },
  },
  JobRun: {
    job: (r: JobRunResult) => jobEnumOf(r.job),
    variant: (r: JobRunResult) => r.jobId.slice(r.job.length + 1),
    segmentsSkipped: (r: JobRunResult) => r.segmentsSkipped.length,
    itemsRead: (r: JobRunResult) => r.snapshotItemsRead,
    milliseconds: (r: JobRunResult) => r.ms,
  },
  ClvTopMember: {
    member: (t: TopMember, _: unknown, ctx: Context) => memberById(ctx).load(t.memberId),
    predicted: (t: TopMember) => clvMoney(t.predictedClvMinor, t.currency),
  },
  Member: {
    clv: async (member: Member, _: unknown, ctx: Context) => {
      const c = await memberClvById(ctx).load(member.memberId);
      if (!c) return null;
      const predicted = c.predictedClvMinor !== undefined;
      return {
        historical: clvMoney(c.historicalClvMinor, c.currency),
        predicted: predicted ? clvMoney(c.predictedClvMinor!, c.currency) : null,
        expectedPurchases: c.expectedPurchases ?? null,
        pAlive: c.pAlive ?? null,
        expectedAverageOrderValue: c.expectedAovMinor !== undefined ? clvMoney(c.expectedAovMinor, c.currency) : null,
        repeatPurchases: c.repeatPurchases ?? null,
        asOf: c.asOf,
        computedAt: c.computedAt,
        horizonMonths: c.horizonMonths,
      };
    },
  },
};
