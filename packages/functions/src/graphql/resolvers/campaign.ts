import DataLoader from "dataloader";
import * as Campaigns from "@growth/core/campaign";
import { getSettings } from "@growth/core/tenant";
import { defineLoader, type Context } from "../context.js";
import { definePermissions, OPERATE, READ } from "../permissions.js";
import { money, type Resolvers } from "./base.js";
import { toConnection, type PageArgs } from "./connection.js";
import { selectedArgs } from "./lookahead.js";
import type { GraphQLResolveInfo } from "graphql";
import { funnelOf, getCampaignCounters, getCampaignWithCounters, returnsOf, RESULT_SHARDS, type CampaignCounters } from "@growth/core/campaign/results";
import { contentById } from "./content.js";
import { segmentById } from "./segment.js";
import { storeById } from "./store.js";

type C = Campaigns.Campaign;

definePermissions({
  "Query.campaign": { roles: READ, doc: "Read a campaign." },
  "Query.campaigns": { roles: READ, doc: "List campaigns by status and type." },
  "Mutation.createCampaign": { roles: OPERATE, doc: "Create a campaign as a draft." },
  "Mutation.updateCampaign": { roles: OPERATE, doc: "Change a campaign (its definition is fixed once it has started)." },
  "Mutation.changeCampaignStatus": { roles: OPERATE, doc: "Schedule, start, pause, resume or end a campaign." },
});

/** Campaigns by id for the request (BatchGetItem), the schedule applied; unknown ids load null. */
export const campaignById = defineLoader(
  "campaign.byId",
  (tenantId) => new DataLoader<string, C | null>(async (ids) => (await Campaigns.getCampaigns(tenantId, ids)).map((c) => c ?? null), { maxBatchSize: 100 }),
);

/** Result counters of many campaigns: one BatchGetItem over their shards. */
const countersById = defineLoader(
  "campaign.counters",
  (tenantId) => new DataLoader<string, CampaignCounters>((ids) => getCampaignCounters(tenantId, ids), { maxBatchSize: Math.floor(100 / RESULT_SHARDS) }),
);

const by = (ctx: Context) => ({ actor: ctx.principal.principalId });

const payload = (ctx: Context, campaign: C) => {
  campaignById(ctx).clear(campaign.campaignId).prime(campaign.campaignId, campaign);
  return { campaign };
};

export const campaignResolvers: Resolvers = {
  Query: {
    campaign: async (_: unknown, { id }: { id: string }, ctx: Context, info: GraphQLResolveInfo) => {
      // A campaign screen asks for the results too: the item and its counter shards share one
      // partition and their keys come from the id, so one BatchGetItem reads both.
      if (!selectedArgs(info, ["results"])) return campaignById(ctx).load(id);
      const { campaign, counters } = await getCampaignWithCounters(ctx.tenantId, id);
      countersById(ctx).prime(id, counters);
      campaignById(ctx).prime(id, campaign ?? null);
      return campaign ?? null;
    },
    campaigns: async (_: unknown, args: PageArgs & { filter?: Campaigns.CampaignFilter | null }, ctx: Context) => {
      const page = await Campaigns.listCampaigns(ctx.tenantId, args.filter, args);
      for (const c of page.items) campaignById(ctx).prime(c.campaignId, c);
      return toConnection(page);
    },
  },
  Mutation: {
    createCampaign: async (_: unknown, { input }: { input: Campaigns.CreateCampaignInput }, ctx: Context) => payload(ctx, await Campaigns.createCampaign(ctx.tenantId, input, by(ctx))),
    updateCampaign: async (_: unknown, { input }: { input: Campaigns.UpdateCampaignInput & { id: string } }, ctx: Context) => {
      const { id, ...changes } = input;
      return payload(ctx, await Campaigns.updateCampaign(ctx.tenantId, id, changes));
    },
    changeCampaignStatus: async (_: unknown, { input }: { input: { id: string; status: string } }, ctx: Context) =>
      payload(ctx, await Campaigns.changeCampaignStatus(ctx.tenantId, input.id, input.status)),
  },
  Campaign: {
    id: (c: C) => c.campaignId,
    targetSegment: (c: C, _: unknown, ctx: Context) => (c.targetSegmentId ? segmentById(ctx).load(c.targetSegmentId) : null),
    contents: async (c: C, _: unknown, ctx: Context) => (await Promise.all(c.contentIds.map((id) => contentById(ctx).load(id)))).filter(Boolean),
    budget: async (c: C, _: unknown, ctx: Context) => (c.budgetMinor !== undefined ? money(c.budgetMinor, (await getSettings(ctx.tenantId)).currency) : null),
    pointsMultiplier: (c: C) => c.config.pointsMultiplier ?? null,
    referral: (c: C) => (c.config.referral ? { ...c.config.referral, ladder: c.config.referral.ladder ?? [] } : null),
    journey: (c: C) => c.config.journey ?? null,
    memberEvent: (c: C) => c.config.memberEvent ?? null,
    results: (c: C, _: unknown, ctx: Context) => countersById(ctx).load(c.campaignId),
  },
  CampaignResults: {
    funnel: (r: CampaignCounters) => funnelOf(r),
    attributedRevenue: async (r: CampaignCounters, _: unknown, ctx: Context) => money(returnsOf(r).netRevenueMinor, (await getSettings(ctx.tenantId)).currency),
    cost: async (r: CampaignCounters, _: unknown, ctx: Context) => money(r.costMinor, (await getSettings(ctx.tenantId)).currency),
    roi: (r: CampaignCounters) => returnsOf(r).roi,
    cac: async (r: CampaignCounters, _: unknown, ctx: Context) => {
      const cac = returnsOf(r).cacMinor;
      return cac === null ? null : money(cac, (await getSettings(ctx.tenantId)).currency);
    },
  },
  JourneyConfig: {
    content: (j: Campaigns.JourneyConfig, _: unknown, ctx: Context) => contentById(ctx).load(j.contentId),
  },
  MemberEventConfig: {
    store: (e: Campaigns.MemberEventConfig, _: unknown, ctx: Context) => (e.storeId ? storeById(ctx).load(e.storeId) : null),
  },
};
