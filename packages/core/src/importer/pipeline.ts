import { statSync } from "node:fs";
import { assertTenantId } from "../db/keys.js";
import * as mv from "../member/validate.js";
import { getSettings } from "../tenant/settings.js";
import { readCsvBatches, type CsvRow } from "./csv.js";
import { membersWriter } from "./members.js";
import { ordersWriter } from "./orders.js";
import { REQUIRED_COLUMNS, type RowContext } from "./schemas.js";
import { Tally } from "./tally.js";
import { earliestTracker, transactionsWriter } from "./transactions.js";
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONCURRENCY,
  DEFAULT_IMPORT_CHANNEL,
  ImportAbortedError,
  ImportFileError,
  type ImportKind,
  type ImportOptions,
  type ImportSummary,
} from "./types.js";

/**
 * Imports a CSV file into a tenant. The file is streamed in batches (never loaded whole); each
 * batch is validated row by row (bad rows are reported with their line and reason, good rows
 * kept), checked against what is stored (BatchGetItem), and the missing members and orders are
 * written with bounded concurrency. Every write is conditional and idempotent, so importing
 * the same file again changes nothing, and an import that stopped half way can simply be rerun.
 *
 * Throws ImportFileError when the file cannot be imported at all (missing, no header, bad
 * options) and ImportAbortedError when a batch could not be written (after the SDK's retries).
 */
export async function importCsv(tenantId: string, kind: ImportKind, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  assertTenantId(tenantId);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new ImportFileError("concurrency must be an integer from 1 to 256");
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new ImportFileError("batch size must be an integer from 1 to 100000");
  let channel;
  try {
    channel = mv.channel(options.channel ?? DEFAULT_IMPORT_CHANNEL, "channel");
  } catch (error) {
    throw new ImportFileError((error as Error).message);
  }
  if (kind === "transactions" && channel === "STORE") throw new ImportFileError("transactions have no store id, so their channel cannot be STORE");
  let totalBytes: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new Error("not a file");
    totalBytes = stat.size;
  } catch {
    throw new ImportFileError(`cannot read ${path}: no such file`);
  }

  const settings = await getSettings(tenantId);
  const ctx: RowContext = { tenantId, timeZone: settings.timeZone, currency: settings.currency, channel };
  const by = { actor: options.actor ?? "import" };
  const tally = new Tally(kind, tenantId);
  const required = REQUIRED_COLUMNS[kind];

  let joinedAt = new Map<string, string>();
  if (kind === "transactions") {
    const tracker = earliestTracker(ctx);
    for await (const batch of readCsvBatches(path, { batchSize: 10_000, required })) tracker.add(batch.rows);
    joinedAt = tracker.joinedAt;
  }
  const write: (rows: CsvRow[]) => Promise<void> =
    kind === "members"
      ? membersWriter(ctx, { concurrency, by }, tally)
      : kind === "orders"
        ? ordersWriter(ctx, { concurrency, by }, tally)
        : transactionsWriter(ctx, { concurrency, by, joinedAt }, tally);

  let reported = -1;
  const report = (bytesRead: number) => {
    if (bytesRead === reported) return;
    reported = bytesRead;
    options.onProgress?.({
      bytesRead,
      totalBytes,
      rows: tally.rows,
      imported: tally.imported,
      unchanged: tally.unchanged,
      badCount: tally.badCount,
    });
  };
  report(0);
  for await (const batch of readCsvBatches(path, { batchSize, required })) {
    for (const bad of batch.malformed) tally.addBad(bad.line, bad.reason);
    tally.rows += batch.rows.length + batch.malformed.length;
    try {
      await write(batch.rows);
    } catch (error) {
      const lastLine = batch.rows.at(-1)?.line ?? 0;
      throw new ImportAbortedError(lastLine, tally.summary(), error);
    }
    tally.flushBad();
    report(batch.bytesRead);
  }
  report(totalBytes);
  return tally.summary();
}
