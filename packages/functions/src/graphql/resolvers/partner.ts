import DataLoader from "dataloader";
import { funnelOf, getCampaignCounters, returnsOf, type CampaignCounters } from "@growth/core/campaign/results";
import type { Campaign } from "@growth/core/campaign";
import * as Partners from "@growth/core/partner";
import { DomainError, NotFoundError, ValidationError } from "@growth/core/shared";
import { getSettings } from "@growth/core/tenant";
import { defineLoader, type Context } from "../context.js";
import { ADMIN_ONLY, definePermissions, OPERATE, READ } from "../permissions.js";
import { money, type Resolvers } from "./base.js";
import { campaignById } from "./campaign.js";
import { toConnection, type PageArgs } from "./connection.js";

definePermissions({
  "Query.partners": { roles: READ, doc: "List partner brands." },
  "Query.partner": { roles: READ, doc: "Read a partner brand with its keys (hashes only) and campaigns." },
  "Query.jointCampaigns": { roles: ADMIN_ONLY, partner: true, doc: "Partner view: its joint campaigns (administrators preview a partner's view)." },
  "Query.jointCampaign": { roles: ADMIN_ONLY, partner: true, doc: "Partner view: one joint campaign's aggregate results, small groups suppressed." },
  "Mutation.redeemJointCoupon": { roles: ADMIN_ONLY, partner: true, doc: "Partner view: redeem a co-branded coupon at the partner's store." },
  "Mutation.recordJointReferral": { roles: ADMIN_ONLY, partner: true, doc: "Partner view: record that a member the partner referred joined, by their invite code." },
  "Mutation.createPartner": { roles: ADMIN_ONLY, doc: "Create a partner brand." },
  "Mutation.setPartnerStatus": { roles: ADMIN_ONLY, doc: "Suspend or reactivate a partner brand." },
  "Mutation.createPartnerKey": { roles: ADMIN_ONLY, doc: "Create a partner API key (shown once)." },
  "Mutation.revokePartnerKey": { roles: ADMIN_ONLY, doc: "Revoke a partner API key." },
  "Mutation.invitePartnerToCampaign": { roles: OPERATE, doc: "Invite a partner brand to a campaign." },
  "Mutation.removePartnerFromCampaign": { roles: OPERATE, doc: "Remove a partner brand from a campaign." },
});

const by = (ctx: Context) => ({ actor: ctx.principal.principalId });

/** Whose partner view: a partner's own, always; a brand administrator names the partner to preview. */
function viewOf(ctx: Context, partnerId: string | null | undefined): string {
  const p = ctx.principal;
  if (p.kind === "PARTNER") {
    if (partnerId && partnerId !== p.partnerId) throw new DomainError("FORBIDDEN", "A partner key sees only its own partner view");
    return p.partnerId;
  }
  if (!partnerId) throw new ValidationError("partnerId is required to preview a partner's view", "partnerId");
  return partnerId;
}

/** Partner-visible counters: only members who consented to partner sharing. */
/** The viewing partner's own referral counts per joint campaign (keys `<partner>|<campaign>`). */
const partnerReferralsById = defineLoader(
  "partner.referrals",
  (tenantId) =>
    new DataLoader<string, { joined: number; converted: number }>(async (ids) => {
      const pairs = ids.map((id) => id.split("|") as [string, string]);
      const byPartner = new Map<string, string[]>();
      for (const [p, c] of pairs) byPartner.set(p, [...(byPartner.get(p) ?? []), c]);
      const found = new Map<string, { joined: number; converted: number }>();
      await Promise.all([...byPartner].map(async ([p, cs]) => (await Partners.partnerReferralCounts(tenantId, p, cs)).forEach((n, i) => found.set(`${p}|${cs[i]}`, n))));
      return ids.map((id) => found.get(id)!);
    }),
);

const countersById = defineLoader("partner.counters", (tenantId) => new DataLoader<string, CampaignCounters>((ids) => getCampaignCounters(tenantId, ids, { sharedOnly: true }), { maxBatchSize: 25 }));

/** A joint campaign in the partner's shape: no segment, content, config or member in it. */
const partnerCampaign = (c: Campaign, viewer: string) => ({ id: c.campaignId, name: c.name, type: c.type, status: c.status, startAt: c.startAt ?? null, endAt: c.endAt ?? null, campaignId: c.campaignId, viewer });

