import { assertTenantId, keys, type Keys } from "../../db/keys.js";

/**
 * Predictive CLV items.
 *
 * | Item | pk | sk |
 * |---|---|---|
 * | CLV snapshot (parameters, deciles, top ids, averages) | `T#t#METRIC#CLV` | `<asOf>#<paramsKey>` |
 * | Pointer to the newest snapshot | `T#t#METRIC#CLV` | `LATEST` |
 * | A member's predicted and historical CLV | `T#t#M#<member>` (the member's partition) | `CLV` |
 *
 * Snapshot sort keys start with the as-of date, so one date's snapshots are a
 * `begins_with(sk, "<asOf>#")` Query, and `LATEST` (a letter sorts after digits) never mixes in.
 * The member item sits beside the MEMBER item but is a separate item: the job never writes the
 * member itself (member writes are versioned), and a page of members reads its CLV items with
 * one BatchGetItem.
 */
export const CLV_LATEST_SK = "LATEST";
export const CLV_MEMBER_SK = "CLV";

export const clvKeys = {
  partition: (tenantId: string): string => `T#${assertTenantId(tenantId)}#METRIC#CLV`,
  snapshot: (tenantId: string, asOf: string, paramsKey: string): Keys => ({ pk: clvKeys.partition(tenantId), sk: `${asOf}#${paramsKey}` }),
  latest: (tenantId: string): Keys => ({ pk: clvKeys.partition(tenantId), sk: CLV_LATEST_SK }),
  member: (tenantId: string, memberId: string): Keys => ({ pk: keys.memberPartition(tenantId, memberId), sk: CLV_MEMBER_SK }),
};
