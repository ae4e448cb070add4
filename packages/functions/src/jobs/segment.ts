import { checkpointedSegments, runPartition, runSegment, type SegmentStats } from "@growth/core/jobs";
import { contextOf, type JobInput } from "./input.js";

export interface SegmentInput extends JobInput {
  segment: number;
}

/**
 * One Map iteration: scans one parallel-Scan segment and checkpoints its partial in the table.
 * Only the segment's stats go back to Step Functions (partials can exceed its 256 KB payload
 * limit). A segment already checkpointed (a retried or redriven execution) is not scanned again.
 */
export async function handler(input: SegmentInput): Promise<SegmentStats & { skipped: boolean }> {
  const { job, ctx, segments } = await contextOf(input);
  const done = (await checkpointedSegments(runPartition(ctx, segments))).get(input.segment);
  if (done) return { ...done, skipped: true };
  const { stats } = await runSegment(job, ctx, input.segment, segments);
  return { ...stats, skipped: false };
}
