import { assertTenantId, type Keys } from "../../db/keys.js";
import type { KpiMetric } from "./metrics.js";

/**
 * KPI snapshots: one snapshot item per (tenant, as-of day) and one series item per (tenant,
 * metric, as-of day) holding that metric for every scope.
 *
 * | Item | pk | sk |
 * |---|---|---|
 * | KPI snapshot | `T#t#METRIC#KPI` | `<asOf>` (YYYY-MM-DD) |
 * | KPI series point | `T#t#METRIC#KPI#<METRIC>` | `<asOf>` |
 *
 * A day is a GetItem, the latest snapshot in a range a Query descending with Limit 1, a series
 * over a range one Query (`sk BETWEEN from AND to`).
 */
export const kpiKeys = {
  partition: (tenantId: string): string => `T#${assertTenantId(tenantId)}#METRIC#KPI`,
  snapshot: (tenantId: string, asOf: string): Keys => ({ pk: kpiKeys.partition(tenantId), sk: asOf }),
  seriesPartition: (tenantId: string, metric: KpiMetric): string => `${kpiKeys.partition(tenantId)}#${metric}`,
  series: (tenantId: string, metric: KpiMetric, asOf: string): Keys => ({ pk: kpiKeys.seriesPartition(tenantId, metric), sk: asOf }),
};
