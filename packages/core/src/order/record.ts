import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import type { TransactionCancelled, TransactItem } from "../db/transact.js";
import { changeMember } from "../member/mutate.js";
import { resolveMember } from "../member/read.js";
import { newPointsEntry, pointsEntryItem } from "../points/entry.js";
import { ConflictError, NotFoundError, RetryableError, ValidationError } from "../shared/errors.js";
import { getSettings } from "../tenant/settings.js";
import { activityPut, addOrder, readMemberWithActivity, type Activity } from "../segment/activity.js";
import { fromMemberItems } from "../member/item.js";
import type { Member } from "../member/types.js";
import { orderConversionWrites } from "../content/engagement.js";
import { attributeOrder, ordersCampaignWrites } from "../campaign/results/orders.js";
import { boostNote, boostOrder, multipliersFor } from "../multiplier/apply.js";
import { planReferralRewards, REFERRAL_REWARD_ITEMS } from "../referral/rewards.js";
import type { Campaign } from "../campaign/types.js";
import { STAFF_FIXED_ITEMS, STAFF_ITEMS_PER_DAY, staffOrderWrites } from "../staff/orders.js";
import { fromOwnershipItem } from "../staff/ownership.js";
import { OWNER_SK } from "../staff/keys.js";
import type { Ownership } from "../staff/types.js";
import { fromOrderItem, newOrder, orderItem } from "./item.js";
import type { Order } from "./types.js";
import { cleanOrder, type CleanOrder, type OrderInput } from "./validate.js";

/** Orders per transaction at most (each is an order item plus a ledger entry). */
const ORDERS_PER_TRANSACTION = 40;
/**
 * DynamoDB allows 100 items per transaction; the member and its ACTIVITY item take two, two
 * stay free for a campaign the member's last touch attributes orders to (counters + funnel), and
 * the referral rewards of a member's first order up to REFERRAL_REWARD_ITEMS (kept free in every
 * chunk, since which chunk holds a first order is only known once the member is read).
 */
const ITEMS_PER_TRANSACTION = 96 - REFERRAL_REWARD_ITEMS - STAFF_FIXED_ITEMS;

/**
 * Splits orders into transactions that fit: each order costs its item and a ledger entry,
 * each distinct store one update, each distinct content item a check and a counter update,
 * each distinct campaign named a counter update and the member's funnel item, each distinct
 * UTC date the staff day counters of up to two local days (staff/orders.ts).
 */
