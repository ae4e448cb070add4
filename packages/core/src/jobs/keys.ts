/**
 * Keys of the job framework's own items (checkpoints and run records). Kept here rather than in
 * `db/keys.ts` so the framework is one folder; the same rules hold: every partition key starts
 * with `T#<tenant>#`, built with a checked tenant id.
 *
 * | Item | pk | sk | gsi1 |
 * |---|---|---|---|
 * | Segment checkpoint chunk | `T#t#JOB#<job>#<asOf>#<segments>` | `PART#<segment>#<chunk>` | |
 * | Job run record | `T#t#JOB#<job>#<asOf>#<segments>` | `RUN` | `T#t#JOBRUNS` / `<startedAt>#<job>` |
 *
 * `<job>` is the job's name plus its parameter key (`retention.WEEK`), so runs of one job with
 * different parameters, dates or segment counts never share checkpoints.
 */
import { assertTenantId, type Keys } from "../db/keys.js";
import { ValidationError } from "../shared/errors.js";

const JOB_ID = /^[A-Za-z0-9_.-]{1,80}$/;
const AS_OF = /^\d{4}-\d{2}-\d{2}$/;

export function assertJobId(jobId: string): string {
  if (!JOB_ID.test(jobId)) throw new ValidationError(`job id "${jobId}" is malformed (letters, digits, _ . -)`, "job");
  return jobId;
}

/** Segment numbers are zero-padded so a partition's checkpoints sort by segment, then chunk. */
const pad = (n: number) => String(n).padStart(4, "0");

export const jobKeys = {
  /** The partition of one run: its checkpoints and its run record. */
  runPartition: (tenantId: string, jobId: string, asOf: string, segments: number): string => {
    if (!AS_OF.test(asOf)) throw new ValidationError(`asOf must be YYYY-MM-DD (got "${asOf}")`, "asOf");
    if (!Number.isInteger(segments) || segments < 1) throw new ValidationError("segments must be a positive whole number", "segments");
    return `T#${assertTenantId(tenantId)}#JOB#${assertJobId(jobId)}#${asOf}#${segments}`;
  },
  checkpoint: (partition: string, segment: number, chunk: number): Keys => ({ pk: partition, sk: `PART#${pad(segment)}#${pad(chunk)}` }),
  checkpointPrefix: "PART#",
  run: (partition: string): Keys => ({ pk: partition, sk: "RUN" }),
  /** gsi1: a tenant's job runs, newest first. */
  runsOfTenant: (tenantId: string): string => `T#${assertTenantId(tenantId)}#JOBRUNS`,
  runSort: (startedAt: string, jobId: string): string => `${startedAt}#${jobId}`,
};
