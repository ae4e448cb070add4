import { keys, stripKeys } from "../db/keys.js";
import type { Order, Refund } from "./types.js";

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
