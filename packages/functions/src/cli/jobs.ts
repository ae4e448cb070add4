import { isMain, terminalIo } from "./is-main.js";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { resetClients } from "@growth/core/db/client";
import { assertTenantId } from "@growth/core/db/keys";
import { DEFAULT_SEGMENTS, getJob, jobNames, MAX_SEGMENTS, runJob, type AnyJob, type JobProgress, type JobRunResult, type RawParams } from "@growth/core/jobs";
import { DomainError } from "@growth/core/shared";
import { getTask, isTask, runTask, taskNames } from "@growth/core/tasks";
import { connectDatabase, DatabaseConfigError } from "../local/database.js";
import type { DynamoLocal } from "../local/dynamo-local.js";

/**
 * Runs a metrics job for one tenant from a terminal:
 *   npm run jobs -- <job> --tenant <id> [--as-of YYYY-MM-DD] [--segments N] [--workers N] [--fresh] [job options]
 *   npm run jobs -- list
 *   npm run jobs -- <task> --tenant <id>          (tasks: content-publish)
 *
 * Job options come from the job's definition (retention: `--period WEEK|MONTH`); without them
 * every variant of the job runs (retention: WEEK, then MONTH). `--as-of` defaults to yesterday in
 * the tenant's time zone. A run that stops half-way keeps its finished segments: the same
 * command resumes it (`--fresh` starts over).
 *
 * Talks to DYNAMODB_ENDPOINT / TABLE_NAME from the environment (or AWS when credentials are
 * configured); with neither, it starts DynamoDB Local on the project's data directory
 * (.data/dynamodb, table growth-local), the database `npm start` serves, and stops it after.
 * Exit codes: 0 done; 2 bad arguments; 3 the run failed (rerun to resume).
 */

export { LOCAL_DATA_DIR, LOCAL_TABLE_NAME, awsConfigured } from "../local/database.js";
const PLAIN_PROGRESS_EVERY_MS = 5_000;

export function usage(): string {
  const lines = [
    "usage: npm run jobs -- <job> --tenant <id> [--as-of YYYY-MM-DD] [--segments N] [--workers N] [--fresh] [job options]",
    "       npm run jobs -- <task> --tenant <id>",
    "       npm run jobs -- list",
    "jobs:",
  ];
  for (const name of jobNames()) {
    const job = getJob(name);
    lines.push(`  ${name}: ${job.description}`);
    for (const [option, o] of Object.entries(job.options)) lines.push(`    --${option} ${o.values ? o.values.join("|") : "<value>"}  ${o.description} (default: each of ${job.variants.map((v) => v[option]).join(", ")})`);
  }
  lines.push("tasks (read by key, no scan):");
  for (const name of taskNames()) lines.push(`  ${name}: ${getTask(name).description}`);
  return lines.join("\n");
}

export interface JobsArgs {
  job: AnyJob;
  tenant: string;
  asOf?: string;
  /** One run per entry. */
  variants: RawParams[];
  segments: number;
  workers?: number;
  fresh: boolean;
}

const COMMON = {
  tenant: { type: "string", short: "t" },
  "as-of": { type: "string" },
  segments: { type: "string" },
  workers: { type: "string" },
  fresh: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function wholeNumber(text: string | undefined, flag: string, min: number, max: number): number | string | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return /^\d+$/.test(text) && n >= min && n <= max ? n : `--${flag} must be a whole number from ${min} to ${max} (got "${text}")`;
}

export interface TaskArgs {
  task: string;
  tenant: string;
}

function checkTenant(tenant: string | undefined): string | undefined {
  if (!tenant) return "--tenant is required";
  try {
    assertTenantId(tenant);
  } catch {
    return `--tenant "${tenant}" is not a valid tenant id (1-64 letters, digits, _ or -)`;
  }
  return undefined;
}

function parseTaskArgs(task: string, rest: string[]): TaskArgs | string {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: rest, options: { tenant: COMMON.tenant, help: COMMON.help }, strict: true, allowPositionals: false }));
  } catch (error) {
    return (error as Error).message.split("\n")[0] ?? "invalid arguments";
  }
  if (values.help) return "help";
  const tenant = values.tenant as string | undefined;
  return checkTenant(tenant) ?? { task, tenant: tenant! };
}

