import { createReadStream } from "node:fs";
import { parse, type CastingContext, type Options } from "csv-parse";
import type { CsvRecord } from "./schemas.js";
import { ImportFileError, type BadRow } from "./types.js";

export interface CsvRow {
  /** 1-based line number of the row in the file (the header is line 1). */
  line: number;
  record: CsvRecord;
}

export interface CsvBatch {
  rows: CsvRow[];
  /** Rows the CSV parser itself rejected (an unclosed quote, a stray quote). */
  malformed: BadRow[];
  /** Bytes of the file up to the end of the batch's last row. */
  bytesRead: number;
}

export interface CsvReadOptions {
  batchSize: number;
  /** Columns the header must contain (lower case). */
  required: readonly string[];
}

/** Longest record accepted: a runaway quoted field must not swallow the whole file into memory. */
const MAX_RECORD_BYTES = 1 << 20;

/**
 * Streams a CSV file as batches of rows keyed by header name (lower-cased, trimmed). The file is
 * never held in memory: the read stream pauses while the consumer is busy with a batch. Rows with
 * fewer cells than the header get absent values; extra cells and unknown columns are ignored.
 */
export async function* readCsvBatches(path: string, options: CsvReadOptions): AsyncGenerator<CsvBatch> {
  let malformed: BadRow[] = [];
  /** Lines csv-parse counted too many so far (see lineBreaks). */
  let drift = 0;
  // `on_skip` exists in csv-parse 5 but is missing from its type definitions.
  const parserOptions: Options & { on_skip: (error: (Error & { lines?: number }) | undefined) => void } = {
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    // Runs inside the parser, in file order (so `drift` is current when on_skip sees an error).
    on_record: (cells: string[], context: CastingContext) => {
      const breaks = lineBreaks(cells);
      drift += breaks.overcounted;
      // info.bytes is where this record ends: progress follows the rows handed out, not the
      // parser's read-ahead (it parses a whole 64 KB chunk at once).
      return { cells, line: context.lines - drift - breaks.actual, bytes: parser.info.bytes };
    },
    on_skip: (error: (Error & { lines?: number }) | undefined) => {
      if (error) malformed.push({ line: (error.lines ?? 0) - drift, reason: `malformed CSV: ${error.message.replace(/ at line \d+/, "")}` });
    },
  };
  const parser = parse(parserOptions);
  const source = createReadStream(path);
  source.on("error", (error) => parser.destroy(error));
  source.pipe(parser);

  let header: string[] | undefined;
  let rows: CsvRow[] = [];
  let bytesRead = 0;
  const take = (): CsvBatch => {
    const batch = { rows, malformed, bytesRead };
    rows = [];
    malformed = [];
    return batch;
  };
  try {
    for await (const item of parser as AsyncIterable<{ cells: string[]; line: number; bytes: number }>) {
      if (!header) {
        header = item.cells.map((h) => h.trim().toLowerCase());
        const missing = options.required.filter((c) => !header!.includes(c));
        if (missing.length > 0) {
          throw new ImportFileError(
            `the first line must be a header with the columns ${options.required.join(", ")}; ` +
              `missing ${missing.join(", ")} (found: ${item.cells.join(",").slice(0, 200)})`,
          );
        }
        continue;
      }
      const record: CsvRecord = {};
      header.forEach((name, i) => {
        if (name && !(name in record)) record[name] = item.cells[i];
      });
      rows.push({ line: item.line, record });
      bytesRead = item.bytes;
      if (rows.length >= options.batchSize) yield take();
    }
  } finally {
    if (!parser.destroyed) parser.destroy();
    source.destroy();
  }
  if (!header) throw new ImportFileError(`the file is empty: it needs a header with the columns ${options.required.join(", ")}`);
  bytesRead = parser.info.bytes;
  if (rows.length > 0 || malformed.length > 0) yield take();
}

/**
 * Line breaks inside a record's (quoted) cells. `context.lines` is where a record ends, so its
 * first line is that minus its breaks. csv-parse counts every \r and every \n inside quotes as
 * a line of its own, so a CRLF inside a cell is two of its lines but one real line: the
 * difference is subtracted from all line numbers from there on.
 */
function lineBreaks(cells: string[]): { actual: number; overcounted: number } {
  let actual = 0;
  let counted = 0;
  for (const cell of cells) {
    if (!cell.includes("\n") && !cell.includes("\r")) continue;
    for (let i = 0; i < cell.length; i++) {
      const c = cell[i];
      if (c !== "\r" && c !== "\n") continue;
      counted++;
      actual++;
      if (c === "\r" && cell[i + 1] === "\n") {
        counted++;
        i++;
      }
    }
  }
  return { actual, overcounted: counted - actual };
}
