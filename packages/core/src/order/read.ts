import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { keys, SK } from "../db/keys.js";
import { queryAll, queryPage } from "../db/query.js";
import { NotFoundError } from "../shared/errors.js";
import type { Page, PageArgs } from "../shared/page.js";
import { fromOrderItem, fromRefundItem } from "./item.js";
import type { Order, Refund } from "./types.js";

export async function getOrder(tenantId: string, orderId: string): Promise<Order> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.order(tenantId, orderId) }));
  if (!out.Item) throw new NotFoundError("Order", orderId);
  return fromOrderItem(out.Item);
}

export async function getOrders(tenantId: string, ids: readonly string[]): Promise<(Order | undefined)[]> {
  const items = await batchGet<Record<string, unknown>>(ids.map((id) => keys.order(tenantId, id)));
  const byId = new Map(items.map((i) => [i.orderId as string, fromOrderItem(i)]));
  return ids.map((id) => byId.get(id));
}

/** A member's orders, newest first. */
export async function listMemberOrders(tenantId: string, memberId: string, args: PageArgs): Promise<Page<Order>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `orders:${memberId}`, { index: "gsi1", pk: keys.memberPartition(tenantId, memberId), skPrefix: SK.order }, args);
  return { ...page, items: page.items.map(fromOrderItem) };
}

/** A store's orders, newest first. */
export async function listStoreOrders(tenantId: string, storeId: string, args: PageArgs): Promise<Page<Order>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `storeOrders:${storeId}`, { index: "gsi2", pk: keys.ordersOfStore(tenantId, storeId), skPrefix: SK.order }, args);
  return { ...page, items: page.items.map(fromOrderItem) };
}

export async function listRefunds(tenantId: string, orderId: string): Promise<Refund[]> {
  const items = await queryAll<Record<string, unknown>>({ index: "gsi2", pk: keys.refundsOfOrder(tenantId, orderId), skPrefix: SK.refund });
  return items.map(fromRefundItem);
}
