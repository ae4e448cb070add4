import { keys, stripKeys } from "../db/keys.js";
import type { Order, Refund } from "./types.js";
import type { CleanOrder } from "./validate.js";

export function orderItem(o: Order) {
  return {
    ...keys.order(o.tenantId, o.orderId),
    gsi1pk: keys.memberPartition(o.tenantId, o.memberId),
    gsi1sk: keys.orderSort(o.occurredAt, o.orderId),
    ...(o.storeId ? { gsi2pk: keys.ordersOfStore(o.tenantId, o.storeId), gsi2sk: keys.orderSort(o.occurredAt, o.orderId) } : {}),
    ...o,
  };
}

export function refundItem(r: Refund) {
  return {
    ...keys.refund(r.tenantId, r.refundId),
    gsi2pk: keys.refundsOfOrder(r.tenantId, r.orderId),
    gsi2sk: keys.refundSort(r.occurredAt, r.refundId),
    ...r,
  };
}

export const fromOrderItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as Order;
export const fromRefundItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as Refund;

/** Points an order amount earns under the brand's rate, rounded down. */
export const pointsFor = (amountMinor: number, pointsPerUnit: number) => Math.floor((amountMinor * pointsPerUnit) / 100);

/** A new order as stored, from a cleaned request: the one place its initial state is decided. */
export function newOrder(
  tenantId: string,
  memberId: string,
  o: CleanOrder,
  settings: { currency: string; pointsPerUnit: number },
  source: Order["source"],
  createdAt: string,
): Order {
  return {
    tenantId,
    orderId: o.orderId,
    memberId,
    channel: o.channel,
    storeId: o.storeId,
    amountMinor: o.amountMinor,
    currency: o.currency ?? settings.currency,
    items: o.items,
    occurredAt: o.occurredAt,
    refundedMinor: 0,
    status: "PLACED",
    pointsEarned: pointsFor(o.amountMinor, settings.pointsPerUnit),
    pointsReversed: 0,
    campaignId: o.campaignId,
    contentId: o.contentId,
    fingerprint: o.fingerprint,
    source,
    createdAt,
  };
}
