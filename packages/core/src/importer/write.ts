import { activityItem, addOrder, emptyActivity, localDayNumber, trimActivity } from "../segment/activity.js";
import { tableName } from "../db/client.js";
import { backoff, MAX_TRANSACTION_ITEMS, transact, TransactionCancelled, type TransactItem } from "../db/transact.js";
import { createMember, planCreate, type CreateMemberInput } from "../member/create.js";
import { memberItem } from "../member/item.js";
import { newOrder, orderItem, pointsFor } from "../order/item.js";
import { recordOrders } from "../order/record.js";
import type { CleanOrder } from "../order/validate.js";
import { newPointsEntry, pointsEntryItem } from "../points/entry.js";
import { ConflictError, NotFoundError } from "../shared/errors.js";
import { getSettings } from "../tenant/settings.js";
import { isRowError, type Tally } from "./tally.js";

export interface By {
  actor: string;
}

/**
 * Creates the member under its stable id. A member already there under that id, or the
 * customer number already owned by another member, is not an error: the import uses that
 * member. Other conflicts (a phone that belongs to someone else) are the row's problem.
 */
export async function ensureMember(
  tenantId: string,
  input: CreateMemberInput & { memberId: string },
  by: By,
): Promise<{ memberId: string; created: boolean }> {
  try {
    await createMember(tenantId, input, { actor: by.actor, source: "IMPORT" });
    return { memberId: input.memberId, created: true };
  } catch (error) {
    if (error instanceof ConflictError) {
      const owner = error.details?.memberId;
      if (typeof owner === "string" && (owner === input.memberId || error.details?.field === "customerNo")) {
        return { memberId: owner, created: false };
      }
    }
    throw error;
  }
}

/** recordOrders writes up to 40 orders per transaction; calling per 40 keeps a failure's blame exact. */
const ORDERS_PER_CALL = 40;
/** Reads after a create may be eventually consistent in AWS: how often a fresh member is looked for again. */
const NEW_MEMBER_RETRIES = 5;

export interface RowOrder {
  line: number;
  order: CleanOrder;
}

/**
 * Records one member's orders (idempotent by order id) and counts them: new ones as imported,
 * ones already recorded as unchanged. A domain error marks just that call's rows as bad.
 */
export async function writeOrders(tenantId: string, memberId: string, rows: RowOrder[], by: By, tally: Tally, justCreated: boolean): Promise<void> {
  for (let i = 0; i < rows.length; i += ORDERS_PER_CALL) {
    const chunk = rows.slice(i, i + ORDERS_PER_CALL);
    let results;
    try {
      results = await recordWithRetry(tenantId, memberId, chunk, by, justCreated);
    } catch (error) {
      if (!isRowError(error)) throw error;
      for (const row of chunk) tally.addBad(row.line, error.message);
      continue;
    }
    results.forEach((result, j) => {
      const amount = chunk[j]!.order.amountMinor;
      tally.amountMinor += amount;
      if (result.duplicate) {
        tally.unchanged++;
      } else {
        tally.imported++;
        tally.ordersCreated++;
        tally.importedAmountMinor += amount;
      }
    });
  }
}

async function recordWithRetry(tenantId: string, memberId: string, chunk: RowOrder[], by: By, justCreated: boolean) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await recordOrders(
        tenantId,
        memberId,
        chunk.map((r) => r.order),
        { actor: by.actor, source: "IMPORT" },
      );
    } catch (error) {
      if (!(justCreated && error instanceof NotFoundError && attempt < NEW_MEMBER_RETRIES)) throw error;
      await backoff(attempt + 2);
    }
  }
}

/** A new customer's member, first orders and points entries, ready to be written in one go. */
export interface NewCustomerPlan {
  items: TransactItem[];
  /** Rows whose orders are in `items`. */
  written: RowOrder[];
  /** Rows that did not fit (or need the general path); recordOrders takes them afterwards. */
  rest: RowOrder[];
}

/**
 * Plans a new customer: the member (created exactly as createMember plans it), its first orders
 * with their points entries, and the member's stats already summed, as recordOrders would leave
 * them. This is the import's fast path: a new customer costs no reads and part of one
 * transaction, instead of three requests (create; then read and write in recordOrders),
 * which is what bounds an import of a brand's history. The member, its customer-number key and
 * each order are conditional on not existing, so a customer that is already there (or an order
 * id) cancels the write, and the caller takes the general path (createMember + recordOrders).
 * Orders that would not fit in one transaction are left in `rest`.
 */
