import DataLoader from "dataloader";
import * as Coupons from "@growth/core/coupon";
import { getSettings } from "@growth/core/tenant";
import { defineLoader, type Context } from "../context.js";
import { definePermissions, OPERATE, READ } from "../permissions.js";
import { money, type Resolvers } from "./base.js";
import { campaignById } from "./campaign.js";
import { toConnection, type PageArgs } from "./connection.js";
import { memberById } from "./member.js";
import { orderById } from "./order.js";
import { storeById } from "./store.js";

type D = Coupons.CouponDefinition;
type C = Coupons.Coupon;

definePermissions({
  "Query.couponDefinition": { roles: READ, doc: "Read a coupon definition with its counters." },
  "Query.couponDefinitions": { roles: READ, doc: "List a campaign's coupon definitions." },
  "Query.coupon": { roles: READ, doc: "Look a coupon up by its code." },
  "Mutation.createCouponDefinition": { roles: OPERATE, doc: "Add a coupon definition to a campaign." },
  "Mutation.updateCouponDefinition": { roles: OPERATE, doc: "Change a coupon definition before its first coupon is issued." },
  "Mutation.issueCoupons": { roles: OPERATE, doc: "Issue coupons to the campaign's target segment (up to 20,000 members; rerun-safe)." },
  "Mutation.claimCoupon": { roles: OPERATE, doc: "Claim a coupon for a member (mini program backend; idempotent by request id)." },
  "Mutation.redeemCoupon": { roles: OPERATE, doc: "Redeem a coupon on an order, once (POS, online checkout)." },
});

/** Definitions by id for the request (BatchGetItem); unknown ids load null. */
export const couponDefinitionById = defineLoader(
  "coupon.definitionById",
  (tenantId) => new DataLoader<string, D | null>(async (ids) => (await Coupons.getCouponDefinitions(tenantId, ids)).map((d) => d ?? null), { maxBatchSize: 100 }),
);

/** Coupons by code for the request (BatchGetItem); unknown or malformed codes load null. */
export const couponByCode = defineLoader(
  "coupon.byCode",
  (tenantId) => new DataLoader<string, C | null>(async (codes) => (await Coupons.getCoupons(tenantId, codes)).map((c) => c ?? null), { maxBatchSize: 100 }),
);

/** A campaign's definitions, read once per request (Campaign.couponDefinitions and couponStats share it). */
const definitionsOfCampaign = defineLoader(
  "coupon.definitionsOfCampaign",
  (tenantId) => new DataLoader<string, D[]>((campaignIds) => Promise.all(campaignIds.map((id) => Coupons.listCouponDefinitions(tenantId, id)))),
);

const currency = async (ctx: Context) => (await getSettings(ctx.tenantId)).currency;
const moneyOf = async (minor: number | undefined, ctx: Context) => (minor === undefined ? null : money(minor, await currency(ctx)));
const by = (ctx: Context) => ({ actor: ctx.principal.principalId });

const definitionPayload = (ctx: Context, definition: D) => {
  couponDefinitionById(ctx).clear(definition.definitionId).prime(definition.definitionId, definition);
  definitionsOfCampaign(ctx).clear(definition.campaignId);
  return { definition };
};

/** Fields a coupon and its definition share. */
const terms = {
  amountOff: (x: D | C, _: unknown, ctx: Context) => moneyOf(x.amountOffMinor, ctx),
  percentOff: (x: D | C) => x.percentOff ?? null,
  minimumSpend: (x: D | C, _: unknown, ctx: Context) => moneyOf(x.minimumSpendMinor, ctx),
  campaign: (x: D | C, _: unknown, ctx: Context) => campaignById(ctx).load(x.campaignId),
};

