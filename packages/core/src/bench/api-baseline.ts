import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { campaignKeys } from "../campaign/keys.js";
import { resultKeys, RESULT_SHARDS } from "../campaign/results/keys.js";
import { documentClient, tableName } from "../db/client.js";
import { keys, SK } from "../db/keys.js";
import { newOrder, orderItem } from "../order/item.js";
import { cleanOrder } from "../order/validate.js";
import { newPointsEntry, pointsEntryItem } from "../points/entry.js";
import { activityItem, activityKey, addOrder, emptyActivity, fromActivityItem, localDayNumber, trimActivity } from "../segment/activity.js";
import { segmentKeys } from "../segment/keys.js";
import { newId } from "../shared/ids.js";

/**
 * The API benchmark's floor: each operation of the mix done with the fewest DynamoDB calls its
 * access patterns allow, straight through the SDK's document client (the same client, so
 * marshalling is paid on both sides), no GraphQL, no HTTP, no auth. Independent reads go out
 * in parallel, reads of one level share a BatchGetItem. Each returns what the screen needs.
 *
 * The writes build their items with the domain's item builders (pure functions), so the
 * baseline writes what the API writes, with the reads the API needs (none for a redemption, a
 * strongly consistent read of the member and its ACTIVITY for an order).
 */
export interface BaselineContext {
  tenantId: string;
  /** Tenant settings the writes need (the API caches them in-process too). */
  settings: { timeZone: string; currency: string; pointsPerUnit: number; memberListShards: number };
}

type Item = Record<string, unknown>;

const MEMBER_CARD = ["memberId", "#n", "tier"];

/** A member profile with tags, points and its last 10 orders: GetItem ‖ Query, one level. */
export async function baselineProfile(c: BaselineContext, memberId: string): Promise<{ member?: Item; orders: Item[] }> {
  const client = documentClient();
  const [member, orders] = await Promise.all([
    client.send(new GetCommand({ TableName: tableName(), Key: keys.member(c.tenantId, memberId) })),
    client.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: "gsi1",
        KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :o)",
        ExpressionAttributeValues: { ":pk": keys.memberPartition(c.tenantId, memberId), ":o": SK.order },
        ScanIndexForward: false,
        Limit: 10,
      }),
    ),
  ]);
  return { member: member.Item, orders: orders.Items ?? [] };
}

/** A member by channel identity: GetItem of the identity, then GetItem of the member. */
export async function baselineByIdentity(c: BaselineContext, channel: string, externalId: string): Promise<Item | undefined> {
  const client = documentClient();
  const id = await client.send(new GetCommand({ TableName: tableName(), Key: keys.identity(c.tenantId, channel, externalId), ProjectionExpression: "memberId" }));
  if (!id.Item) return undefined;
  return (await client.send(new GetCommand({ TableName: tableName(), Key: keys.member(c.tenantId, id.Item.memberId as string) }))).Item;
}

/**
 * A page of 50 members of a tier with their referrers: one Query per list shard in parallel,
 * merge by sort key, then one BatchGetItem of the referrers not on the page (projected).
 */
export async function baselineTierPage(c: BaselineContext, tier: string, first = 50): Promise<{ members: Item[]; referrers: Item[] }> {
  const client = documentClient();
  const shards = Array.from({ length: c.settings.memberListShards }, (_, s) => keys.membersByTier(c.tenantId, tier, String(s)));
  const pages = await Promise.all(
    shards.map((pk) =>
      client.send(new QueryCommand({ TableName: tableName(), IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :pk", ExpressionAttributeValues: { ":pk": pk }, ScanIndexForward: false, Limit: first })),
    ),
  );
  const members = pages
    .flatMap((p) => p.Items ?? [])
    .sort((a, b) => (String(a.gsi2sk) < String(b.gsi2sk) ? 1 : -1))
    .slice(0, first);
  const onPage = new Set(members.map((m) => m.memberId as string));
  const wanted = [...new Set(members.map((m) => m.referrerId as string | undefined).filter((id): id is string => Boolean(id) && !onPage.has(id!)))];
  if (wanted.length === 0) return { members, referrers: [] };
  const out = await client.send(
    new BatchGetCommand({
      RequestItems: { [tableName()]: { Keys: wanted.map((id) => keys.member(c.tenantId, id)), ProjectionExpression: MEMBER_CARD.join(","), ExpressionAttributeNames: { "#n": "name" } } },
    }),
  );
  return { members, referrers: out.Responses?.[tableName()] ?? [] };
}

/** A member's ledger page with the balance: GetItem ‖ Query, one level. */
export async function baselineLedger(c: BaselineContext, memberId: string, first = 20): Promise<{ balance: number; entries: Item[] }> {
  const client = documentClient();
  const [member, ledger] = await Promise.all([
    client.send(new GetCommand({ TableName: tableName(), Key: keys.member(c.tenantId, memberId), ProjectionExpression: "pointsBalance" })),
    client.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
        ExpressionAttributeValues: { ":pk": keys.memberPartition(c.tenantId, memberId), ":p": SK.points },
        ScanIndexForward: false,
        Limit: first,
      }),
    ),
  ]);
  return { balance: Number(member.Item?.pointsBalance ?? 0), entries: ledger.Items ?? [] };
}

export interface BaselineOrder {
  orderId: string;
  memberId: string;
  amount: number;
  occurredAt: string;
}

