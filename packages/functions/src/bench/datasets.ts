import { fork } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bulkLoadDemoBrand } from "@growth/core/bench";
import { DEFAULT_DEMO_SEED, generateDemoBrand } from "@growth/core/demo";
import { importCsv } from "@growth/core/importer";
import { updateSettings } from "@growth/core/tenant";

/** The benchmark's datasets: what to load, into which tenant, and the as-of date its jobs use. */
export const DATASETS = ["cdnow", "generated"] as const;
export type DatasetName = (typeof DATASETS)[number];

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const CDNOW_MASTER = join(REPO_ROOT, "..", "shared", "data", "cdnow", "cdnow_master_transactions.csv");

export interface DatasetSpec {
  name: DatasetName;
  tenantId: string;
  /** Generated brand only. */
  members?: number;
  seed?: number;
  /** CDNOW only (default: the master file). */
  file?: string;
}

export interface LoadedDataset {
  name: DatasetName;
  tenantId: string;
  /** The last day of the data: the jobs' as-of date. */
  asOf: string;
  members: number;
  orders: number;
  events: number;
  /** Items written, every kind (the import counts members and orders only). */
  itemsWritten: number;
  loadMs: number;
}

/**
 * Loads one dataset into the current table. CDNOW through the importer (what a brand's history
 * import does); the generated brand with the bulk loader (the demo plan's items as the domain
 * writes them, via BatchWriteItem).
 */
export async function loadDataset(spec: DatasetSpec, log: (line: string) => void = () => {}): Promise<LoadedDataset> {
  const started = performance.now();
  if (spec.name === "cdnow") {
    await updateSettings(spec.tenantId, { currency: "USD" });
    // Concurrency 4: DynamoDB Local serves requests nearly one at a time (see cli/import.ts).
    const s = await importCsv(spec.tenantId, "transactions", spec.file ?? CDNOW_MASTER, { concurrency: 4 });
    if (s.badCount > 0) throw new Error(`CDNOW import had ${s.badCount} bad rows`);
    return { name: spec.name, tenantId: spec.tenantId, asOf: "1998-06-30", members: s.membersCreated, orders: s.ordersCreated, events: 0, itemsWritten: s.membersCreated + s.ordersCreated, loadMs: Math.round(performance.now() - started) };
  }
  const members = spec.members ?? 100_000;
  const plan = generateDemoBrand(spec.seed ?? DEFAULT_DEMO_SEED, members);
  log(`generated ${members} members: ${plan.totals.orders} orders, ${plan.totals.events} events, ${plan.totals.refunds} refunds in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const r = await bulkLoadDemoBrand(spec.tenantId, plan, {
    onProgress: (p) => {
      if (p.membersDone % 10_000 === 0 || p.membersDone === p.membersTotal) log(`bulk load: ${p.membersDone} of ${p.membersTotal} members, ${p.itemsWritten} items`);
    },
  });
  // The plan's anchor is 00:00 Shanghai of the day after its last day.
  const asOf = new Date(Date.parse(plan.anchor) + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
  return { name: spec.name, tenantId: spec.tenantId, asOf, members: r.members, orders: r.orders, events: r.events, itemsWritten: r.items, loadMs: Math.round(performance.now() - started) };
}

/**
 * Loads a dataset in a child process, so the benchmark process never holds the 100,000-member
 * plan (~1 GB) or the importer's garbage: its RSS is then the jobs' own. The child inherits the
 * environment (DYNAMODB_ENDPOINT, TABLE_NAME).
 */
export function loadDatasetInChild(spec: DatasetSpec, log: (line: string) => void): Promise<LoadedDataset> {
  const entry = fileURLToPath(new URL("./load-child.ts", import.meta.url));
  return new Promise((resolvePromise, reject) => {
    const child = fork(entry, [JSON.stringify(spec)], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let result: LoadedDataset | undefined;
    child.on("message", (m: { type: "log"; line: string } | { type: "done"; result: LoadedDataset } | { type: "error"; message: string }) => {
      if (m.type === "log") log(m.line);
      else if (m.type === "done") result = m.result;
      else reject(new Error(`loading ${spec.name} failed: ${m.message}`));
    });
    child.on("error", reject);
    child.on("exit", (code) => (result ? resolvePromise(result) : reject(new Error(`loading ${spec.name}: the loader exited with code ${code}`))));
  });
}