/** Parses and checks the command line; a string is the one-line error ("help", "list" for those). */
export function parseJobsArgs(argv: string[]): JobsArgs | TaskArgs | string {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") return "help";
  if (name === "list") return "list";
  if (isTask(name)) return parseTaskArgs(name, rest);
  if (!jobNames().includes(name)) return `unknown job "${name}": use ${[...jobNames(), ...taskNames()].join(", ")}`;
  const job = getJob(name);
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = { ...COMMON };
  for (const option of Object.keys(job.options)) options[option] = { type: "string" };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false }));
  } catch (error) {
    return (error as Error).message.split("\n")[0] ?? "invalid arguments";
  }
  if (values.help) return "help";
  const tenant = values.tenant as string | undefined;
  const badTenant = checkTenant(tenant);
  if (badTenant || !tenant) return badTenant ?? "--tenant is required";
  const asOf = values["as-of"] as string | undefined;
  if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) return `--as-of must be a date YYYY-MM-DD (got "${asOf}")`;
  const segments = wholeNumber(values.segments as string | undefined, "segments", 1, MAX_SEGMENTS);
  if (typeof segments === "string") return segments;
  const workers = wholeNumber(values.workers as string | undefined, "workers", 1, 256);
  if (typeof workers === "string") return workers;
  const given: RawParams = {};
  for (const option of Object.keys(job.options)) if (values[option] !== undefined) given[option] = values[option];
  let variants: RawParams[];
  try {
    // With job options, one run with exactly those; without, every variant the job declares.
    variants = (Object.keys(given).length > 0 ? [given] : [...job.variants]).map((v) => ({ ...v }));
    for (const v of variants) job.parseParams(v);
  } catch (error) {
    return (error as Error).message;
  }
  return { job, tenant, asOf, variants, segments: segments ?? DEFAULT_SEGMENTS, workers, fresh: values.fresh === true };
}


export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
}

class UsageError extends Error {}

/** Decides which database to use; starts the embedded one when nothing is configured. */
async function connect(io: Output): Promise<DynamoLocal | undefined> {
  try {
    return await connectDatabase(io.err);
  } catch (error) {
    if (error instanceof DatabaseConfigError) throw new UsageError(error.message);
    throw error;
  }
}

function progressReporter(label: string, io: Output) {
  if (io.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} |{bar}| {value}/{total} segments ({skipped} from checkpoints) | {items} items read | {duration_formatted}`,
        hideCursor: true,
        fps: 5,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p: JobProgress) {
        const payload = { skipped: p.segmentsSkipped, items: p.itemsRead.toLocaleString("en-US") };
        if (!started) {
          bar.start(p.segments, p.segmentsDone, payload);
          started = true;
        } else bar.update(p.segmentsDone, payload);
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = 0;
  return {
    update(p: JobProgress) {
      const now = Date.now();
      if (now - last < PLAIN_PROGRESS_EVERY_MS && p.phase !== "done") return;
      last = now;
      io.err(`${label}: ${p.segmentsDone}/${p.segments} segments (${p.segmentsSkipped} from checkpoints), ${p.itemsRead} items read, ${p.phase}`);
    },
    stop: () => {},
  };
}

export function summaryLine(r: JobRunResult): string {
  const scanned = r.segmentsRun.length;
  const skipped = r.segmentsSkipped.length;
  const segments = skipped > 0 ? `${scanned} of ${r.segments} segments scanned, ${skipped} from checkpoints` : `${r.segments} segments`;
  const workers = r.workers > 1 ? ` on ${r.workers} workers` : "";
  return `${r.jobId} for ${r.tenantId} as of ${r.asOf}: ${r.itemsRead.toLocaleString("en-US")} items read (${segments}${workers}) in ${(r.ms / 1000).toFixed(1)} s; ${r.summary}`;
}

export async function run(argv: string[], io: Output): Promise<number> {
  const args = parseJobsArgs(argv);
  if (args === "help" || args === "list") {
    io.out(args === "list" ? [...jobNames(), ...taskNames()].join("\n") : usage());
    return 0;
  }
  if (typeof args === "string") {
    io.err(`error: ${args}\n${usage()}`);
    return 2;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let local: DynamoLocal | undefined;
  let progress: ReturnType<typeof progressReporter> | undefined;
  try {
    local = await connect(io);
    if ("task" in args) {
      const r = await runTask(args.task, args.tenant);
      io.out(`${r.summary} (${(r.ms / 1000).toFixed(1)} s)`);
      return 0;
    }
    for (const params of args.variants) {
      const label = [args.job.name, ...Object.values(params)].join(" ");
      progress = progressReporter(label, io);
      const result = await runJob(args.job, {
        tenantId: args.tenant,
        asOf: args.asOf,
        params,
        segments: args.segments,
        workers: args.workers,
        fresh: args.fresh,
        onProgress: (p) => progress?.update(p),
      });
      progress.stop();
      io.out(summaryLine(result));
    }
    return 0;
  } catch (error) {
    progress?.stop();
    if (error instanceof UsageError || (error instanceof DomainError && error.code === "BAD_USER_INPUT")) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    io.err(`error: ${(error as Error).message ?? String(error)}`);
    io.err("finished segments are checkpointed: run the same command again to resume (--fresh to start over).");
    return 3;
  } finally {
    resetClients();
    await local?.stop();
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await run(process.argv.slice(2), terminalIo());
}
