import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { ValidationError } from "../shared/errors.js";
import { checkpointedSegments, deleteCheckpoints, type SegmentStats } from "./checkpoint.js";
import { resolveContext } from "./context.js";
import { finishAndWrite, mergeCheckpoints, PartialMerger } from "./finish.js";
import type { AnyJob, JobContext, RawParams } from "./job.js";
import { getJob } from "./registry.js";
import { recordRunFailed, recordRunFinished, recordRunStarted } from "./runs.js";
import { runPartition, runSegment, type SegmentOutcome } from "./segment.js";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./worker-protocol.js";

export const DEFAULT_SEGMENTS = 4;
/** Segments scanned at once in this thread when there are no worker threads. */
export const DEFAULT_CONCURRENCY = 4;
export const MAX_SEGMENTS = 1000;

export interface JobProgress {
  jobId: string;
  segments: number;
  /** Segments finished, including those taken from checkpoints. */
  segmentsDone: number;
  segmentsSkipped: number;
  /** Items received and evaluated by this run's scans so far. */
  itemsRead: number;
  itemsScanned: number;
  phase: "scanning" | "finishing" | "done";
}

export interface RunJobOptions {
  tenantId: string;
  /** `YYYY-MM-DD` in the tenant's zone; default yesterday there. */
  asOf?: string | null;
  params?: RawParams | null;
  /** Parallel-Scan segments (default 4). Part of the checkpoint key: resume with the same count. */
  segments?: number;
  /** Worker threads (default min(segments left, CPUs)); 1 runs the segments in this thread. */
  workers?: number;
  /** With one worker: segments scanned at once in this thread (default 4; 1 = strictly one after another). */
  concurrency?: number;
  /** Drop this run's checkpoints and scan every segment again. */
  fresh?: boolean;
  /** Items DynamoDB evaluates per Scan page (default: 1 MB pages). */
  pageLimit?: number;
  onProgress?: (progress: JobProgress) => void;
  /** Called after each scanned segment is checkpointed (tests throw here to kill a run half-way). */
  afterSegment?: (stats: SegmentStats, segmentsDone: number) => void | Promise<void>;
  now?: Date;
}

export interface JobRunResult<S = unknown> {
  job: string;
  jobId: string;
  tenantId: string;
  asOf: string;
  params: unknown;
  segments: number;
  /** Worker threads used; 1 = in this thread. */
  workers: number;
  segmentsRun: number[];
  segmentsSkipped: number[];
  /** Items this run's scans received / evaluated (checkpointed segments are not read again). */
  itemsRead: number;
  itemsScanned: number;
  /** Items behind the snapshot, over all segments (this run's and checkpointed ones). */
  snapshotItemsRead: number;
  ms: number;
  startedAt: string;
  finishedAt: string;
  snapshot: S;
  summary: string;
}

/**
 * Runs a job for one tenant and as-of date on this machine: segments not yet checkpointed are
 * scanned (on worker threads, or in this thread when `workers` is 1), partials are merged as
 * segments finish, and the snapshot is finished and written. A run that dies half-way leaves
 * the finished segments' checkpoints; running it again (same job, params, as-of date and
 * segment count) skips them and writes the same snapshot.
 */
