import { assertTenantId, type Keys } from "../../db/keys.js";
import type { PeriodType } from "../../jobs/periods.js";
import type { RetentionBasis, RetentionMode } from "./types.js";

/**
 * Retention snapshots: one item per (tenant, period, basis, mode, as-of date).
 *
 * | Item | pk | sk |
 * |---|---|---|
 * | Retention matrix | `T#t#METRIC#RETENTION#<period>#<basis>#<mode>` | `<asOf>` (YYYY-MM-DD) |
 *
 * A given date is a GetItem; the latest is a Query on the partition, descending, limit 1.
 */
export const retentionKeys = {
  partition: (tenantId: string, period: PeriodType, basis: RetentionBasis, mode: RetentionMode): string =>
    `T#${assertTenantId(tenantId)}#METRIC#RETENTION#${period}#${basis}#${mode}`,
  snapshot: (tenantId: string, period: PeriodType, basis: RetentionBasis, mode: RetentionMode, asOf: string): Keys => ({
    pk: retentionKeys.partition(tenantId, period, basis, mode),
    sk: asOf,
  }),
};
