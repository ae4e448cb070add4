/**
 * Keys of campaign results.
 *
 * | Item | pk | sk |
 * |---|---|---|
 * | Results counter shard | `T#t#CAMPAIGN#<id>` | `STATS#<0-3>` |
 * | A member's funnel in a campaign | `T#t#M#<member>` | `CFUNNEL#<campaign>` |
 */
import { keys, type Keys } from "../../db/keys.js";
import { listShardOf } from "../../member/item.js";
import { campaignKeys } from "../keys.js";

/** Counter shards per campaign: a big campaign's events spread over this many items. */
export const RESULT_SHARDS = 4;
export const FUNNEL_PREFIX = "CFUNNEL#";

export const resultKeys = {
  stats: (tenantId: string, campaignId: string, shard: number): Keys => ({ pk: campaignKeys.partition(tenantId, campaignId), sk: `STATS#${shard}` }),
  funnel: (tenantId: string, memberId: string, campaignId: string): Keys => ({ pk: keys.memberPartition(tenantId, memberId), sk: `${FUNNEL_PREFIX}${campaignId}` }),
};

export const shardOf = (memberId: string) => Number(listShardOf(memberId, RESULT_SHARDS));
