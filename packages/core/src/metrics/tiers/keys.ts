import { assertTenantId, type Keys } from "../../db/keys.js";

/**
 * Tier pyramid snapshots: one item per (tenant, as-of date).
 *
 * | Item | pk | sk |
 * |---|---|---|
 * | Tier pyramid snapshot | `T#t#METRIC#TIERS` | `<asOf>` (YYYY-MM-DD) |
 *
 * A date is a GetItem; a range of dates is one Query (`sk BETWEEN from AND to`), newest first
 * when read descending; the latest is the same Query with Limit 1. The tier changes themselves
 * are the members' `TIER#<ulid>` items, written by `setTier`.
 */
export const tiersKeys = {
  partition: (tenantId: string): string => `T#${assertTenantId(tenantId)}#METRIC#TIERS`,
  snapshot: (tenantId: string, asOf: string): Keys => ({ pk: tiersKeys.partition(tenantId), sk: asOf }),
};
