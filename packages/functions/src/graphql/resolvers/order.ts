import DataLoader from "dataloader";
import * as Orders from "@growth/core/order";
import { getSettings } from "@growth/core/tenant";
import { defineLoader, type Context } from "../context.js";
import { definePermissions, OPERATE, READ } from "../permissions.js";
import { money, type Resolvers } from "./base.js";
import { memberById } from "./member.js";
import { storeById } from "./store.js";

type O = Orders.Order;

definePermissions({
  "Query.order": { roles: READ, doc: "Read an order by id." },
  "Mutation.recordOrder": { roles: OPERATE, doc: "Record an online or offline order (idempotent by id)." },
  "Mutation.recordRefund": { roles: OPERATE, doc: "Record a refund of an order (idempotent by id)." },
});

export const orderById = defineLoader("order.byId", (tenantId) =>
  new DataLoader<string, O | null>(async (ids) => (await Orders.getOrders(tenantId, ids)).map((o) => o ?? null), { maxBatchSize: 100 }),
);

const currency = async (ctx: Context) => (await getSettings(ctx.tenantId)).currency;
const by = (ctx: Context) => ({ actor: ctx.principal.principalId });

export const orderResolvers: Resolvers = {
  Query: {
    order: (_: unknown, { id }: { id: string }, ctx: Context) => orderById(ctx).load(id),
  },
  Mutation: {
    recordOrder: async (_: unknown, { input }: { input: Omit<Orders.OrderInput, "orderId"> & { id: string } }, ctx: Context) => {
      const { id, ...rest } = input;
      return Orders.recordOrder(ctx.tenantId, { ...rest, orderId: id }, by(ctx));
    },
    recordRefund: async (_: unknown, { input }: { input: Omit<Orders.RefundInput, "refundId"> & { id: string } }, ctx: Context) => {
      const { id, ...rest } = input;
      return Orders.recordRefund(ctx.tenantId, { ...rest, refundId: id }, by(ctx));
    },
  },
  Order: {
    id: (o: O) => o.orderId,
    member: (o: O, _: unknown, ctx: Context) => memberById(ctx).load(o.memberId),
    store: (o: O, _: unknown, ctx: Context) => (o.storeId ? storeById(ctx).load(o.storeId) : null),
    amount: (o: O) => money(o.amountMinor, o.currency),
    refunded: (o: O) => money(o.refundedMinor, o.currency),
    netAmount: (o: O) => money(o.amountMinor - o.refundedMinor, o.currency),
    items: (o: O) => (o.items ?? []).map((line) => ({ ...line, currency: o.currency })),
    pointsReversed: (o: O) => o.pointsReversed ?? 0,
    refunds: (o: O, _: unknown, ctx: Context) => (o.refundedMinor > 0 ? Orders.listRefunds(ctx.tenantId, o.orderId) : []),
  },
  OrderLine: {
    unitPrice: (l: Orders.OrderLine & { currency: string }) => money(l.unitPriceMinor, l.currency),
  },
  Refund: {
    id: (r: Orders.Refund) => r.refundId,
    amount: async (r: Orders.Refund, _: unknown, ctx: Context) => money(r.amountMinor, await currency(ctx)),
  },
};
