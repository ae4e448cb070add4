import type { PointsBoost } from "@growth/core/multiplier";
import type { Order } from "@growth/core/order";
import type { Context } from "../context.js";
import type { Resolvers } from "./base.js";
import { campaignById } from "./campaign.js";

/** Points multiplier fields on orders (no root fields: the multiplier acts inside recordOrder). */
export const multiplierResolvers: Resolvers = {
  Order: {
    pointsBoost: (o: Order) => o.pointsBoost ?? null,
  },
  OrderPointsBoost: {
    campaign: (b: PointsBoost, _: unknown, ctx: Context) => campaignById(ctx).load(b.campaignId),
  },
};
