import { writeCheckpoint, type SegmentStats } from "./checkpoint.js";
import type { AnyJob, JobContext } from "./job.js";
import { jobKeys } from "./keys.js";
import { scanSegment } from "./scan.js";

export interface SegmentOptions {
  /** Items DynamoDB evaluates per Scan page (default: its 1 MB pages). */
  pageLimit?: number;
  onPage?: (page: { items: number; scanned: number }) => void;
  /** Stops the segment at the next item (no checkpoint is written). */
  signal?: AbortSignal;
}

export interface SegmentOutcome {
  stats: SegmentStats;
  /** The segment's partial, encoded (what the checkpoint holds). */
  encoded: unknown;
}

/** The partition holding a run's checkpoints and run record. */
export function runPartition(ctx: JobContext, segments: number): string {
  return jobKeys.runPartition(ctx.tenantId, ctx.jobId, ctx.asOf, segments);
}

/**
 * Runs one segment: scans it page by page, folds every item into a fresh partial, and
 * checkpoints the encoded partial. The same function runs in-process, in a worker thread and in
 * the segment Lambda.
 */
export async function runSegment(job: AnyJob, ctx: JobContext, segment: number, totalSegments: number, opts: SegmentOptions = {}): Promise<SegmentOutcome> {
  const started = performance.now();
  let partial = job.init(ctx);
  let itemsRead = 0;
  let itemsScanned = 0;
  const pages = scanSegment({
    tenantId: ctx.tenantId,
    kinds: job.kinds,
    projection: job.projection,
    segment,
    totalSegments,
    pageLimit: opts.pageLimit,
    onPage: (page) => {
      itemsScanned += page.scanned;
      opts.onPage?.(page);
    },
  });
  for await (const item of pages) {
    if (opts.signal?.aborted) break;
    partial = job.add(partial, item, ctx);
    itemsRead++;
  }
  opts.signal?.throwIfAborted();
  const encoded = job.encode(partial);
  const stats: SegmentStats = { segment, itemsRead, itemsScanned, ms: Math.round(performance.now() - started) };
  await writeCheckpoint(runPartition(ctx, totalSegments), stats, encoded);
  return { stats, encoded };
}