export async function runJob<S = unknown>(jobOrName: AnyJob | string, opts: RunJobOptions): Promise<JobRunResult<S>> {
  const job = typeof jobOrName === "string" ? getJob(jobOrName) : jobOrName;
  const segments = opts.segments ?? DEFAULT_SEGMENTS;
  if (!Number.isInteger(segments) || segments < 1 || segments > MAX_SEGMENTS) throw new ValidationError(`segments must be a whole number from 1 to ${MAX_SEGMENTS}`, "segments");
  if (opts.workers !== undefined && (!Number.isInteger(opts.workers) || opts.workers < 1)) throw new ValidationError("workers must be a whole number of at least 1", "workers");
  if (opts.concurrency !== undefined && (!Number.isInteger(opts.concurrency) || opts.concurrency < 1)) throw new ValidationError("concurrency must be a whole number of at least 1", "concurrency");
  const started = performance.now();
  const startedAt = (opts.now ?? new Date()).toISOString();
  const ctx = await resolveContext(job, { tenantId: opts.tenantId, asOf: opts.asOf, params: opts.params, now: opts.now });
  const partition = runPartition(ctx, segments);
  if (opts.fresh) await deleteCheckpoints(partition);
  const checkpointed = await checkpointedSegments(partition);
  const todo = Array.from({ length: segments }, (_, s) => s).filter((s) => !checkpointed.has(s));
  const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), todo.length));
  if (workers > 1 && getJobOrUndefined(job.name) !== job) throw new Error(`job ${job.name} is not the registered one: worker threads load jobs by name from jobs/registry.ts`);

  await recordRunStarted(partition, { tenantId: ctx.tenantId, job: job.name, jobId: ctx.jobId, params: ctx.params, asOf: ctx.asOf, segments });
  const progress: JobProgress = { jobId: ctx.jobId, segments, segmentsDone: 0, segmentsSkipped: 0, itemsRead: 0, itemsScanned: 0, phase: "scanning" };
  const report = () => opts.onProgress?.({ ...progress });
  try {
    const merger = new PartialMerger(job);
    report();
    const skipped = await mergeCheckpoints(job, ctx, segments, [...checkpointed.keys()].sort((a, b) => a - b), merger);
    progress.segmentsDone = progress.segmentsSkipped = checkpointed.size;
    report();

    let snapshotItemsRead = skipped.itemsRead;
    let snapshotItemsScanned = skipped.itemsScanned;
    const onPage = (page: { items: number; scanned: number }) => {
      progress.itemsRead += page.items;
      progress.itemsScanned += page.scanned;
      report();
    };
    const onSegment = async (outcome: SegmentOutcome) => {
      merger.add(outcome.encoded);
      snapshotItemsRead += outcome.stats.itemsRead;
      snapshotItemsScanned += outcome.stats.itemsScanned;
      progress.segmentsDone++;
      report();
      await opts.afterSegment?.(outcome.stats, progress.segmentsDone);
    };
    if (workers <= 1) {
      await runInThread(todo, opts.concurrency ?? DEFAULT_CONCURRENCY, (segment, signal) => runSegment(job, ctx, segment, segments, { pageLimit: opts.pageLimit, onPage, signal }), onSegment);
    } else {
      await runOnWorkers({ job: job.name, ctx, totalSegments: segments, pageLimit: opts.pageLimit }, todo, workers, onPage, onSegment);
    }

    progress.phase = "finishing";
    report();
    const { snapshot, summary } = await finishAndWrite<S>(job, ctx, merger.result(ctx));
    const ms = Math.round(performance.now() - started);
    const finishedAt = new Date().toISOString();
    await recordRunFinished(partition, {
      itemsRead: snapshotItemsRead,
      itemsScanned: snapshotItemsScanned,
      segmentsRun: todo.length,
      segmentsSkipped: checkpointed.size,
      summary,
      ms,
    });
    progress.phase = "done";
    report();
    return {
      job: job.name,
      jobId: ctx.jobId,
      tenantId: ctx.tenantId,
      asOf: ctx.asOf,
      params: ctx.params,
      segments,
      workers,
      segmentsRun: todo,
      segmentsSkipped: [...checkpointed.keys()].sort((a, b) => a - b),
      itemsRead: progress.itemsRead,
      itemsScanned: progress.itemsScanned,
      snapshotItemsRead,
      ms,
      startedAt,
      finishedAt,
      snapshot,
      summary,
    };
  } catch (error) {
    await recordRunFailed(partition, error, Math.round(performance.now() - started)).catch(() => {});
    throw error;
  }
}

function getJobOrUndefined(name: string): AnyJob | undefined {
  try {
    return getJob(name);
  } catch {
    return undefined;
  }
}

