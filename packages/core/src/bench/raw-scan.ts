import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../db/client.js";
import { scanSegmentInput } from "../jobs/scan.js";

/**
 * The benchmark's baseline: a parallel Scan of exactly the requests a job's segments send
 * (`scanSegmentInput`: same tenant filter, kinds and projection, same segment count), through
 * the same document client (so unmarshalling is paid on both sides), counting items and the
 * response bytes and doing nothing else. Segments run `concurrency` at a time in this thread.
 */
export interface RawScanOptions {
  tenantId: string;
  kinds: readonly string[];
  projection: readonly string[];
  segments: number;
  /** Segments in flight at once (match the job's: its workers, or its in-thread concurrency). */
  concurrency: number;
  pageLimit?: number;
}

export interface RawScanResult {
  /** Items the scan returned (after the filter): what a job's `add` would see. */
  items: number;
  /** Items DynamoDB read, other kinds and tenants included. */
  scanned: number;
  /** HTTP response bytes (Content-Length), JSON as DynamoDB sent it. */
  bytes: number;
  pages: number;
  ms: number;
}

export async function rawScan(opts: RawScanOptions): Promise<RawScanResult> {
  const started = performance.now();
  const result = { items: 0, scanned: 0, bytes: 0, pages: 0 };
  const queue = Array.from({ length: opts.segments }, (_, s) => s);
  const lane = async () => {
    for (let segment = queue.shift(); segment !== undefined; segment = queue.shift()) {
      const input = scanSegmentInput({ tenantId: opts.tenantId, kinds: opts.kinds, projection: opts.projection, segment, totalSegments: opts.segments, pageLimit: opts.pageLimit });
      let start: Record<string, unknown> | undefined;
      do {
        const command = new ScanCommand({ ...input, ExclusiveStartKey: start });
        // Reads the response's size off the HTTP layer, below unmarshalling. The document
        // client copies a command's stack into the inner command's: count each response once.
        const seen = new WeakSet<object>();
        command.middlewareStack.add(
          (next) => async (args) => {
            const out = await next(args);
            const response = out.response as { headers?: Record<string, string> };
            if (!seen.has(response)) {
              seen.add(response);
              result.bytes += Number(response.headers?.["content-length"] ?? 0);
            }
            return out;
          },
          { step: "deserialize" },
        );
        const out = await documentClient().send(command);
        result.items += out.Items?.length ?? 0;
        result.scanned += out.ScannedCount ?? 0;
        result.pages++;
        start = out.LastEvaluatedKey;
      } while (start);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, opts.segments)) }, lane));
  return { ...result, ms: Math.round(performance.now() - started) };
}
