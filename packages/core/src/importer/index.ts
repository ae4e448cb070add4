export * from "./types.js";
export { importCsv } from "./pipeline.js";
export { readCsvBatches, type CsvBatch, type CsvRow } from "./csv.js";
export { dayStart, parseDay, parseInstant } from "./dates.js";
export {
  REQUIRED_COLUMNS,
  formatMinor,
  memberIdOf,
  memberRowSchema,
  orderRowSchema,
  transactionOrderId,
  transactionRowSchema,
  type CsvRecord,
  type MemberRow,
  type OrderRow,
  type RowContext,
  type TransactionRow,
} from "./schemas.js";
