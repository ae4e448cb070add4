import { batchGet } from "../../db/batch.js";
import { CLIENT_ID_PATTERN } from "../../shared/ids.js";
import { RESULT_COUNTERS, sharedName, SHARED_COUNTERS, type ResultCounter } from "./counters.js";
import { RESULT_SHARDS, resultKeys } from "./keys.js";
import { effectiveCampaign, fromCampaignItem } from "../item.js";
import { CAMPAIGN_SK, campaignKeys } from "../keys.js";
import type { Campaign } from "../types.js";

export type CampaignCounters = Record<ResultCounter, number> & { campaignId: string; updatedAt?: string };

const empty = (campaignId: string): CampaignCounters => ({ campaignId, ...(Object.fromEntries(RESULT_COUNTERS.map((c) => [c, 0])) as Record<ResultCounter, number>) });

/**
 * The counters of many campaigns: one BatchGetItem over their shards (100 keys a call). With
 * `sharedOnly`, the partner-visible twins: only members who consented to partner sharing (and no
 * cost, which is the brand's).
 */
export async function getCampaignCounters(tenantId: string, campaignIds: readonly string[], options: { sharedOnly?: boolean } = {}): Promise<CampaignCounters[]> {
  const valid = campaignIds.filter((id) => CLIENT_ID_PATTERN.test(id));
  const shards = await batchGet<Record<string, unknown>>(valid.flatMap((id) => Array.from({ length: RESULT_SHARDS }, (_, s) => resultKeys.stats(tenantId, id, s))));
  return sumShards(campaignIds, shards, options);
}

function sumShards(campaignIds: readonly string[], shards: Record<string, unknown>[], options: { sharedOnly?: boolean }): CampaignCounters[] {
  const byId = new Map<string, CampaignCounters>();
  for (const s of shards) {
    const id = s.campaignId as string;
    const c = byId.get(id) ?? empty(id);
    if (options.sharedOnly) for (const k of SHARED_COUNTERS) c[k] += Number(s[sharedName(k)] ?? 0);
    else for (const k of RESULT_COUNTERS) c[k] += Number(s[k] ?? 0);
    if (typeof s.updatedAt === "string" && (!c.updatedAt || s.updatedAt > c.updatedAt)) c.updatedAt = s.updatedAt;
    byId.set(id, c);
  }
  return campaignIds.map((id) => byId.get(id) ?? empty(id));
}

export interface FunnelStep {
  step: "EXPOSURE" | "INTEREST" | "ADD_TO_CART" | "ORDER" | "REPURCHASE" | "REFERRAL";
  members: number;
  /** members ÷ the previous step's members (null for the first step or after an empty step). */
  rate: number | null;
}

/** The funnel exposure → interest → add-to-cart → order → repurchase → referral, distinct members. */
export function funnelOf(c: CampaignCounters): FunnelStep[] {
  const counts: [FunnelStep["step"], number][] = [
    ["EXPOSURE", c.exposedMembers],
    ["INTEREST", c.interestedMembers],
    ["ADD_TO_CART", c.cartMembers],
    ["ORDER", c.orderingMembers],
    ["REPURCHASE", c.repeatMembers],
    ["REFERRAL", c.referredMembers],
  ];
  return counts.map(([step, members], i) => {
    const previous = i > 0 ? counts[i - 1]![1] : 0;
    return { step, members, rate: i > 0 && previous > 0 ? members / previous : null };
  });
}

/** ROI = (attributed net revenue − cost) ÷ cost; CAC = cost ÷ new customers. Null without cost (or customers). */
export function returnsOf(c: CampaignCounters): { netRevenueMinor: number; roi: number | null; cacMinor: number | null } {
  const net = c.revenueMinor - c.refundedMinor;
  return {
    netRevenueMinor: net,
    roi: c.costMinor > 0 ? (net - c.costMinor) / c.costMinor : null,
    cacMinor: c.costMinor > 0 && c.newCustomers > 0 ? Math.round(c.costMinor / c.newCustomers) : null,
  };
}

/**
 * A campaign and its result counters in one BatchGetItem: the item and its counter shards share
 * the campaign's partition, and their keys are known from the id (a campaign screen's one round
 * trip). Undefined campaign when unknown; the schedule applied as `getCampaigns` does.
 */
export async function getCampaignWithCounters(tenantId: string, campaignId: string, now = new Date()): Promise<{ campaign?: Campaign; counters: CampaignCounters }> {
  if (!CLIENT_ID_PATTERN.test(campaignId)) return { counters: empty(campaignId) };
  const items = await batchGet<Record<string, unknown>>([campaignKeys.item(tenantId, campaignId), ...Array.from({ length: RESULT_SHARDS }, (_, s) => resultKeys.stats(tenantId, campaignId, s))]);
  const item = items.find((i) => i.sk === CAMPAIGN_SK);
  const shards = items.filter((i) => i !== item);
  return { campaign: item ? effectiveCampaign(fromCampaignItem(item), now) : undefined, counters: sumShards([campaignId], shards, {})[0]! };
}
