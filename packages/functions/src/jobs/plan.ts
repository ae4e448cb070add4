import { deleteCheckpoints, recordRunStarted, runPartition } from "@growth/core/jobs";
import { contextOf, type JobInput, type PlannedRun } from "./input.js";

/**
 * First step of the job state machine: checks the input, fixes the as-of date (yesterday in
 * the tenant's zone unless given, so every segment of the execution uses the same one), records
 * the run as started (after deleting the day's checkpoints when `fresh`), and lists the segments for the Map state.
 */
export async function handler(input: JobInput): Promise<PlannedRun> {
  const { job, ctx, segments } = await contextOf(input);
  if (input.fresh) await deleteCheckpoints(runPartition(ctx, segments));
  await recordRunStarted(runPartition(ctx, segments), { tenantId: ctx.tenantId, job: job.name, jobId: ctx.jobId, params: ctx.params, asOf: ctx.asOf, segments });
  return {
    tenantId: ctx.tenantId,
    job: job.name,
    params: ctx.params as Record<string, unknown>,
    asOf: ctx.asOf,
    segments,
    segmentList: Array.from({ length: segments }, (_, i) => i),
  };
}
