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

/** ADD to one shard of a campaign's counters (the member's shard, so one member's writes stay on one item). */
export function countersUpdate(tenantId: string, campaignId: string, memberId: string, add: Partial<Record<ResultCounter, number>>): TransactItem[] {
  const moved = Object.entries(add).filter(([, n]) => n !== 0) as [ResultCounter, number][];
  if (moved.length === 0) return [];
  return [
    {
      Update: {
        TableName: tableName(),
        Key: resultKeys.stats(tenantId, campaignId, shardOf(memberId)),
        UpdateExpression: `SET campaignId = :id, updatedAt = :now ADD ${moved.map(([name]) => `#${name} :${name}`).join(", ")}`,
        ExpressionAttributeNames: Object.fromEntries(moved.map(([name]) => [`#${name}`, name])),
        ExpressionAttributeValues: { ":id": campaignId, ":now": new Date().toISOString(), ...Object.fromEntries(moved.map(([name, n]) => [`:${name}`, n])) },
      },
    },
  ];
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