/**
 * Records an order as the API does: the member and its ACTIVITY item read strongly consistent
 * in one BatchGetItem, then one transaction of the order (new id), its EARN entry, the member's
 * stats (version-conditioned) and the ACTIVITY item. No retry: the benchmark never races itself
 * on one member within a call.
 */
export async function baselineRecordOrder(c: BaselineContext, o: BaselineOrder): Promise<{ pointsEarned: number }> {
  const client = documentClient();
  const table = tableName();
  const read = await client.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: [keys.member(c.tenantId, o.memberId), activityKey(c.tenantId, o.memberId)], ConsistentRead: true } } }));
  const items = read.Responses?.[table] ?? [];
  const member = items.find((i) => i.sk === SK.member);
  if (!member) throw new Error(`member ${o.memberId} not found`);
  const now = new Date();
  const at = now.toISOString();
  const order = newOrder(c.tenantId, o.memberId, cleanOrder({ orderId: o.orderId, memberId: o.memberId, channel: "MINI_PROGRAM", amount: o.amount, occurredAt: o.occurredAt }), c.settings, "API", at);
  const activity = fromActivityItem(items.find((i) => i.sk !== SK.member)) ?? emptyActivity(c.settings.timeZone);
  addOrder(activity, order);
  trimActivity(activity, localDayNumber(now.getTime(), c.settings.timeZone));
  const entry = newPointsEntry({ tenantId: c.tenantId, memberId: o.memberId, type: "EARN", points: order.pointsEarned, orderId: order.orderId, actor: "bench" });
  const last = member.lastOrderAt && String(member.lastOrderAt) > o.occurredAt ? String(member.lastOrderAt) : o.occurredAt;
  await client.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: table,
            Key: keys.member(c.tenantId, o.memberId),
            UpdateExpression: "SET lastOrderAt = :last, lastActiveAt = :last, updatedAt = :at ADD orderCount :one, grossSpendMinor :minor, pointsBalance :points, version :one",
            ConditionExpression: "version = :ver",
            ExpressionAttributeValues: { ":last": last, ":at": at, ":one": 1, ":minor": order.amountMinor, ":points": order.pointsEarned, ":ver": member.version },
          },
        },
        { Put: { TableName: table, Item: orderItem(order), ConditionExpression: "attribute_not_exists(pk)" } },
        { Put: { TableName: table, Item: pointsEntryItem(entry) } },
        { Put: { TableName: table, Item: activityItem(c.tenantId, o.memberId, activity, at) } },
      ],
    }),
  );
  return { pointsEarned: order.pointsEarned };
}

/**
 * Redeems points as the API does: one transaction (idempotency record, conditioned ADD on the
 * balance, ledger entry), then a strongly consistent GetItem of the member for the answer.
 */
export async function baselineRedeem(c: BaselineContext, memberId: string, points: number, requestId: string): Promise<{ balance: number }> {
  const client = documentClient();
  const table = tableName();
  const entry = newPointsEntry({ tenantId: c.tenantId, memberId, type: "REDEEM", points: -points, actor: "bench" });
  await client.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { ...keys.requestKey(c.tenantId, "points", requestId), resultRef: `${memberId}/${entry.entryId}`, createdAt: entry.createdAt }, ConditionExpression: "attribute_not_exists(pk)" } },
        {
          Update: {
            TableName: table,
            Key: keys.member(c.tenantId, memberId),
            UpdateExpression: "ADD pointsBalance :d",
            ConditionExpression: "#s = :active AND pointsBalance >= :need",
            ExpressionAttributeNames: { "#s": "status" },
            ExpressionAttributeValues: { ":d": -points, ":active": "ACTIVE", ":need": points },
          },
        },
        { Put: { TableName: table, Item: pointsEntryItem(entry) } },
      ],
    }),
  );
  const member = await client.send(new GetCommand({ TableName: table, Key: keys.member(c.tenantId, memberId), ConsistentRead: true }));
  return { balance: Number(member.Item?.pointsBalance ?? 0) };
}

/** The segments screen: one Query of the tenant's active segment list. */
export async function baselineSegments(c: BaselineContext, first = 20): Promise<Item[]> {
  const out = await documentClient().send(
    new QueryCommand({ TableName: tableName(), IndexName: "gsi1", KeyConditionExpression: "gsi1pk = :pk", ExpressionAttributeValues: { ":pk": segmentKeys.list(c.tenantId, "ACTIVE") }, ScanIndexForward: false, Limit: first }),
  );
  return out.Items ?? [];
}

/** A campaign screen: the campaign and its result counter shards share a partition; one BatchGetItem reads both. */
export async function baselineCampaign(c: BaselineContext, campaignId: string): Promise<{ campaign?: Item; shards: Item[] }> {
  const table = tableName();
  const out = await documentClient().send(
    new BatchGetCommand({
      RequestItems: { [table]: { Keys: [campaignKeys.item(c.tenantId, campaignId), ...Array.from({ length: RESULT_SHARDS }, (_, s) => resultKeys.stats(c.tenantId, campaignId, s))] } },
    }),
  );
  const items = out.Responses?.[table] ?? [];
  const campaign = items.find((i) => !String(i.sk).startsWith("STATS#"));
  return { campaign, shards: items.filter((i) => i !== campaign) };
}

/** A fresh client id for a write of the benchmark (orders, redemptions). */
export const benchId = (prefix: string) => newId(prefix);