export const partnerResolvers: Resolvers = {
  Query: {
    partners: async (_: unknown, args: PageArgs, ctx: Context) => toConnection(await Partners.listPartners(ctx.tenantId, args)),
    partner: async (_: unknown, { id }: { id: string }, ctx: Context) => (await Partners.findPartner(ctx.tenantId, id)) ?? null,
    jointCampaigns: async (_: unknown, { partnerId }: { partnerId?: string | null }, ctx: Context) => {
      const viewer = viewOf(ctx, partnerId);
      return (await Partners.listJointCampaigns(ctx.tenantId, viewer)).map((c) => partnerCampaign(c, viewer));
    },
    jointCampaign: async (_: unknown, { id, partnerId }: { id: string; partnerId?: string | null }, ctx: Context) => {
      try {
        const viewer = viewOf(ctx, partnerId);
        return partnerCampaign(await Partners.getJointCampaign(ctx.tenantId, viewer, id), viewer);
      } catch (error) {
        if (error instanceof NotFoundError) return null; // the same answer for any campaign it may not see
        throw error;
      }
    },
  },
  Mutation: {
    redeemJointCoupon: async (_: unknown, { input }: { input: Partners.JointRedemptionInput & { partnerId?: string | null } }, ctx: Context) => {
      const { partnerId, ...sale } = input;
      const r = await Partners.redeemJointCoupon(ctx.tenantId, viewOf(ctx, partnerId), sale);
      return { ...r, discount: money(r.discountMinor, (await getSettings(ctx.tenantId)).currency), redeemedAt: r.redeemedAt ?? null };
    },
    recordJointReferral: async (_: unknown, { input }: { input: { code: string; partnerId?: string | null } }, ctx: Context) =>
      Partners.recordJointReferral(ctx.tenantId, viewOf(ctx, input.partnerId), { code: input.code }),
    createPartner: async (_: unknown, { input }: { input: Partners.CreatePartnerInput }, ctx: Context) => ({ partner: await Partners.createPartner(ctx.tenantId, input, by(ctx)) }),
    setPartnerStatus: async (_: unknown, { input }: { input: { id: string; status: "ACTIVE" | "SUSPENDED" } }, ctx: Context) => ({
      partner: await Partners.setPartnerStatus(ctx.tenantId, input.id, input.status, by(ctx)),
    }),
    createPartnerKey: async (_: unknown, { input }: { input: { partnerId: string } }, ctx: Context) => Partners.createPartnerKey(ctx.tenantId, input.partnerId, by(ctx)),
    revokePartnerKey: async (_: unknown, { input }: { input: { keyId: string } }, ctx: Context) => ({ apiKey: await Partners.revokePartnerKey(ctx.tenantId, input.keyId, by(ctx)) }),
    invitePartnerToCampaign: async (_: unknown, { input }: { input: { campaignId: string; partnerId: string } }, ctx: Context) => {
      const campaign = await Partners.invitePartnerToCampaign(ctx.tenantId, input.campaignId, input.partnerId);
      campaignById(ctx).clear(campaign.campaignId).prime(campaign.campaignId, campaign);
      return { campaign };
    },
    removePartnerFromCampaign: async (_: unknown, { input }: { input: { campaignId: string; partnerId: string } }, ctx: Context) => {
      const campaign = await Partners.removePartnerFromCampaign(ctx.tenantId, input.campaignId, input.partnerId);
      campaignById(ctx).clear(campaign.campaignId).prime(campaign.campaignId, campaign);
      return { campaign };
    },
  },
  Partner: {
    id: (p: Partners.Partner) => p.partnerId,
    apiKeys: (p: Partners.Partner, _: unknown, ctx: Context) => Partners.listPartnerKeys(ctx.tenantId, p.partnerId),
    campaigns: (p: Partners.Partner, _: unknown, ctx: Context) => Partners.listJointCampaigns(ctx.tenantId, p.partnerId),
  },
  PartnerApiKey: {
    id: (k: Partners.PartnerApiKey) => k.keyId,
  },
  PartnerCampaign: {
    results: async (c: { campaignId: string; viewer: string }, _: unknown, ctx: Context) => {
      const [counters, referrals] = await Promise.all([countersById(ctx).load(c.campaignId), partnerReferralsById(ctx).load(`${c.viewer}|${c.campaignId}`)]);
      const min = Partners.DEFAULT_MIN_GROUP_SIZE;
      const funnel = funnelOf(counters);
      const orders = Partners.suppress(counters.orders, min);
      return {
        minGroupSize: min,
        funnel: funnel.map((s, i) => ({ step: s.step, members: Partners.suppress(s.members, min), rate: i > 0 ? Partners.suppressedRate(s.members, funnel[i - 1]!.members, min) : null })),
        orders,
        newCustomers: Partners.suppress(counters.newCustomers, min),
        attributedRevenue: orders.suppressed ? null : money(returnsOf(counters).netRevenueMinor, (await getSettings(ctx.tenantId)).currency),
        referrals: { joined: Partners.suppress(referrals.joined, min), converted: Partners.suppress(referrals.converted, min) },
        updatedAt: counters.updatedAt ?? null,
      };
    },
  },
};