/**
 * Runs segments in this thread, `concurrency` at a time (scanning waits on the network, so
 * segments overlap well without threads). On the first failure the others stop at their next
 * item without checkpointing, and this returns only once they have.
 */
async function runInThread(
  todo: number[],
  concurrency: number,
  run: (segment: number, signal: AbortSignal) => Promise<SegmentOutcome>,
  onSegment: (outcome: SegmentOutcome) => Promise<void>,
): Promise<void> {
  const queue = [...todo];
  const controller = new AbortController();
  const lane = async () => {
    try {
      for (let segment = queue.shift(); segment !== undefined && !controller.signal.aborted; segment = queue.shift()) {
        const outcome = await run(segment, controller.signal);
        await onSegment(outcome);
      }
    } catch (error) {
      controller.abort(error);
      throw error;
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(concurrency, todo.length)) }, lane));
  if (controller.signal.aborted) throw controller.signal.reason;
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === "rejected");
  if (failed) throw failed.reason;
}

/**
 * How to start a job worker thread. Compiled code starts `worker.js` directly. From TypeScript
 * sources (tsx, vitest) the entry is `worker.ts`, which a worker thread cannot load on Node 20
 * even when the parent runs under tsx (`--import tsx` does not reach a worker's entry): the
 * worker then starts from a small bootstrap that registers tsx's loader in the thread and
 * imports `worker.ts`.
 */
export function workerEntry(here = import.meta.url): { entry: string | URL; eval: boolean } {
  const ts = /\.[cm]?ts$/.test(new URL(here).pathname);
  const url = new URL(ts ? "./worker.ts" : "./worker.js", here);
  if (!ts) return { entry: url, eval: false };
  const api = tsxEsmApi(import.meta.url);
  const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return { entry: code, eval: true };
}

/** File URL of tsx's ESM API (`tsx/esm/api`, import condition), read from tsx's exports map. */
function tsxEsmApi(here: string): string {
  const manifest = createRequire(here).resolve("tsx/package.json");
  const exports = (JSON.parse(readFileSync(manifest, "utf8")) as { exports: Record<string, { import: { default: string } }> }).exports;
  const target = exports["./esm/api"]?.import?.default;
  if (!target) throw new Error("tsx has no ./esm/api export: cannot start job workers from TypeScript sources (use --workers 1)");
  return pathToFileURL(join(dirname(manifest), target)).href;
}

async function runOnWorkers(
  init: WorkerInit,
  todo: number[],
  workers: number,
  onPage: (page: { items: number; scanned: number }) => void,
  onSegment: (outcome: SegmentOutcome) => Promise<void>,
): Promise<void> {
  const queue = [...todo];
  const entry = workerEntry();
  const pool = new Set<Worker>();
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const retired = new WeakSet<Worker>();
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      // Reject once the threads are gone, so nothing of this run is still working afterwards.
      void Promise.allSettled([...pool].map((w) => w.terminate())).then(() => reject(error));
    };
    const next = (worker: Worker) => {
      if (settled) return;
      const segment = queue.shift();
      if (segment === undefined) {
        retired.add(worker);
        pool.delete(worker);
        void worker.terminate();
        if (pool.size === 0) {
          settled = true;
          resolve();
        }
        return;
      }
      worker.postMessage({ type: "segment", segment } satisfies WorkerRequest);
    };
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(entry.entry, { workerData: init, eval: entry.eval });
      pool.add(worker);
      worker.on("message", (message: WorkerReply) => {
        if (message.type === "page") onPage(message.page);
        else if (message.type === "done") onSegment(message.outcome).then(() => next(worker), fail);
        else if (message.type === "error") fail(Object.assign(new Error(message.error.message), { name: message.error.name, stack: message.error.stack }));
      });
      worker.on("error", fail);
      worker.on("exit", (code) => {
        if (!retired.has(worker)) fail(new Error(`a job worker thread exited (code ${code}) before finishing its segment`));
      });
      next(worker);
    }
  });
}

export type { JobContext };
