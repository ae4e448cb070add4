import { argsOrExit } from "./failure.js";
import { existsSync, statSync } from "node:fs";
import { isMain, terminalIo } from "./is-main.js";
import { isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { resetClients } from "@growth/core/db/client";
import { assertTenantId } from "@growth/core/db/keys";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_IMPORT_CHANNEL,
  formatMinor,
  ImportAbortedError,
  ImportFileError,
  importCsv,
  IMPORT_KINDS,
  isImportKind,
  type ImportProgress,
  type ImportSummary,
} from "@growth/core/importer";
import { CHANNELS, type Channel } from "@growth/core/member";
import { updateSettings } from "@growth/core/tenant";
import { connectDatabase, DatabaseConfigError } from "../local/database.js";
import type { DynamoLocal } from "../local/dynamo-local.js";

/**
 * Bulk import from CSV:
 *   npm run import -- members|orders|transactions <file.csv> --tenant <id> [--currency USD] [--channel WEB] [--concurrency 16]
 *
 * Talks to DYNAMODB_ENDPOINT / TABLE_NAME from the environment (or AWS when credentials are
 * configured); with neither, it starts DynamoDB Local on the project's data directory
 * (.data/dynamodb, table growth-local), the same database `npm start` serves, and stops it after.
 * --concurrency defaults to 4 against DynamoDB Local and 16 against DynamoDB.
 * Exit codes: 0 all rows imported or already there; 1 done, with bad rows (listed); 2 bad
 * arguments or an unreadable file; 3 stopped by a database failure (rerun to finish).
 */

export const USAGE =
  "usage: npm run import -- members|orders|transactions <file.csv> --tenant <id> [--currency USD] [--channel WEB] [--concurrency 16] [--batch-size 1000]";

export { LOCAL_DATA_DIR, LOCAL_TABLE_NAME, awsConfigured } from "../local/database.js";
const BAD_ROWS_SHOWN = 20;
/**
 * DynamoDB Local runs requests essentially one at a time: more than a few in flight only adds
 * contention (CDNOW master file, 2 cores: 111 s at 2, 120 s at 4, 128 s at 8, 150 s at 16).
 * DynamoDB itself scales with concurrency, so the library default (16) applies there.
 */
export const LOCAL_CONCURRENCY = 4;
const PLAIN_PROGRESS_EVERY_MS = 5_000;

export interface ImportArgs {
  kind: (typeof IMPORT_KINDS)[number];
  file: string;
  tenant: string;
  currency?: string;
  channel: Channel;
  /** Undefined: 4 against DynamoDB Local, 16 against DynamoDB. */
  concurrency?: number;
  batchSize?: number;
}

/** Parses and checks the command line; a string is the one-line error. */
export function parseImportArgs(argv: string[], cwd: string): ImportArgs | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        tenant: { type: "string", short: "t" },
        currency: { type: "string" },
        channel: { type: "string" },
        concurrency: { type: "string" },
        "batch-size": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    return (error as Error).message.split("\n")[0]?.split(". ")[0] ?? "invalid arguments";
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const [kind, file, ...extra] = positionals;
  if (!kind) return `say what to import: ${IMPORT_KINDS.join(", ")}`;
  if (!isImportKind(kind)) return `unknown kind "${kind}": use ${IMPORT_KINDS.join(", ")}`;
  if (!file) return "the CSV file is missing";
  if (extra.length > 0) return `unexpected argument "${extra[0]}"`;
  if (!values.tenant) return "--tenant is required";
  try {
    assertTenantId(values.tenant);
  } catch {
    return `--tenant "${values.tenant}" is not a valid tenant id (1-64 letters, digits, _ or -)`;
  }
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  if (!existsSync(path) || !statSync(path).isFile()) return `no such file: ${path}`;
  const currency = values.currency?.toUpperCase();
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) return `--currency must be an ISO 4217 code like USD (got "${values.currency}")`;
  const channel = (values.channel ?? DEFAULT_IMPORT_CHANNEL).toUpperCase();
  if (!(CHANNELS as readonly string[]).includes(channel)) return `--channel must be one of ${CHANNELS.join(", ")} (got "${values.channel}")`;
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)) {
    return `--concurrency must be a whole number from 1 to 256 (got "${values.concurrency}")`;
  }
  const batchSize = values["batch-size"] === undefined ? undefined : Number(values["batch-size"]);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000)) {
    return `--batch-size must be a whole number from 1 to 100000 (got "${values["batch-size"]}")`;
  }
  return { kind, file: path, tenant: values.tenant, currency, channel: channel as Channel, concurrency, batchSize };
}


interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
}

/** Decides which database to use; starts the embedded one when nothing is configured. */
async function connect(io: Output): Promise<DynamoLocal | undefined> {
  try {
    return await connectDatabase(io.err);
  } catch (error) {
    if (error instanceof DatabaseConfigError) throw new ImportFileError(error.message);
    throw error;
  }
}

const kb = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`);

function progressReporter(args: ImportArgs, io: Output) {
  if (io.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${args.kind} |{bar}| {percentage}% | {read} of {size} | {rows} rows: {imported} new, {unchanged} unchanged, {bad} bad | {duration_formatted} ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p: ImportProgress) {
        const payload = { read: kb(p.bytesRead), size: kb(p.totalBytes), rows: p.rows, imported: p.imported, unchanged: p.unchanged, bad: p.badCount };
        if (!started) {
          bar.start(Math.max(1, p.totalBytes), p.bytesRead, payload);
          started = true;
        } else bar.update(p.bytesRead, payload);
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = 0;
  return {
    update(p: ImportProgress) {
      const now = Date.now();
      if (now - last < PLAIN_PROGRESS_EVERY_MS && p.bytesRead < p.totalBytes) return;
      last = now;
      const pct = p.totalBytes > 0 ? Math.floor((100 * p.bytesRead) / p.totalBytes) : 100;
      io.err(`${args.kind}: ${pct}% (${kb(p.bytesRead)} of ${kb(p.totalBytes)}), ${p.rows} rows: ${p.imported} new, ${p.unchanged} unchanged, ${p.badCount} bad`);
    },
    stop: () => {},
  };
}

export function summaryLine(s: ImportSummary): string {
  const parts = [
    `${s.kind} into ${s.tenantId}: ${s.rows} rows, ${s.imported} imported, ${s.unchanged} unchanged, ${s.badCount} bad`,
    `${s.membersCreated} members and ${s.ordersCreated} orders created`,
  ];
  if (s.kind !== "members") parts.push(`amount total ${formatMinor(s.totals.amountMinor)} (new ${formatMinor(s.totals.importedAmountMinor)})`);
  return `${parts.join("; ")}; ${(s.ms / 1000).toFixed(1)} s`;
}

function badRowLines(s: ImportSummary): string[] {
  const lines = s.bad.slice(0, BAD_ROWS_SHOWN).map((b) => `  line ${b.line}: ${b.reason}`);
  if (s.badCount > lines.length) lines.push(`  ... and ${s.badCount - lines.length} more bad rows`);
  return lines;
}

export async function run(argv: string[], io: Output, cwd = process.env.INIT_CWD ?? process.cwd()): Promise<number> {
  const args = argsOrExit(parseImportArgs(argv, cwd), USAGE, io);
  if (typeof args === "number") return args;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let local: DynamoLocal | undefined;
  const progress = progressReporter(args, io);
  try {
    local = await connect(io);
    if (args.currency) await updateSettings(args.tenant, { currency: args.currency });
    const summary = await importCsv(args.tenant, args.kind, args.file, {
      channel: args.channel,
      concurrency: args.concurrency ?? (process.env.DYNAMODB_ENDPOINT ? LOCAL_CONCURRENCY : DEFAULT_CONCURRENCY),
      batchSize: args.batchSize,
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    io.out(`imported ${summaryLine(summary)}`);
    if (summary.badCount > 0) {
      io.out(`bad rows (line: reason), the first ${Math.min(BAD_ROWS_SHOWN, summary.badCount)}:`);
      for (const line of badRowLines(summary)) io.out(line);
    }
    return summary.badCount > 0 ? 1 : 0;
  } catch (error) {
    progress.stop();
    if (error instanceof ImportFileError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    if (error instanceof ImportAbortedError) {
      io.err(`error: ${error.message}`);
      io.err(`so far: ${summaryLine(error.summary)}`);
      return 3;
    }
    io.err(`error: ${(error as Error).message ?? String(error)}`);
    io.err("nothing is half-written: the import is idempotent, so rerunning the same command is safe.");
    return 3;
  } finally {
    resetClients();
    await local?.stop();
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await run(process.argv.slice(2), terminalIo());
}