export function chunkOrders(orders: CleanOrder[]): CleanOrder[][] {
  const chunks: CleanOrder[][] = [];
  let chunk: CleanOrder[] = [];
  let cost = 0;
  const stores = new Set<string>();
  const contents = new Set<string>();
  const campaigns = new Set<string>();
  const dates = new Set<string>();
  for (const o of orders) {
    const costOf = () =>
      2 + (o.storeId && !stores.has(o.storeId) ? 1 : 0) + (o.contentId && !contents.has(o.contentId) ? 2 : 0) + (o.campaignId && !campaigns.has(o.campaignId) ? 2 : 0) +
      (dates.has(o.occurredAt.slice(0, 10)) ? 0 : 2 * STAFF_ITEMS_PER_DAY);
    if (chunk.length > 0 && (chunk.length >= ORDERS_PER_TRANSACTION || cost + costOf() > ITEMS_PER_TRANSACTION)) {
      chunks.push(chunk);
      chunk = [];
      cost = 0;
      stores.clear();
      contents.clear();
      campaigns.clear();
      dates.clear();
    }
    cost += costOf();
    chunk.push(o);
    if (o.storeId) stores.add(o.storeId);
    if (o.contentId) contents.add(o.contentId);
    if (o.campaignId) campaigns.add(o.campaignId);
    dates.add(o.occurredAt.slice(0, 10));
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export interface RecordedOrder {
  order: Order;
  /** True when this order id had been recorded before: nothing was written this time. */
  duplicate: boolean;
}

export async function recordOrder(tenantId: string, input: OrderInput, by: { actor: string }): Promise<RecordedOrder> {
  const [result] = await recordOrders(tenantId, input.memberId, [cleanOrder(input)], { ...by, source: "API" });
  return result!;
}

/**
 * Records orders of one member: each order, its points and the member's running stats (count,
 * spend, first/last order, last active) and the store's totals in one transaction, so a
 * profile never disagrees with its orders. Idempotent by order id: an id already recorded is
 * returned as it was (a different payload under the same id is a CONFLICT).
 */
export async function recordOrders(
  tenantId: string,
  memberIdInput: string,
  orders: CleanOrder[],
  by: { actor: string; source: "API" | "IMPORT" },
): Promise<RecordedOrder[]> {
  const settings = await getSettings(tenantId);
  // The member and its ACTIVITY item in one strongly consistent read: the first transaction
  // plans from them (no second read of either); a merged id follows to its survivor.
  // ... and its OWNER item (staff/), in the same round trip.
  const read = await readMemberWithActivity(tenantId, memberIdInput, [OWNER_SK]);
  let member = read.item ? (await fromMemberItems(tenantId, [read.item]))[0] : undefined;
  const owner = read.others.get(OWNER_SK);
  let prefetched: Prefetched | undefined = member ? { member, activity: read.activity, ownership: owner ? fromOwnershipItem(owner) : null } : undefined;
  if (member?.status === "MERGED" && member.mergedInto) {
    member = await resolveMember(tenantId, member.mergedInto);
    prefetched = undefined;
  }
  if (!member) throw new NotFoundError("Member", memberIdInput);
  if (member.status !== "ACTIVE") throw new ConflictError(`member ${memberIdInput} is ${member.status.toLowerCase()}`);
  for (const o of orders) {
    if (o.currency && o.currency !== settings.currency) {
      throw new ValidationError(`orders must be in the brand's currency ${settings.currency}`, "currency");
    }
  }
  // Live orders earn campaign points (multipliers; referral rewards on a first order); imported
  // history does not: it happened before the brand's campaigns knew of it.
  const live = by.source === "API";
  const boosts = live ? await multipliersFor(tenantId, member, orders) : new Map<string, Campaign>();
  const results = new Map<string, RecordedOrder>();
  for (const chunk of chunkOrders(orders)) {
    let pending = chunk;
    for (let raced = 0; pending.length > 0; ) {
      const outcome = await writeChunk(tenantId, member.memberId, pending, settings, by, { boosts, rewards: live }, prefetched);
      prefetched = undefined; // used once: later transactions plan from fresh reads
      if (outcome.raced) {
        // A referral reward's condition lost to a concurrent write: plan again from fresh reads.
        if (++raced > 10) throw new RetryableError("the order's referral rewards are being changed by many requests at once; try again");
        continue;
      }
      for (const r of outcome.recorded) results.set(r.order.orderId, r);
      // Orders found to exist already are answered from the table; the rest are retried.
      for (const id of outcome.existing) results.set(id, await existingOrder(tenantId, pending.find((o) => o.orderId === id)!));
      pending = pending.filter((o) => !results.has(o.orderId));
    }
  }
  return orders.map((o) => results.get(o.orderId)!);
}

type Settings = Awaited<ReturnType<typeof getSettings>>;

/** The member and its ACTIVITY item as read (consistently) before the first transaction. */
interface Prefetched {
  member: Member;
  activity: Activity | null;
  /** The member's OWNER item; null: it has none. */
  ownership: Ownership | null;
}

class ExistingOrders extends Error {
  constructor(readonly orderIds: string[]) {
    super("some orders exist");
  }
}

/** A condition of the referral rewards failed (referral converted, referrer's count moved meanwhile). */
class RewardsRaced extends Error {}

interface CampaignEffects {
  /** The multiplier campaign of each order id (multiplier/apply.ts). */
  boosts: Map<string, Campaign>;
  /** Whether a first order pays out referral rewards. */
  rewards: boolean;
}

async function writeChunk(
  tenantId: string,
  memberId: string,
  orders: CleanOrder[],
  settings: Settings,
  by: { actor: string; source: "API" | "IMPORT" },
  effects: CampaignEffects,
  prefetched?: Prefetched,
): Promise<{ recorded: RecordedOrder[]; existing: string[]; raced?: boolean }> {
  try {
    const recorded = await changeMember(tenantId, memberId, async (member) => {
      // The prefetched ACTIVITY goes with the prefetched member only (a retry reads both anew).
      const activity = prefetched && member === prefetched.member ? prefetched.activity : undefined;
      const table = tableName();
      const now = new Date().toISOString();
      const items: TransactItem[] = [];
      const itemOrder: (string | undefined)[] = [];
      const stores = new Map<string, { count: number; minor: number }>();
      const contents = new Map<string, { count: number; minor: number }>();
      const made: RecordedOrder[] = [];
      let points = 0;
      let gross = 0;
      let first = member.firstOrderAt;
      let last = member.lastOrderAt;
      let active = member.lastActiveAt;
      // The member's owner and the staff member a recent staff touch attributes orders to.
      const staff = await staffOrderWrites(tenantId, member, orders, settings.timeZone, prefetched && member === prefetched.member ? prefetched.ownership : undefined);
      for (const o of orders) {
        const order = newOrder(tenantId, memberId, o, settings, by.source, now);
        Object.assign(order, staff.staffOf(o.orderId));
        // Attribution: the campaign named, else the member's last touch within the window.
        const attributed = attributeOrder(o, member, settings.attributionWindowDays);
        if (attributed) Object.assign(order, attributed);
        boostOrder(order, effects.boosts.get(o.orderId));
        const { pointsEarned } = order;
        items.push({ Put: { TableName: table, Item: orderItem(order), ConditionExpression: "attribute_not_exists(pk)" } });
        itemOrder.push(o.orderId);
        if (pointsEarned > 0) {
          const entry = newPointsEntry({ tenantId, memberId, type: "EARN", points: pointsEarned, orderId: o.orderId, actor: by.actor, ...boostNote(order) });
          items.push({ Put: { TableName: table, Item: pointsEntryItem(entry) } });
          itemOrder.push(undefined);
        }
        if (o.contentId) {
          const c = contents.get(o.contentId) ?? { count: 0, minor: 0 };
          contents.set(o.contentId, { count: c.count + 1, minor: c.minor + o.amountMinor });
        }
        if (o.storeId) {
          const s = stores.get(o.storeId) ?? { count: 0, minor: 0 };
          stores.set(o.storeId, { count: s.count + 1, minor: s.minor + o.amountMinor });
        }
        points += pointsEarned;
        gross += o.amountMinor;
        first = !first || o.occurredAt < first ? o.occurredAt : first;
        last = !last || o.occurredAt > last ? o.occurredAt : last;
        active = !active || o.occurredAt > active ? o.occurredAt : active;
        made.push({ order, duplicate: false });
      }
      for (const [storeId, s] of stores) {
        items.push({
          Update: {
            TableName: table,
            Key: keys.store(tenantId, storeId),
            UpdateExpression: "ADD orderCount :n, grossSalesMinor :m",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":n": s.count, ":m": s.minor },
          },
        });
        itemOrder.push(`store:${storeId}`);
      }
      // Orders attributed to a content item: it must exist; its conversion counters move.
      for (const [contentId, c] of contents) {
        items.push(...orderConversionWrites(tenantId, memberId, contentId, c.count, c.minor));
        itemOrder.push(`content:${contentId}`, undefined);
      }
      // A first order of a referred member: the referral campaign's rewards, in this transaction,
      // and the order attributed to that campaign unless it names one (referral beats last touch).
      const earliest = orders.reduce((a, b) => (b.occurredAt < a.occurredAt ? b : a));
      const rewards = effects.rewards ? await planReferralRewards(tenantId, member, earliest, by.actor, new Date(now)) : undefined;
      const converting = rewards && !earliest.campaignId ? made.find((r) => r.order.orderId === earliest.orderId) : undefined;
      if (converting) {
        Object.assign(converting.order, { campaignId: rewards!.campaignId, attribution: "REFERRAL" });
        const at = itemOrder.indexOf(earliest.orderId);
        items[at] = { Put: { TableName: table, Item: orderItem(converting.order), ConditionExpression: "attribute_not_exists(pk)" } };
      }
      // The attributed campaigns' counters and funnel steps.
      items.push(...(await ordersCampaignWrites(tenantId, member, made.map((r) => r.order))));
      while (itemOrder.length < items.length) itemOrder.push(undefined);
      if (rewards) {
        items.push(...rewards.items);
        itemOrder.push(...rewards.items.map(() => "referral"));
        points += rewards.inviteePoints;
      }
      items.push(...staff.items);
      while (itemOrder.length < items.length) itemOrder.push(undefined);
      // The member's daily buckets (segment rules with a window), in the same transaction.
      items.push(await activityPut(tenantId, memberId, (a) => orders.forEach((o) => addOrder(a, o)), { zone: settings.timeZone, current: activity }));
      itemOrder.push(undefined);
      return {
        member: {
          add: { orderCount: orders.length, grossSpendMinor: gross, pointsBalance: points },
          set: { firstOrderAt: first, lastOrderAt: last, lastActiveAt: active },
        },
        items,
        result: made,
        explain: (error: TransactionCancelled) => {
          const existing: string[] = [];
          let raced = false;
          for (let i = 0; i < itemOrder.length; i++) {
            if (!error.failedCondition(i)) continue;
            const ref = itemOrder[i]!;
            if (ref.startsWith("store:")) return new NotFoundError("Store", ref.slice(6));
            if (ref.startsWith("content:")) return new NotFoundError("Content", ref.slice(8));
            if (ref === "referral") raced = true;
            else existing.push(ref);
          }
          // An order already recorded explains everything; otherwise only a reward raced.
          return existing.length > 0 || !raced ? new ExistingOrders(existing) : new RewardsRaced();
        },
      };
    }, { first: prefetched?.member });
    return { recorded, existing: [] };
  } catch (error) {
    if (error instanceof ExistingOrders) return { recorded: [], existing: error.orderIds };
    if (error instanceof RewardsRaced) return { recorded: [], existing: [], raced: true };
    throw error;
  }
}

async function existingOrder(tenantId: string, sent: CleanOrder): Promise<RecordedOrder> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.order(tenantId, sent.orderId), ConsistentRead: true }));
  if (!out.Item) throw new ConflictError(`order ${sent.orderId} could not be recorded; try again`);
  const order = fromOrderItem(out.Item);
  if (order.fingerprint !== sent.fingerprint) {
    throw new ConflictError(`order id ${sent.orderId} was already used for a different order`, { field: "orderId" });
  }
  return { order, duplicate: true };
}
