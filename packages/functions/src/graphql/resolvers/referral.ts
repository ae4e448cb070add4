import * as Referrals from "@growth/core/referral";
import type { Campaign } from "@growth/core/campaign";
import type { Member } from "@growth/core/member";
import type { Context } from "../context.js";
import { definePermissions, OPERATE, READ } from "../permissions.js";
import type { Resolvers } from "./base.js";
import { campaignById } from "./campaign.js";
import { toConnection, type PageArgs } from "./connection.js";
import { memberById } from "./member.js";
import { dateText } from "./metrics.js";

definePermissions({
  "Query.inviteByCode": { roles: READ, doc: "Look up the member and campaign an invite code stands for." },
  "Query.referralsOf": { roles: READ, doc: "List the referrals a member made." },
  "Mutation.inviteCode": { roles: OPERATE, doc: "Get (create once) a member's invite code in a referral campaign." },
  "Mutation.recordReferral": { roles: OPERATE, doc: "Record that an invitee joined with an invite code." },
});

type R = Referrals.Referral;
type I = Referrals.InviteCode;

export const referralResolvers: Resolvers = {
  Query: {
    inviteByCode: async (_: unknown, { code }: { code: string }, ctx: Context) => (await Referrals.findInviteCode(ctx.tenantId, code)) ?? null,
    referralsOf: async (_: unknown, a: PageArgs & { memberId: string; campaignId?: string | null }, ctx: Context) =>
      toConnection(await Referrals.listReferralsOf(ctx.tenantId, a.memberId, a.campaignId, a)),
  },
  Mutation: {
    inviteCode: async (_: unknown, a: { campaignId: string; memberId: string }, ctx: Context) => {
      const { invite, created } = await Referrals.inviteCode(ctx.tenantId, a.campaignId, a.memberId);
      return { inviteCode: invite, created };
    },
    recordReferral: (_: unknown, { input }: { input: Referrals.RecordReferralInput }, ctx: Context) => Referrals.recordReferral(ctx.tenantId, input),
  },
  InviteCode: {
    campaign: (i: I, _: unknown, ctx: Context) => campaignById(ctx).load(i.campaignId),
    member: (i: I, _: unknown, ctx: Context) => memberById(ctx).load(i.memberId),
  },
  Referral: {
    campaign: (r: R, _: unknown, ctx: Context) => campaignById(ctx).load(r.campaignId),
    referrer: (r: R, _: unknown, ctx: Context) => (r.referrerId ? memberById(ctx).load(r.referrerId) : null),
    invitee: (r: R, _: unknown, ctx: Context) => memberById(ctx).load(r.inviteeId),
  },
  Campaign: {
    referralStats: (c: Campaign, a: { range: { from: Date | string; to: Date | string } }, ctx: Context) =>
      c.type === "REFERRAL" ? Referrals.referralStats(ctx.tenantId, c.campaignId, { from: dateText(a.range.from)!, to: dateText(a.range.to)! }) : null,
  },
  Member: {
    referral: async (m: Member, _: unknown, ctx: Context) => (await Referrals.findReferral(ctx.tenantId, m.memberId)) ?? null,
  },
};
