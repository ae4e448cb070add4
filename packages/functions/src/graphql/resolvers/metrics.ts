import { getJob, runJob, type JobRunResult } from "@growth/core/jobs";
import { getRetention, type RetentionBasis, type RetentionMatrix, type RetentionMode } from "@growth/core/metrics/retention";
import type { PeriodType } from "@growth/core/jobs";
import type { Context } from "../context.js";
import { ADMIN_ONLY, definePermissions, READ } from "../permissions.js";
import type { Resolvers } from "./base.js";

definePermissions({
  "Query.cohortRetention": { roles: READ, doc: "Read a precomputed cohort retention matrix (aggregates only)." },
  "Mutation.runMetricsJob": { roles: ADMIN_ONLY, doc: "Run a metrics job now, in-process (small brands, demos)." },
});

/** GraphQL `MetricsJob` value ↔ job registry name: RETENTION ↔ retention, PREDICTIVE_CLV ↔ predictive-clv. */
export const jobNameOf = (value: string) => value.toLowerCase().replace(/_/g, "-");
const jobEnumOf = (name: string) => name.toUpperCase().replace(/-/g, "_");

/** The `Date` scalar parses to a JS Date at UTC midnight of the given day; jobs take `YYYY-MM-DD`. */
const dateText = (value: Date | string | null | undefined): string | undefined =>
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
};