export async function planNewCustomer(tenantId: string, input: CreateMemberInput & { memberId: string }, rows: RowOrder[], by: By): Promise<NewCustomerPlan> {
  const settings = await getSettings(tenantId);
  const { member, items, cipher } = await planCreate(tenantId, input, { actor: by.actor, source: "IMPORT" });
  const table = tableName();
  const now = member.createdAt;
  const written: RowOrder[] = [];
  let i = 0;
  for (; i < rows.length; i++) {
    const o = rows[i]!.order;
    if (o.memberId !== member.memberId || o.storeId) break; // store totals and other members: general path
    const pointsEarned = pointsFor(o.amountMinor, settings.pointsPerUnit);
    // One slot stays free for the member's ACTIVITY summary (segment rules read it).
    if (items.length + (pointsEarned > 0 ? 2 : 1) + 1 > MAX_TRANSACTION_ITEMS) break;
    const order = newOrder(tenantId, member.memberId, o, settings, "IMPORT", now);
    items.push({ Put: { TableName: table, Item: orderItem(order), ConditionExpression: "attribute_not_exists(pk)" } });
    if (pointsEarned > 0) {
      const entry = newPointsEntry({ tenantId, memberId: member.memberId, type: "EARN", points: pointsEarned, orderId: o.orderId, actor: by.actor, createdAt: now });
      items.push({ Put: { TableName: table, Item: pointsEntryItem(entry) } });
    }
    member.orderCount += 1;
    member.grossSpendMinor += o.amountMinor;
    member.pointsBalance += pointsEarned;
    if (!member.firstOrderAt || o.occurredAt < member.firstOrderAt) member.firstOrderAt = o.occurredAt;
    if (!member.lastOrderAt || o.occurredAt > member.lastOrderAt) member.lastOrderAt = o.occurredAt;
    if (!member.lastActiveAt || o.occurredAt > member.lastActiveAt) member.lastActiveAt = o.occurredAt;
    written.push(rows[i]!);
  }
  const first = items[0] as TransactItem & { Put: NonNullable<TransactItem["Put"]> };
  items[0] = { Put: { ...first.Put, Item: memberItem(member, cipher) } };
  if (written.length > 0) {
    // Same daily buckets recordOrders keeps, so windowed segment rules see imported history.
    const activity = emptyActivity(settings.timeZone);
    for (const row of written) addOrder(activity, row.order);
    trimActivity(activity, localDayNumber(Date.now(), settings.timeZone));
    items.push({ Put: { TableName: table, Item: activityItem(tenantId, member.memberId, activity, now) } });
  }
  return { items, written, rest: rows.slice(i) };
}

/**
 * Writes several new customers' plans in one transaction (all or nothing). False if it was
 * cancelled by a condition: one of them exists already; the caller then handles each on its own.
 */
export async function writePlans(plans: readonly NewCustomerPlan[]): Promise<boolean> {
  try {
    await transact(plans.flatMap((p) => p.items));
    return true;
  } catch (error) {
    if (error instanceof TransactionCancelled) return false;
    throw error;
  }
}

/**
 * Groups plans into transactions of at most `maxItems` items, in order. DynamoDB Local (and a
 * disk-backed one most of all) pays per transaction more than per item, so a dozen new
 * customers per transaction is several times faster than one each.
 */
export function packPlans<T extends { plan: NewCustomerPlan }>(entries: readonly T[], maxItems = MAX_TRANSACTION_ITEMS): T[][] {
  const packs: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const entry of entries) {
    const n = entry.plan.items.length;
    if (current.length > 0 && size + n > maxItems) {
      packs.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += n;
  }
  if (current.length > 0) packs.push(current);
  return packs;
}

/** Counts orders written from plans as recordOrders' results would be counted. */
export function countWritten(rows: RowOrder[], tally: Tally): void {
  for (const { order } of rows) {
    tally.imported++;
    tally.ordersCreated++;
    tally.amountMinor += order.amountMinor;
    tally.importedAmountMinor += order.amountMinor;
  }
}
