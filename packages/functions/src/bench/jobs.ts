import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { resetClients } from "@growth/core/db/client";
import { DEFAULT_SEGMENTS } from "@growth/core/jobs";
import { startDynamoLocal, type DynamoLocal } from "../local/dynamo-local.js";
import { ensureTable } from "../local/ensure-table.js";
import { DATASETS, loadDatasetInChild, type DatasetName, type LoadedDataset } from "./datasets.js";
import { measureDataset, type BenchRow } from "./measure.js";
import { MemorySampler } from "./memory.js";
import { formatTable } from "./table.js";

/**
 * `npm run bench -- jobs [--dataset cdnow|generated|all] [--members N] [--segments N] [--workers N] [--seed N] [--out file]`
 *
 * Starts its own in-memory DynamoDB Local (stopped in `finally`, and killed with the process),
 * loads each dataset into its own table (a Scan reads the whole table, so datasets must not
 * share one), and measures the retention and predictive-CLV jobs beside a raw parallel scan of
 * the same items: wall time, peak RSS and heap. Prints a table; writes the figures as JSON
 * (default bench-results/jobs-<timestamp>.json).
 */
export const JOBS_USAGE = "usage: npm run bench -- jobs [--dataset cdnow|generated|all] [--members 100000] [--segments auto|N] [--workers N] [--seed 2026] [--out bench-results/jobs-<time>.json]";

/**
 * DynamoDB Local's parallel Scan costs grow with the square of a segment's size (measured, 20,000
 * generated members = 305,000 items, retention's filter: 4 segments 168 s, 16 49 s, 64 12.6 s,
 * 256 6.3 s), while DynamoDB's are linear. `auto` gives every segment about one 1 MB page
 * (~2,000 items of ~350 B here), where the scan approaches its linear floor; the job and the raw
 * scan always use the same count.
 */
export const ITEMS_PER_AUTO_SEGMENT = 2_000;
export const autoSegments = (tableItems: number) => Math.max(DEFAULT_SEGMENTS, Math.min(1000, Math.ceil(tableItems / ITEMS_PER_AUTO_SEGMENT)));

export interface JobsBenchArgs {
  datasets: DatasetName[];
  members: number;
  /** "auto": from the table's item count, per dataset (`autoSegments`). */
  segments: number | "auto";
  /** Job worker threads (default: the CPUs). */
  workers: number;
  seed: number;
  out: string;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

export function parseJobsBenchArgs(argv: string[], now = new Date()): JobsBenchArgs | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { dataset: { type: "string" }, members: { type: "string" }, segments: { type: "string" }, workers: { type: "string" }, seed: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return (error as Error).message.split("\n")[0] ?? "invalid arguments";
  }
  if (values.help) return "help";
  const dataset = values.dataset ?? "all";
  if (dataset !== "all" && !(DATASETS as readonly string[]).includes(dataset)) return `--dataset must be cdnow, generated or all (got "${dataset}")`;
  const whole = (text: string | undefined, flag: string, fallback: number, min: number, max: number): number | string => {
    if (text === undefined) return fallback;
    const n = Number(text);
    return /^\d+$/.test(text) && n >= min && n <= max ? n : `--${flag} must be a whole number from ${min} to ${max} (got "${text}")`;
  };
  const members = whole(values.members, "members", 100_000, 1, 100_000);
  const segments = values.segments === undefined || values.segments === "auto" ? "auto" : whole(values.segments, "segments", DEFAULT_SEGMENTS, 1, 1000);
  const seed = whole(values.seed, "seed", 2026, 0, 2 ** 31);
  for (const v of [members, seed]) if (typeof v === "string") return v;
  if (typeof segments === "string" && segments !== "auto") return segments;
  const workers = whole(values.workers, "workers", availableParallelism(), 1, 64);
  if (typeof workers === "string") return workers;
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  return {
    datasets: dataset === "all" ? [...DATASETS] : [dataset as DatasetName],
    members: members as number,
    segments,
    workers,
    seed: seed as number,
    out: resolve(process.env.INIT_CWD ?? process.cwd(), values.out ?? join(REPO_ROOT, "bench-results", `jobs-${stamp}.json`)),
  };
}

export interface JobsBenchReport {
  bench: "jobs";
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryMb: number; node: string; loadAverageAtStart: number[] };
  options: Omit<JobsBenchArgs, "out">;
  datasets: (LoadedDataset & { tableItems: number; segments: number; warmupScanMs: number })[];
  rows: BenchRow[];
}

interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

const localClient = (local: DynamoLocal) => new DynamoDBClient({ endpoint: local.endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } });

/** Creates a dataset's table and points the SDK (this process, children, job workers) at it. */
async function useTable(local: DynamoLocal, table: string): Promise<void> {
  const client = localClient(local);
  try {
    await ensureTable(client, table);
  } finally {
    client.destroy();
  }
  process.env.TABLE_NAME = table;
  resetClients();
}

/** Items in the table (DynamoDB Local counts live; DynamoDB about every 6 hours). */
async function tableItems(local: DynamoLocal, table: string): Promise<number> {
  const client = localClient(local);
  try {
    return (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.ItemCount ?? 0;
  } finally {
    client.destroy();
  }
}

export async function runJobsBench(args: JobsBenchArgs, io: Output): Promise<JobsBenchReport> {
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg().map((l) => Number(l.toFixed(2)));
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const local = await startDynamoLocal({});
  const sampler = new MemorySampler();
  const datasets: JobsBenchReport["datasets"] = [];
  const rows: BenchRow[] = [];
  try {
    Object.assign(process.env, { DYNAMODB_ENDPOINT: local.endpoint, AWS_REGION: "local", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" });
    io.err(`DynamoDB Local (in memory) on ${local.endpoint}; segments ${args.segments}, ${args.workers} worker thread${args.workers === 1 ? "" : "s"}; load average ${loadAverageAtStart.join(" ")}`);
    for (const name of args.datasets) {
      await useTable(local, `bench-${name}`);
      const loaded = await loadDatasetInChild({ name, tenantId: name, members: args.members, seed: args.seed }, (line) => io.err(`${name}: ${line}`));
      io.err(`${name}: loaded ${loaded.members} members, ${loaded.orders} orders, ${loaded.events} events in ${(loaded.loadMs / 1000).toFixed(1)} s; as of ${loaded.asOf}`);
      const items = await tableItems(local, `bench-${name}`);
      const segments = args.segments === "auto" ? autoSegments(items) : args.segments;
      io.err(`${name}: ${items} items in the table: ${segments} segments`);
      const measured = await measureDataset(loaded, { segments, workers: args.workers }, sampler, io.err);
      datasets.push({ ...loaded, tableItems: items, segments, warmupScanMs: measured.warmupMs });
      rows.push(...measured.rows);
    }
  } finally {
    await sampler.stop().catch(() => {});
    resetClients();
    await local.stop();
  }
  const report: JobsBenchReport = {
    bench: "jobs",
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? "unknown", memoryMb: Math.round(totalmem() / (1 << 20)), node: process.version, loadAverageAtStart },
    options: { datasets: args.datasets, members: args.members, segments: args.segments, workers: args.workers, seed: args.seed },
    datasets,
    rows,
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  io.out(formatTable(rows));
  io.out(`figures written to ${args.out}`);
  return report;
}
