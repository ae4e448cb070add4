import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { queryPage } from "../db/query.js";
import { NotFoundError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import type { Page, PageArgs } from "../shared/page.js";
import { fromStoreItem } from "./item.js";
import type { Store } from "./types.js";

/** Ids that cannot name a store (wrong shape) are simply not found, never a key to look up. */
const isStoreId = (id: string) => CLIENT_ID_PATTERN.test(id);

export async function findStore(tenantId: string, storeId: string, consistent = false): Promise<Store | undefined> {
  if (!isStoreId(storeId)) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.store(tenantId, storeId), ConsistentRead: consistent }));
  return out.Item ? fromStoreItem(out.Item) : undefined;
}

/** The store, or NOT_FOUND. */
export async function getStore(tenantId: string, storeId: string, consistent = false): Promise<Store> {
  const store = await findStore(tenantId, storeId, consistent);
  if (!store) throw new NotFoundError("Store", storeId);
  return store;
}

/** Many stores by id in BatchGetItem calls; the result is aligned with `ids` (undefined if absent). */
export async function getStores(tenantId: string, ids: readonly string[]): Promise<(Store | undefined)[]> {
  const wanted = ids.filter(isStoreId);
  const items = wanted.length ? await batchGet<Record<string, unknown>>(wanted.map((id) => keys.store(tenantId, id))) : [];
  const byId = new Map(items.map((item) => [item.storeId as string, fromStoreItem(item)]));
  return ids.map((id) => byId.get(id));
}

/**
 * The brand's stores ordered by name (then id), A to Z. One gsi2 partition per brand: brands
 * have hundreds to a few thousand stores, far below what one partition serves.
 */
export async function listStores(tenantId: string, args: PageArgs): Promise<Page<Store>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, "stores", { index: "gsi2", pk: keys.storesOfTenant(tenantId) }, args, { ascending: true });
  return { ...page, items: page.items.map(fromStoreItem) };
}
