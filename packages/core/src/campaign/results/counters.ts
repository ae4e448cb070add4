import { counterUpdate } from "../../db/counters.js";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../../db/client.js";
import type { TransactItem } from "../../db/transact.js";
import { resultKeys, shardOf } from "./keys.js";

/** The counters of a campaign's results (summed over its shards). */
export const RESULT_COUNTERS = [
  // events naming the campaign
  "deliveries",
  "views",
  "clicks",
  "shares",
  "addToCarts",
  // distinct members per funnel step
  "exposedMembers",
  "interestedMembers",
  "cartMembers",
  "orderingMembers",
  "repeatMembers",
  "referredMembers",
  // attributed orders
  "orders",
  "newCustomers",
  "revenueMinor",
  "refundedMinor",
  // recorded cost (marketing spend with the campaign's id)
  "costMinor",
] as const;
export type ResultCounter = (typeof RESULT_COUNTERS)[number];

/** The member-based counters partners may see (cost is the brand's, not a member's). */
export const SHARED_COUNTERS = RESULT_COUNTERS.filter((c) => c !== "costMinor");

/** The name of a counter's partner-visible twin: it counts only members with partner-sharing consent. */
export const sharedName = (c: ResultCounter) => `shared_${c}`;

/**
 * ADD to one shard of a campaign's counters (the member's shard, so one member's writes stay on
 * one item). With `sharedWithPartners` (the member consented to partner sharing at the time) the
 * partner-visible twins move too: partner views count only those members.
 */
export function countersUpdate(tenantId: string, campaignId: string, memberId: string, add: Partial<Record<ResultCounter, number>>, sharedWithPartners = false): TransactItem[] {
  const own = Object.entries(add).filter(([, n]) => n !== 0) as [ResultCounter, number][];
  const moved: [string, number][] = [...own, ...(sharedWithPartners ? own.filter(([c]) => c !== "costMinor").map(([c, n]): [string, number] => [sharedName(c), n]) : [])];
  if (moved.length === 0) return [];
  return [counterUpdate(resultKeys.stats(tenantId, campaignId, shardOf(memberId)), { campaignId }, Object.fromEntries(moved))];
}

/** What a member has done in a campaign so far: the funnel steps they reached, their attributed orders. */
export interface MemberFunnel {
  exposed?: boolean;
  interested?: boolean;
  carted?: boolean;
  orders?: number;
  referred?: boolean;
}

/** Read inside the member's optimistic write: consistent with the version the transaction is conditioned on. */
export async function readMemberFunnel(tenantId: string, memberId: string, campaignId: string): Promise<MemberFunnel | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: resultKeys.funnel(tenantId, memberId, campaignId), ConsistentRead: true }));
  return out.Item as MemberFunnel | undefined;
}

export function funnelPut(tenantId: string, memberId: string, campaignId: string, funnel: MemberFunnel): TransactItem {
  return { Put: { TableName: tableName(), Item: { ...resultKeys.funnel(tenantId, memberId, campaignId), campaignId, ...funnel, updatedAt: new Date().toISOString() } } };
}
