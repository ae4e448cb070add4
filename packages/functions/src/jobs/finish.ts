import { finishAndWrite, mergeCheckpoints, PartialMerger, recordRunFailed, recordRunFinished, runPartition } from "@growth/core/jobs";
import { contextOf, type JobInput } from "./input.js";

export interface FinishResult {
  jobId: string;
  tenantId: string;
  asOf: string;
  segments: number;
  itemsRead: number;
  itemsScanned: number;
  ms: number;
  summary: string;
}

/**
 * Last step: merges every segment's checkpoint (one at a time, so memory holds the merged
 * partial and one segment's), finishes the snapshot and writes it with idempotent Puts, and
 * closes the run record.
 */
export async function handler(input: JobInput): Promise<FinishResult> {
  const started = performance.now();
  const { job, ctx, segments } = await contextOf(input);
  const merger = new PartialMerger(job);
  const totals = await mergeCheckpoints(job, ctx, segments, Array.from({ length: segments }, (_, i) => i), merger);
  const { summary } = await finishAndWrite(job, ctx, merger.result(ctx));
  const ms = Math.round(performance.now() - started);
  await recordRunFinished(runPartition(ctx, segments), { ...totals, segmentsRun: segments, segmentsSkipped: 0, summary, ms });
  return { jobId: ctx.jobId, tenantId: ctx.tenantId, asOf: ctx.asOf, segments, ...totals, ms, summary };
}

/** Catch branch of the state machine: marks the run FAILED (the execution then fails and alarms). */
export async function failed(input: JobInput & { error?: { Error?: string; Cause?: string } }): Promise<void> {
  const { ctx, segments } = await contextOf(input);
  const error = input.error;
  await recordRunFailed(runPartition(ctx, segments), `${error?.Error ?? "failed"}: ${error?.Cause ?? ""}`.slice(0, 1000), undefined);
}