export const couponResolvers: Resolvers = {
  Query: {
    couponDefinition: (_: unknown, { id }: { id: string }, ctx: Context) => couponDefinitionById(ctx).load(id),
    couponDefinitions: (_: unknown, { campaignId }: { campaignId: string }, ctx: Context) => definitionsOfCampaign(ctx).load(campaignId),
    coupon: (_: unknown, { code }: { code: string }, ctx: Context) => couponByCode(ctx).load(code),
  },
  Mutation: {
    createCouponDefinition: async (_: unknown, { input }: { input: Coupons.CreateDefinitionInput }, ctx: Context) =>
      definitionPayload(ctx, await Coupons.createCouponDefinition(ctx.tenantId, input, by(ctx))),
    updateCouponDefinition: async (_: unknown, { input }: { input: Coupons.UpdateDefinitionInput & { id: string } }, ctx: Context) => {
      const { id, ...changes } = input;
      return definitionPayload(ctx, await Coupons.updateCouponDefinition(ctx.tenantId, id, changes));
    },
    issueCoupons: async (_: unknown, { input }: { input: { definitionId: string } }, ctx: Context) => {
      const result = await Coupons.issueCouponsToSegment(ctx.tenantId, input.definitionId, { maxMembers: Coupons.ISSUE_SYNC_MAX_MEMBERS });
      const { definition } = definitionPayload(ctx, await Coupons.getCouponDefinition(ctx.tenantId, input.definitionId, true));
      return { ...result, definition };
    },
    claimCoupon: (_: unknown, { input }: { input: Coupons.ClaimInput }, ctx: Context) => Coupons.claimCoupon(ctx.tenantId, input),
    redeemCoupon: async (_: unknown, { input }: { input: Coupons.RedeemInput }, ctx: Context) => {
      const r = await Coupons.redeemCoupon(ctx.tenantId, input);
      orderById(ctx).clear(r.order.orderId).prime(r.order.orderId, r.order);
      return { coupon: r.coupon, order: r.order, discount: money(r.discountMinor, await currency(ctx)), duplicate: r.duplicate };
    },
  },
  CouponDefinition: {
    ...terms,
    id: (d: D) => d.definitionId,
    stores: async (d: D, _: unknown, ctx: Context) => (await Promise.all(d.storeIds.map((id) => storeById(ctx).load(id)))).filter(Boolean),
    remaining: (d: D) => Math.max(0, d.totalQuantity - d.issued),
    discount: (d: D, _: unknown, ctx: Context) => moneyOf(d.discountMinor, ctx),
  },
  Coupon: {
    ...terms,
    definition: (c: C, _: unknown, ctx: Context) => couponDefinitionById(ctx).load(c.definitionId),
    member: (c: C, _: unknown, ctx: Context) => memberById(ctx).load(c.memberId),
    status: (c: C) => Coupons.couponStatus(c),
    order: (c: C, _: unknown, ctx: Context) => (c.orderId ? orderById(ctx).load(c.orderId) : null),
    redeemedVia: (c: C) => c.redeemedVia ?? null,
    discount: (c: C, _: unknown, ctx: Context) => moneyOf(c.discountMinor, ctx),
  },
  Campaign: {
    couponDefinitions: (c: { campaignId: string }, _: unknown, ctx: Context) => definitionsOfCampaign(ctx).load(c.campaignId),
    couponStats: async (c: { campaignId: string }, _: unknown, ctx: Context) => {
      const s = Coupons.sumCouponStats(await definitionsOfCampaign(ctx).load(c.campaignId));
      return { ...s, discount: money(s.discountMinor, await currency(ctx)) };
    },
  },
  Member: {
    coupons: async (m: { memberId: string }, args: PageArgs, ctx: Context) => {
      const page = await Coupons.listMemberCoupons(ctx.tenantId, m.memberId, args);
      for (const c of page.items) couponByCode(ctx).prime(c.code, c);
      return toConnection(page);
    },
  },
  Order: {
    coupon: (o: { couponCode?: string }, _: unknown, ctx: Context) => (o.couponCode ? couponByCode(ctx).load(o.couponCode) : null),
  },
};
