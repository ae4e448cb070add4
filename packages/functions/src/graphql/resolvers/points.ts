import { getMember, type Member } from "@growth/core/member";
import { movePoints, type PointsEntry, type PointsMoveInput } from "@growth/core/points";
import { ValidationError } from "@growth/core/shared";
import type { Context } from "../context.js";
import { ADMIN_ONLY, definePermissions, OPERATE } from "../permissions.js";
import type { Resolvers } from "./base.js";
import { toConnection, type PageArgs } from "./connection.js";
import { memberLedgerPage, pageKey } from "./member.js";

definePermissions({
  "Mutation.redeemPoints": { roles: OPERATE, doc: "Spend a member's points." },
  "Mutation.adjustPoints": { roles: ADMIN_ONLY, doc: "Correct a member's points balance." },
  "Mutation.expirePoints": { roles: ADMIN_ONLY, doc: "Expire a member's points." },
});

async function move(ctx: Context, kind: Parameters<typeof movePoints>[1], input: PointsMoveInput) {
  const { entry, duplicate } = await movePoints(ctx.tenantId, kind, input, ctx.principal.principalId);
  return { entry, duplicate, member: await getMember(ctx.tenantId, input.memberId, true) };
}

export const pointsResolvers: Resolvers = {
  Mutation: {
    redeemPoints: (_: unknown, { input }: { input: PointsMoveInput }, ctx: Context) => move(ctx, "REDEEM", input),
    expirePoints: (_: unknown, { input }: { input: PointsMoveInput }, ctx: Context) => move(ctx, "EXPIRE", input),
    adjustPoints: (_: unknown, { input }: { input: PointsMoveInput }, ctx: Context) => {
      if (input.points === 0) throw new ValidationError("points must not be zero", "points");
      return move(ctx, input.points > 0 ? "ADJUST_UP" : "ADJUST_DOWN", { ...input, points: Math.abs(input.points) });
    },
  },
  PointsAccount: {
    balance: (m: Member) => m.pointsBalance,
    ledger: async (m: Member, a: PageArgs, ctx: Context) => toConnection(await memberLedgerPage(ctx).load(pageKey(m.memberId, a))),
  },
  PointsEntry: {
    id: (e: PointsEntry) => e.entryId,
  },
};
