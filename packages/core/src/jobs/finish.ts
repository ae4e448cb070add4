import { readCheckpoint } from "./checkpoint.js";
import type { AnyJob, JobContext } from "./job.js";
import { runPartition } from "./segment.js";

/**
 * Folds encoded partials into one, in any order (merge is associative and commutative). The
 * runner feeds segments as they finish; the finish step feeds checkpoints.
 */
export class PartialMerger<P = unknown> {
  private merged: P | undefined;
  private count = 0;
  constructor(private readonly job: AnyJob) {}

  add(encoded: unknown): void {
    const partial = this.job.decode(encoded) as P;
    this.merged = this.merged === undefined ? partial : (this.job.merge(this.merged, partial) as P);
    this.count++;
  }

  get segments(): number {
    return this.count;
  }

  result(ctx: JobContext): P {
    return this.merged ?? (this.job.init(ctx) as P);
  }
}

/** Adds the checkpoints of `segments` to a merger; fails naming the first segment without one. */
export async function mergeCheckpoints(job: AnyJob, ctx: JobContext, totalSegments: number, segments: Iterable<number>, merger: PartialMerger): Promise<{ itemsRead: number; itemsScanned: number }> {
  const partition = runPartition(ctx, totalSegments);
  let itemsRead = 0;
  let itemsScanned = 0;
  for (const segment of segments) {
    const checkpoint = await readCheckpoint(partition, segment);
    if (!checkpoint) throw new Error(`segment ${segment} of ${totalSegments} has no checkpoint for ${ctx.jobId} as of ${ctx.asOf}`);
    merger.add(checkpoint.encoded);
    itemsRead += checkpoint.itemsRead;
    itemsScanned += checkpoint.itemsScanned;
  }
  return { itemsRead, itemsScanned };
}

/** Finishes the merged partial into the snapshot and writes it; returns the snapshot and its summary line. */
export async function finishAndWrite<S>(job: AnyJob, ctx: JobContext, merged: unknown): Promise<{ snapshot: S; summary: string }> {
  const snapshot = job.finish(merged, ctx) as S;
  await job.write(snapshot, ctx);
  return { snapshot, summary: job.summarize(snapshot, ctx) };
}
