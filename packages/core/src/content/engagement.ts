import { counterUpdate } from "../db/counters.js";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import type { TransactItem } from "../db/transact.js";
import type { EventType } from "../event/types.js";
import { listShardOf } from "../member/item.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import { fromAudienceItem, type AudienceCount } from "./audience.js";
import { AUDIENCE_SK, contentKeys, STATS_SHARDS } from "./keys.js";
import { findContent } from "./store.js";
import type { ContentEngagement } from "./types.js";

/**
 * Engagement counters, kept with every event and attributed order instead of recomputed from
 * events. An item's counters are spread over STATS_SHARDS items by member (a viral item gets
 * more events than one item can take). Penetration against the audience segment is counted
 * when the segment is refreshed (audience.ts). Distinct reach is exact because the first event of a
 * member on an item also writes a marker in the member's partition, and the event's
 * transaction is conditioned on the member's version, so two events of one member never both
 * count as "first".
 */
const COUNTERS = ["reach", "views", "clicks", "shares", "deliveries", "interactions", "interactingMembers", "conversions", "revenueMinor", "refundedMinor"] as const;
type Counter = (typeof COUNTERS)[number];

const shardOf = (memberId: string) => Number(listShardOf(memberId, STATS_SHARDS));

function statsUpdate(tenantId: string, contentId: string, memberId: string, add: Partial<Record<Counter, number>>): TransactItem {
  return counterUpdate(contentKeys.stats(tenantId, contentId, shardOf(memberId)), { contentId }, add as Record<string, number>);
}

const isInteraction = (type: EventType) => type !== "VIEW" && type !== "MESSAGE_DELIVERED";

/**
 * The writes an event on a content item adds to the event's transaction (none when the event
 * names no content item of this brand). Runs inside the member's optimistic write, so the
 * marker read is consistent with the version the transaction is conditioned on.
 */
export async function eventEngagementWrites(tenantId: string, memberId: string, event: { contentId?: string; type: EventType }): Promise<TransactItem[]> {
  if (!event.contentId) return [];
  const content = await findContent(tenantId, event.contentId);
  if (!content) return [];
  const markerKey = contentKeys.reach(tenantId, memberId, content.contentId);
  const marker = (await documentClient().send(new GetCommand({ TableName: tableName(), Key: markerKey, ConsistentRead: true }))).Item;
  const interaction = isInteraction(event.type);
  const firstReach = !marker;
  const firstInteraction = interaction && !marker?.interacted;
  const add: Partial<Record<Counter, number>> = {
    reach: firstReach ? 1 : 0,
    views: event.type === "VIEW" ? 1 : 0,
    clicks: event.type === "CLICK" ? 1 : 0,
    shares: event.type === "SHARE" ? 1 : 0,
    deliveries: event.type === "MESSAGE_DELIVERED" ? 1 : 0,
    interactions: interaction ? 1 : 0,
    interactingMembers: firstInteraction ? 1 : 0,
  };
  const writes = [statsUpdate(tenantId, content.contentId, memberId, add)];
  if (firstReach || firstInteraction) {
    const reachedAt = (marker?.reachedAt as string | undefined) ?? new Date().toISOString();
    writes.push({
      Put: {
        TableName: tableName(),
        Item: { ...markerKey, contentId: content.contentId, reachedAt, ...(interaction || marker?.interacted ? { interacted: true } : {}) },
      },
    });
  }
  return writes;
}

/** An order attributed to a content item: a condition that the item exists, and its counters. */
export function orderConversionWrites(tenantId: string, memberId: string, contentId: string, orders: number, amountMinor: number): TransactItem[] {
  return [
    { ConditionCheck: { TableName: tableName(), Key: contentKeys.item(tenantId, contentId), ConditionExpression: "attribute_exists(pk)" } },
    statsUpdate(tenantId, contentId, memberId, { conversions: orders, revenueMinor: amountMinor }),
  ];
}

/** A refund of an attributed order lowers the item's net revenue. */
export function refundConversionWrite(tenantId: string, memberId: string, contentId: string, amountMinor: number): TransactItem {
  return statsUpdate(tenantId, contentId, memberId, { refundedMinor: amountMinor });
}

const empty = (contentId: string): ContentEngagement => ({
  contentId,
  reach: 0,
  views: 0,
  clicks: 0,
  shares: 0,
  deliveries: 0,
  interactions: 0,
  interactingMembers: 0,
  conversions: 0,
  revenueMinor: 0,
  refundedMinor: 0,
});

/** Keys one item's engagement reads: its counter shards and its audience count. */
export const ENGAGEMENT_KEYS_PER_ITEM = STATS_SHARDS + 1;

/** Engagement of many items: one BatchGetItem over their counter shards and audience counts (100 keys a call). */
export async function getEngagements(tenantId: string, contentIds: readonly string[]): Promise<ContentEngagement[]> {
  const valid = contentIds.filter((id) => CLIENT_ID_PATTERN.test(id));
  const keyList = valid.flatMap((id) => [...Array.from({ length: STATS_SHARDS }, (_, shard) => contentKeys.stats(tenantId, id, shard)), contentKeys.audience(tenantId, id)]);
  const items = await batchGet<Record<string, unknown>>(keyList);
  const byId = new Map<string, ContentEngagement>();
  const audiences = new Map<string, AudienceCount>();
  for (const s of items) {
    if (s.sk === AUDIENCE_SK) {
      audiences.set(s.contentId as string, fromAudienceItem(s));
      continue;
    }
    const id = s.contentId as string;
    const e = byId.get(id) ?? empty(id);
    for (const c of COUNTERS) e[c] += Number(s[c] ?? 0);
    if (typeof s.updatedAt === "string" && (!e.updatedAt || s.updatedAt > e.updatedAt)) e.updatedAt = s.updatedAt;
    byId.set(id, e);
  }
  return contentIds.map((id) => ({ ...(byId.get(id) ?? empty(id)), audience: audiences.get(id) }));
}
