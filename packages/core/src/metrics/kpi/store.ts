import { gunzipSync, gzipSync } from "node:zlib";
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { batchPut } from "../../db/batch.js";
import { documentClient, tableName } from "../../db/client.js";
import { queryAll } from "../../db/query.js";
import { nextDate, parseLocalDate } from "../../jobs/periods.js";
import { ValidationError } from "../../shared/errors.js";
import type { KpiSnapshot } from "./compute.js";
import { kpiKeys } from "./keys.js";
import { ALL_SCOPE, isKpiMetric, KPI_METRIC_NAMES, type KpiMetric } from "./metrics.js";

/** Longest range `getKpiSeries` reads: a year of daily points (one Query of ≤ 367 small items). */
export const MAX_SERIES_DAYS = 366;
const SNAPSHOT_ATTRIBUTE = "snapshot";

/**
 * Writes the snapshot and one series item per metric. Plain Puts keyed by (tenant, as-of day[,
 * metric]): a rerun overwrites the same items, only `computedAt` changes. The series items go
 * first, so a snapshot that exists means its series is complete.
 */
export async function writeKpiSnapshot(s: KpiSnapshot): Promise<void> {
  const series = KPI_METRIC_NAMES.map((metric) => {
    const values: Record<string, number | null> = {};
    for (const [scope, v] of Object.entries(s.scopes)) values[scope] = v[metric];
    return { ...kpiKeys.series(s.tenantId, metric, s.asOf), tenantId: s.tenantId, metric, asOf: s.asOf, computedAt: s.computedAt, values };
  });
  await batchPut(series);
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...kpiKeys.snapshot(s.tenantId, s.asOf), tenantId: s.tenantId, asOf: s.asOf, computedAt: s.computedAt, [SNAPSHOT_ATTRIBUTE]: gzipSync(Buffer.from(JSON.stringify(s))) },
    }),
  );
}

const decode = (item: Record<string, unknown>): KpiSnapshot => JSON.parse(gunzipSync(item[SNAPSHOT_ATTRIBUTE] as Uint8Array).toString("utf8")) as KpiSnapshot;

export interface KpiRange {
  from: string;
  to: string;
}

function checkRange(range: KpiRange): void {
  parseLocalDate(range.from, "range.from");
  parseLocalDate(range.to, "range.to");
  if (range.from > range.to) throw new ValidationError("range.from must not be after range.to", "range");
}

/**
 * The snapshot of a day (`asOf`), the latest one with an as-of day in `range` (the end of the
 * range, or the last computed day before it), or the latest of all; null when none. One GetItem
 * or one Query (descending, Limit 1).
 */
export async function getKpiSnapshot(tenantId: string, at: { asOf?: string | null; range?: KpiRange | null } = {}): Promise<KpiSnapshot | null> {
  if (at.asOf && at.range) throw new ValidationError("give either asOf or range, not both", "asOf");
  if (at.asOf) {
    parseLocalDate(at.asOf, "asOf");
    const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: kpiKeys.snapshot(tenantId, at.asOf) }));
    return out.Item ? decode(out.Item) : null;
  }
  if (at.range) checkRange(at.range);
  const values: Record<string, string> = { ":pk": kpiKeys.partition(tenantId) };
  let condition = "pk = :pk";
  if (at.range) {
    condition += " AND sk BETWEEN :from AND :to";
    Object.assign(values, { ":from": at.range.from, ":to": at.range.to });
  }
  const out = await documentClient().send(new QueryCommand({ TableName: tableName(), KeyConditionExpression: condition, ExpressionAttributeValues: values, ScanIndexForward: false, Limit: 1 }));
  const item = out.Items?.[0];
  return item ? decode(item) : null;
}

export interface KpiPoint {
  day: string;
  /** Minor units for MONEY metrics; null where the ratio had nothing to divide by, or the scope had no members that day. */
  value: number | null;
  computedAt: string;
}

/**
 * One metric over a range of as-of days, oldest first, for the brand (`scope` omitted or `ALL`)
 * or one source channel: one Query on the metric's series partition. Days without a snapshot
 * have no point.
 */
export async function getKpiSeries(tenantId: string, metric: KpiMetric, range: KpiRange, scope: string = ALL_SCOPE): Promise<KpiPoint[]> {
  if (!isKpiMetric(metric)) throw new ValidationError(`unknown KPI metric "${String(metric)}"`, "metric");
  checkRange(range);
  let days = 0;
  for (let d = range.from; d <= range.to && days <= MAX_SERIES_DAYS; d = nextDate(d)) days++;
  if (days > MAX_SERIES_DAYS) throw new ValidationError(`a series covers at most ${MAX_SERIES_DAYS} days`, "range");
  const items = await queryAll<Record<string, unknown>>({ pk: kpiKeys.seriesPartition(tenantId, metric), skFrom: range.from, skTo: range.to });
  return items.map((i) => ({ day: i.asOf as string, value: ((i.values as Record<string, number | null>)[scope] ?? null) as number | null, computedAt: i.computedAt as string }));
}
