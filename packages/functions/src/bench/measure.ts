import { rawScan } from "@growth/core/bench";
import { DEFAULT_CONCURRENCY, getJob, runJob, type RawParams } from "@growth/core/jobs";
import type { LoadedDataset } from "./datasets.js";
import type { MemorySampler } from "./memory.js";

/** The jobs the benchmark measures, with the parameters of their scheduled run. */
export const BENCH_JOBS: { job: string; label: string; params: RawParams }[] = [
  { job: "retention", label: "retention WEEK", params: { period: "WEEK" } },
  { job: "predictive-clv", label: "predictive-clv", params: {} },
];

export interface MeasureOptions {
  segments: number;
  /** Job worker threads; 1 = segments in this thread, DEFAULT_CONCURRENCY at once. */
  workers: number;
}

/** One job on one dataset, beside the raw scan of the same items. */
export interface BenchRow {
  dataset: string;
  job: string;
  segments: number;
  workers: number;
  /** Items the scan (and the job's `add`) received; `scanned` = items DynamoDB read. */
  items: number;
  scanned: number;
  /** Response bytes of the raw scan. */
  bytes: number;
  scanMs: number;
  jobMs: number;
  /** jobMs ÷ scanMs. */
  ratio: number;
  /** The job's time until every segment was merged (start, scans, checkpoints, worker start-up) and after (finish + write). */
  jobScanPhaseMs: number;
  jobFinishPhaseMs: number;
  /** Peak RSS of the process (workers included) and main-thread heap, during the raw scan and during the job. */
  scanPeakRssMb: number;
  jobPeakRssMb: number;
  jobPeakHeapMb: number;
  summary: string;
}

/**
 * Measures every bench job on a loaded dataset (in the current table): first a warm-up scan
 * (DynamoDB Local's JIT and page cache, so the first measured read is not penalised), then per
 * job a raw scan of the job's kinds and projection with as many segments in flight as the job
 * will have, then the job itself (`fresh`: no checkpoint reused).
 */
export async function measureDataset(data: LoadedDataset, opts: MeasureOptions, sampler: MemorySampler, log: (line: string) => void = () => {}): Promise<{ rows: BenchRow[]; warmupMs: number }> {
  // The job runs min(workers, segments) threads, each scanning one segment at a time; in one thread it scans DEFAULT_CONCURRENCY at once.
  const inFlight = opts.workers > 1 ? Math.min(opts.workers, opts.segments) : Math.min(DEFAULT_CONCURRENCY, opts.segments);
  const first = getJob(BENCH_JOBS[0]!.job);
  const warm = await rawScan({ tenantId: data.tenantId, kinds: first.kinds, projection: first.projection, segments: opts.segments, concurrency: inFlight });
  log(`${data.name}: warm-up scan ${warm.items} items in ${(warm.ms / 1000).toFixed(1)} s`);
  const rows: BenchRow[] = [];
  for (const spec of BENCH_JOBS) {
    const job = getJob(spec.job);
    await sampler.reset();
    const scan = await rawScan({ tenantId: data.tenantId, kinds: job.kinds, projection: job.projection, segments: opts.segments, concurrency: inFlight });
    const scanMem = await sampler.peak();
    log(`${data.name} ${spec.label}: raw scan ${scan.items} items (${(scan.bytes / 1e6).toFixed(1)} MB) in ${(scan.ms / 1000).toFixed(2)} s`);

    const started = performance.now();
    let finishing: number | undefined;
    const result = await runJob(job, {
      tenantId: data.tenantId,
      asOf: data.asOf,
      params: spec.params,
      segments: opts.segments,
      workers: opts.workers,
      fresh: true,
      onProgress: (p) => {
        if (p.phase === "finishing") finishing ??= performance.now();
      },
    });
    const jobMs = performance.now() - started;
    const jobMem = await sampler.peak();
    const scanPhase = (finishing ?? started + jobMs) - started;
    log(`${data.name} ${spec.label}: job ${result.itemsRead} items in ${(jobMs / 1000).toFixed(2)} s: ${result.summary}`);
    if (result.itemsRead !== scan.items) log(`warning: the job read ${result.itemsRead} items, the raw scan ${scan.items}`);
    rows.push({
      dataset: data.name,
      job: spec.label,
      segments: opts.segments,
      workers: result.workers,
      items: scan.items,
      scanned: scan.scanned,
      bytes: scan.bytes,
      scanMs: scan.ms,
      jobMs: Math.round(jobMs),
      ratio: Number((jobMs / Math.max(1, scan.ms)).toFixed(2)),
      jobScanPhaseMs: Math.round(scanPhase),
      jobFinishPhaseMs: Math.round(jobMs - scanPhase),
      scanPeakRssMb: scanMem.rssMb,
      jobPeakRssMb: jobMem.rssMb,
      jobPeakHeapMb: jobMem.heapUsedMb,
      summary: result.summary,
    });
  }
  return { rows, warmupMs: warm.ms };
}

