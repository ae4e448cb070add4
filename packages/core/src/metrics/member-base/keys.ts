import { assertTenantId, type Keys } from "../../db/keys.js";
import type { MemberBaseDimension } from "./dimensions.js";

/**
 * Member-base analytics (job `member-base`) and reported non-member sales.
 *
 * | Item | pk | sk | gsi1 |
 * |---|---|---|---|
 * | Snapshot summary (members, CLV as-of, group counts) | `T#t#METRIC#BASE` | `<asOf>` | |
 * | One dimension's groups (gzipped JSON) | `T#t#METRIC#BASE#<DIMENSION>` | `<asOf>` | |
 * | New members per day by channel and campaign, sales per day (gzipped JSON) | `T#t#METRIC#BASE#TRAFFIC` | `<asOf>` | |
 * | Non-member sales of a (local day, channel) | `T#t#NMSALES#<date>#<channel\|ANY>` | `NONMEMBER_SALES` | `T#t#NMSALES` / `<date>#<channel\|ANY>` |
 *
 * A breakdown of a day is one GetItem; the latest one a Query descending with Limit 1 on the
 * dimension's partition. Non-member sales over a range are one Query on gsi1; the job reads
 * them by kind (`sk = NONMEMBER_SALES`) in its scan.
 */
export const NONMEMBER_SALES_SK = "NONMEMBER_SALES";
/** The channel part of a non-member sales key when the report names no channel. */
export const ANY_CHANNEL = "ANY";

const t = (tenantId: string) => `T#${assertTenantId(tenantId)}`;

export const memberBaseKeys = {
  partition: (tenantId: string): string => `${t(tenantId)}#METRIC#BASE`,
  summary: (tenantId: string, asOf: string): Keys => ({ pk: memberBaseKeys.partition(tenantId), sk: asOf }),
  dimensionPartition: (tenantId: string, dimension: MemberBaseDimension): string => `${memberBaseKeys.partition(tenantId)}#${dimension}`,
  dimension: (tenantId: string, dimension: MemberBaseDimension, asOf: string): Keys => ({ pk: memberBaseKeys.dimensionPartition(tenantId, dimension), sk: asOf }),
  trafficPartition: (tenantId: string): string => `${memberBaseKeys.partition(tenantId)}#TRAFFIC`,
  traffic: (tenantId: string, asOf: string): Keys => ({ pk: memberBaseKeys.trafficPartition(tenantId), sk: asOf }),
  nonMemberSales: (tenantId: string, date: string, channel: string | null): Keys => ({ pk: `${t(tenantId)}#NMSALES#${date}#${channel ?? ANY_CHANNEL}`, sk: NONMEMBER_SALES_SK }),
  nonMemberSalesList: (tenantId: string): string => `${t(tenantId)}#NMSALES`,
  nonMemberSalesSort: (date: string, channel: string | null): string => `${date}#${channel ?? ANY_CHANNEL}`,
};
