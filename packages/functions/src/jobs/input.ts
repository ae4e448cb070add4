import { getJob, resolveContext, type AnyJob, type JobContext, type RawParams } from "@growth/core/jobs";
import { ValidationError } from "@growth/core/shared";
import { DEFAULT_SEGMENTS, MAX_SEGMENTS } from "@growth/core/jobs";

/**
 * What the state machine passes between its steps (and what an EventBridge rule or a person
 * starts an execution with: `{ "tenantId": "demo", "job": "retention", "params": { "period": "WEEK" } }`,
 * optionally with `asOf` and `segments`).
 */
export interface JobInput {
  tenantId: string;
  job: string;
  params?: RawParams | null;
  /** `YYYY-MM-DD`; the plan step fills in yesterday (tenant's zone) when absent. */
  asOf?: string | null;
  segments?: number | null;
  /** Start over: delete the as-of day's checkpoints first (schedules that run more than daily). */
  fresh?: boolean | null;
}

/** The plan step's output: the input made explicit, plus the segment list the Map state iterates. */
export interface PlannedRun {
  tenantId: string;
  job: string;
  params: RawParams;
  asOf: string;
  segments: number;
  /** 0 .. segments - 1, the Map state's items. */
  segmentList: number[];
}

/** Default fan-out of a cloud run: segments are Lambda invocations, so more than locally. */
export const CLOUD_SEGMENTS = 16;

export async function contextOf(input: JobInput): Promise<{ job: AnyJob; ctx: JobContext; segments: number }> {
  const job = getJob(input.job);
  const segments = input.segments ?? CLOUD_SEGMENTS;
  if (!Number.isInteger(segments) || segments < 1 || segments > MAX_SEGMENTS) throw new ValidationError(`segments must be 1..${MAX_SEGMENTS} (default ${DEFAULT_SEGMENTS} locally, ${CLOUD_SEGMENTS} in the cloud)`, "segments");
  const ctx = await resolveContext(job, { tenantId: input.tenantId, asOf: input.asOf, params: input.params });
  return { job, ctx, segments };
}
