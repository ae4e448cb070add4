import type { Channel } from "../member/types.js";

/** What a CSV file holds: member profiles, orders with ids, or a plain customer/date/amount log. */
export const IMPORT_KINDS = ["members", "orders", "transactions"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const isImportKind = (value: string): value is ImportKind => (IMPORT_KINDS as readonly string[]).includes(value);

export interface ImportOptions {
  /** Where created members come from (members without source_channel, transactions); default WEB. */
  channel?: Channel;
  /** Member groups written at once; default 16. */
  concurrency?: number;
  /** Rows read, validated and written together; default 1000. */
  batchSize?: number;
  /** Principal recorded in history; default "import". */
  actor?: string;
  /** Called after every batch (and once at the start and the end). */
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
  imported: number;
  unchanged: number;
  badCount: number;
}

export interface BadRow {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  reason: string;
}

export interface ImportSummary {
  kind: ImportKind;
  tenantId: string;
  /** Data rows read (header and empty lines excluded). */
  rows: number;
  /** Rows that wrote something new (a member for `members`, an order otherwise). */
  imported: number;
  /** Valid rows whose member or order was already there. */
  unchanged: number;
  /** The first {@link MAX_BAD_ROWS_KEPT} bad rows, in file order. */
  bad: BadRow[];
  /** All bad rows, including those not kept in `bad`. */
  badCount: number;
  membersCreated: number;
  ordersCreated: number;
  totals: {
    /** Sum of the amounts of all valid order rows (new and already recorded), minor units. */
    amountMinor: number;
    /** Sum of the amounts of the orders created by this run, minor units. */
    importedAmountMinor: number;
  };
  ms: number;
}

export const MAX_BAD_ROWS_KEPT = 100;
export const DEFAULT_BATCH_SIZE = 1000;
export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_IMPORT_CHANNEL: Channel = "WEB";

/**
 * A batch could not be written even after the SDK's retries (throttling, a network failure).
 * Everything before it is stored; since every write is idempotent, rerunning the same import
 * finishes the job without duplicating anything.
 */
export class ImportAbortedError extends Error {
  constructor(
    readonly line: number,
    readonly summary: ImportSummary,
    override readonly cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `import stopped in the batch ending at line ${line}: ${why}. ` +
        `Rows before it are stored; the import is idempotent, so rerun the same command to finish safely.`,
    );
    this.name = "ImportAbortedError";
  }
}

/** The file cannot be imported at all (no header, a required column missing, bad options). */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportFileError";
  }
}
