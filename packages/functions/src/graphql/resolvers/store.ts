import {
  createStore,
  getStores,
  listStores,
  nearbyStores,
  netSalesMinor,
  updateStore,
  type CreateStoreInput as CoreCreateInput,
  type NearbyStore,
  type Store,
  type UpdateStoreInput as CoreUpdateInput,
} from "@growth/core/store";
import { listStoreOrders } from "@growth/core/order";
import { getSettings } from "@growth/core/tenant";
import DataLoader from "dataloader";
import { defineLoader, type Context } from "../context.js";
import { definePermissions, OPERATE, READ } from "../permissions.js";
import { money, type MoneyValue, type Resolvers } from "./base.js";
import { toConnection, type PageArgs } from "./connection.js";

definePermissions({
  "Query.store": { roles: READ, doc: "Read one store by id (location, status, sales totals)." },
  "Query.stores": { roles: READ, doc: "List the brand's stores by name." },
  "Query.nearbyStores": { roles: READ, doc: "Find the stores nearest a point (LBS), within at most 50 km." },
  "Mutation.createStore": { roles: OPERATE, doc: "Create a store." },
  "Mutation.updateStore": { roles: OPERATE, doc: "Change a store's details, location or status (not its totals)." },
});

/**
 * Stores by id for the current request, batched into BatchGetItem calls: `store(id)` uses it,
 * and so can any field that points at a store (e.g. an order's store). Missing ids load null.
 */
export const storeById = defineLoader(
  "store.byId",
  (tenantId) => new DataLoader<string, Store | null>(async (ids) => (await getStores(tenantId, ids)).map((s) => s ?? null)),
);

interface CreateStoreArgs {
  input: Omit<CoreCreateInput, "storeId" | "status"> & { id?: string | null; status?: string | null };
}

interface UpdateStoreArgs {
  input: CoreUpdateInput & { id: string };
}

interface NearbyArgs {
  latitude: number;
  longitude: number;
  radiusKm?: number | null;
  first?: number | null;
  includeClosed?: boolean | null;
}

interface StoreTotalsValue {
  orderCount: number;
  grossSales: MoneyValue;
  refunded: MoneyValue;
  netSales: MoneyValue;
}

/** A freshly written store also primes the request's loader, so a later `store(id)` reuses it. */
function prime(ctx: Context, store: Store): { store: Store } {
  storeById(ctx).clear(store.storeId).prime(store.storeId, store);
  return { store };
}

export const storeResolvers: Resolvers = {
  Query: {
    store: (_source: unknown, { id }: { id: string }, ctx: Context) => storeById(ctx).load(id),
    stores: async (_source: unknown, args: PageArgs, ctx: Context) => toConnection(await listStores(ctx.tenantId, args)),
    nearbyStores: (_source: unknown, args: NearbyArgs, ctx: Context): Promise<NearbyStore[]> => nearbyStores(ctx.tenantId, args),
  },
  Mutation: {
    createStore: async (_source: unknown, { input }: CreateStoreArgs, ctx: Context) => {
      const { id, ...rest } = input;
      return prime(ctx, await createStore(ctx.tenantId, { ...rest, storeId: id }));
    },
    updateStore: async (_source: unknown, { input }: UpdateStoreArgs, ctx: Context) => {
      const { id, ...patch } = input;
      return prime(ctx, await updateStore(ctx.tenantId, id, patch));
    },
  },
  Store: {
    id: (s: Store) => s.storeId,
    orders: async (s: Store, a: PageArgs, ctx: Context) => toConnection(await listStoreOrders(ctx.tenantId, s.storeId, a)),
    address: (s: Store) => s.address ?? null,
    city: (s: Store) => s.city ?? null,
    totals: async (s: Store, _args: unknown, ctx: Context): Promise<StoreTotalsValue> => {
      const { currency } = await getSettings(ctx.tenantId);
      return {
        orderCount: s.orderCount,
        grossSales: money(s.grossSalesMinor, currency),
        refunded: money(s.refundedMinor, currency),
        netSales: money(netSalesMinor(s), currency),
      };
    },
  },
};
