import { fromCampaignItem } from "../campaign/item.js";
import { campaignKeys } from "../campaign/keys.js";
import type { Campaign } from "../campaign/types.js";
import { queryAll } from "../db/query.js";

/**
 * How long a container keeps a tenant's multiplier campaigns. Every order asks for them, so
 * they are read once a minute, not once per order; the price is staleness: a campaign started,
 * paused or ended by hand in another container is seen up to a minute late (a change written in
 * this container drops its cache: campaign/store.ts writeCampaign). Starts
 * and ends by schedule are exact, since `isRunning(campaign, now)` is applied at each order
 * to the cached (stored RUNNING and SCHEDULED) campaigns.
 */
export const MULTIPLIER_CACHE_MS = 60_000;

const cache = new Map<string, { at: number; campaigns: Campaign[] }>();

/**
 * The tenant's POINTS_MULTIPLIER campaigns that are or will be running: the gsi1 lists of
 * stored status RUNNING and SCHEDULED (small: the lifecycle task moves ended campaigns out),
 * filtered by type in memory. No scan, two Queries a minute per container.
 */
export async function multiplierCampaigns(tenantId: string, nowMs = Date.now()): Promise<Campaign[]> {
  const hit = cache.get(tenantId);
  if (hit && nowMs - hit.at < MULTIPLIER_CACHE_MS) return hit.campaigns;
  const lists = await Promise.all(
    (["RUNNING", "SCHEDULED"] as const).map((status) => queryAll<Record<string, unknown>>({ index: "gsi1", pk: campaignKeys.byStatus(tenantId, status) })),
  );
  const campaigns = lists.flat().map(fromCampaignItem).filter((c) => c.type === "POINTS_MULTIPLIER" && c.config.pointsMultiplier);
  cache.set(tenantId, { at: nowMs, campaigns });
  return campaigns;
}

/** Drops the tenant's cached list in this container (writeCampaign calls it after a multiplier campaign changes). */
export function forgetMultiplierCampaigns(tenantId: string): void {
  cache.delete(tenantId);
}
