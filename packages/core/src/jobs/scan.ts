import { ScanCommand, type ScanCommandInput } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { assertTenantId } from "../db/keys.js";

export interface ScanSegmentOptions {
  tenantId: string;
  /** Item kinds to keep, by exact `sk` (`MEMBER`, `ORDER`, `EVENT`, ...). */
  kinds: readonly string[];
  /** Attributes to read (`pk` and `sk` are always added). */
  projection: readonly string[];
  segment: number;
  totalSegments: number;
  /** Items DynamoDB evaluates per page (before the filter); default: up to its 1 MB page. */
  pageLimit?: number;
  /** Called after every page with what it held: items kept, and items DynamoDB read (filtered ones too). */
  onPage?: (page: { items: number; scanned: number }) => void;
}

/**
 * The Scan request of one segment: the tenant's items of the given kinds, projected. Shared
 * with the benchmark's raw scan, so both read exactly the same pages.
 */
export function scanSegmentInput(opts: Omit<ScanSegmentOptions, "onPage">): ScanCommandInput {
  const { segment, totalSegments } = opts;
  if (!Number.isInteger(totalSegments) || totalSegments < 1 || totalSegments > 1_000_000) throw new Error(`totalSegments must be 1..1000000 (got ${totalSegments})`);
  if (!Number.isInteger(segment) || segment < 0 || segment >= totalSegments) throw new Error(`segment must be 0..${totalSegments - 1} (got ${segment})`);
  if (opts.kinds.length === 0) throw new Error("scanSegment needs at least one item kind");
  const names: Record<string, string> = { "#pk": "pk", "#sk": "sk" };
  const attributes = [...new Set(["pk", "sk", ...opts.projection])];
  const projection = attributes.map((name, i) => {
    if (name === "pk" || name === "sk") return `#${name}`;
    names[`#a${i}`] = name;
    return `#a${i}`;
  });
  const values: Record<string, unknown> = { ":prefix": `T#${assertTenantId(opts.tenantId)}#` };
  opts.kinds.forEach((kind, i) => (values[`:k${i}`] = kind));
  const kindFilter = opts.kinds.length === 1 ? "#sk = :k0" : `#sk IN (${opts.kinds.map((_, i) => `:k${i}`).join(", ")})`;
  return {
    TableName: tableName(),
    Segment: totalSegments > 1 ? segment : undefined,
    TotalSegments: totalSegments > 1 ? totalSegments : undefined,
    FilterExpression: `begins_with(#pk, :prefix) AND ${kindFilter}`,
    ProjectionExpression: projection.join(", "),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    Limit: opts.pageLimit,
  };
}

/**
 * One segment of a parallel Scan of the table, restricted to one tenant's items of the given
 * kinds and to the projected attributes, page by page: memory holds one page (≤ 1 MB), never
 * the segment. The filter runs after the read, so DynamoDB reads (and bills) every item of the
 * segment, other tenants' too; `scanned` reports those. Jobs are the only callers: no request
 * path scans.
 */
export async function* scanSegment(opts: ScanSegmentOptions): AsyncGenerator<Record<string, unknown>, void, undefined> {
  const input = scanSegmentInput(opts);
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
    const items = (out.Items ?? []) as Record<string, unknown>[];
    opts.onPage?.({ items: items.length, scanned: out.ScannedCount ?? items.length });
    for (const item of items) yield item;
    start = out.LastEvaluatedKey;
  } while (start);
}
