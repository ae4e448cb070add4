import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import type { TransactItem } from "../db/transact.js";
import { changeMember } from "../member/mutate.js";
import { newPointsEntry, pointsEntryItem } from "../points/entry.js";
import { ConflictError, ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import { toMinor } from "../shared/money.js";
import { checkPattern, cleanText, toUtcInstant } from "../shared/text.js";
import { fromRefundItem, refundItem } from "./item.js";
import { getOrder } from "./read.js";
import type { Order, Refund } from "./types.js";
import { hash } from "./validate.js";
import { activityPut, addRefund } from "../segment/activity.js";
import { refundConversionWrite } from "../content/engagement.js";
import { refundCampaignWrites } from "../campaign/results/orders.js";
import { refundStaffWrites } from "../staff/orders.js";
import { getSettings } from "../tenant/settings.js";

export interface RefundInput {
  refundId: string;
  orderId: string;
  /** Amount refunded in major units; the order's refunds never exceed what was paid. */
  amount: number;
  reason?: string | null;
  occurredAt: string;
}

/**
 * Records a refund: the refund, the order's refunded total (conditioned so refunds never
 * exceed the order), the member's net spend, the store's totals, and the reversal of the
 * points the refunded part earned (as far as the balance allows) in one transaction.
 */
export async function recordRefund(tenantId: string, input: RefundInput, by: { actor: string }): Promise<{ refund: Refund; order: Order; duplicate: boolean }> {
  const refundId = checkPattern(input.refundId, CLIENT_ID_PATTERN, "refundId", "must be 1-100 letters, digits or _.:-");
  const amountMinor = toMinor(input.amount, "amount");
  if (amountMinor === 0) throw new ValidationError("amount must be greater than zero", "amount");
  const occurredAt = toUtcInstant(input.occurredAt, "occurredAt");
  const reason = cleanText(input.reason, "reason", 200);
  const fingerprint = hash([refundId, input.orderId, amountMinor, occurredAt]);

  const existing = await findRefund(tenantId, refundId);
  if (existing) return duplicate(tenantId, existing, fingerprint);

  const order = await getOrder(tenantId, input.orderId);
  if (order.refundedMinor + amountMinor > order.amountMinor) {
    throw new ValidationError(`refunds would exceed the order amount (${order.amountMinor - order.refundedMinor} minor units left)`, "amount");
  }
  try {
    return await changeMember(
      tenantId,
      order.memberId,
      async (member) => {
        const table = tableName();
        const now = new Date().toISOString();
        const proportional = Math.floor((order.pointsEarned * (order.refundedMinor + amountMinor)) / order.amountMinor) - order.pointsReversed;
        const pointsReversed = Math.max(0, Math.min(proportional, member.pointsBalance));
        const refund: Refund = { tenantId, refundId, orderId: order.orderId, memberId: order.memberId, amountMinor, pointsReversed, reason, occurredAt, fingerprint, createdAt: now };
        const refundedMinor = order.refundedMinor + amountMinor;
        const status = refundedMinor === order.amountMinor ? "REFUNDED" : "PARTIALLY_REFUNDED";
        const items: TransactItem[] = [
          { Put: { TableName: table, Item: refundItem(refund), ConditionExpression: "attribute_not_exists(pk)" } },
          {
            Update: {
              TableName: table,
              Key: keys.order(tenantId, order.orderId),
              UpdateExpression: "SET refundedMinor = :r, #st = :status, pointsReversed = :pr",
              ConditionExpression: "refundedMinor = :before",
              ExpressionAttributeNames: { "#st": "status" },
              ExpressionAttributeValues: { ":r": refundedMinor, ":status": status, ":pr": order.pointsReversed + pointsReversed, ":before": order.refundedMinor },
            },
          },
        ];
        if (pointsReversed > 0) {
          const entry = newPointsEntry({ tenantId, memberId: order.memberId, type: "REVERSE", points: -pointsReversed, orderId: order.orderId, refundId, actor: by.actor });
          items.push({ Put: { TableName: table, Item: pointsEntryItem(entry) } });
        }
        if (order.storeId) {
          items.push({
            Update: { TableName: table, Key: keys.store(tenantId, order.storeId), UpdateExpression: "ADD refundedMinor :m", ExpressionAttributeValues: { ":m": amountMinor } },
          });
        }
        if (order.contentId) items.push(refundConversionWrite(tenantId, order.memberId, order.contentId, amountMinor));
        items.push(...(await refundCampaignWrites(tenantId, member, order.campaignId, amountMinor)));
        items.push(...refundStaffWrites(tenantId, order, amountMinor, occurredAt, (await getSettings(tenantId)).timeZone));
        // Lowers the net of the day the order was placed in the member's daily buckets.
        items.push(await activityPut(tenantId, order.memberId, (a) => addRefund(a, { orderOccurredAt: order.occurredAt, amountMinor })));
        return {
          member: {
            add: { refundedMinor: amountMinor, pointsBalance: -pointsReversed },
            condition: "pointsBalance >= :rev",
            values: { ":rev": pointsReversed },
          },
          items,
          result: { refund, order: { ...order, refundedMinor, status, pointsReversed: order.pointsReversed + pointsReversed }, duplicate: false },
          explain: () => new ConflictError("the order changed at the same time (another refund?); try again"),
        };
      },
      { allowInactive: true },
    );
  } catch (error) {
    const raced = await findRefund(tenantId, refundId);
    if (raced) return duplicate(tenantId, raced, fingerprint);
    throw error;
  }
}

async function findRefund(tenantId: string, refundId: string): Promise<Refund | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.refund(tenantId, refundId), ConsistentRead: true }));
  return out.Item ? fromRefundItem(out.Item) : undefined;
}

async function duplicate(tenantId: string, refund: Refund, fingerprint: string) {
  if (refund.fingerprint !== fingerprint) throw new ConflictError(`refund id ${refund.refundId} was already used for a different refund`, { field: "refundId" });
  return { refund, order: await getOrder(tenantId, refund.orderId), duplicate: true };
}
