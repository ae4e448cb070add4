import { DomainError, RetryableError } from "../shared/errors.js";
import { MAX_BAD_ROWS_KEPT, type BadRow, type ImportKind, type ImportSummary } from "./types.js";

/** Running counts of one import; batches add to it, the pipeline turns it into the summary. */
export class Tally {
  rows = 0;
  imported = 0;
  unchanged = 0;
  membersCreated = 0;
  ordersCreated = 0;
  amountMinor = 0;
  importedAmountMinor = 0;
  badCount = 0;
  readonly bad: BadRow[] = [];
  private pendingBad: BadRow[] = [];

  constructor(
    readonly kind: ImportKind,
    readonly tenantId: string,
    private readonly startedAt = Date.now(),
  ) {}

  addBad(line: number, reason: string): void {
    this.badCount++;
    this.pendingBad.push({ line, reason });
  }

  /** Rows of a batch finish out of order (concurrent writes): keep the kept list in file order. */
  flushBad(): void {
    this.pendingBad.sort((a, b) => a.line - b.line);
    for (const row of this.pendingBad) {
      if (this.bad.length >= MAX_BAD_ROWS_KEPT) break;
      this.bad.push(row);
    }
    this.pendingBad = [];
  }

  summary(): ImportSummary {
    this.flushBad();
    return {
      kind: this.kind,
      tenantId: this.tenantId,
      rows: this.rows,
      imported: this.imported,
      unchanged: this.unchanged,
      bad: [...this.bad].sort((a, b) => a.line - b.line),
      badCount: this.badCount,
      membersCreated: this.membersCreated,
      ordersCreated: this.ordersCreated,
      totals: { amountMinor: this.amountMinor, importedAmountMinor: this.importedAmountMinor },
      ms: Date.now() - this.startedAt,
    };
  }
}

/**
 * A domain error is about the row (a taken phone, an erased member): the row is reported and
 * the import goes on. Anything else (throttling after the SDK's retries, the network) stops it.
 */
export const isRowError = (error: unknown): error is DomainError => error instanceof DomainError && !(error instanceof RetryableError);
