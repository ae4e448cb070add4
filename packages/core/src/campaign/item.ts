import { stripKeys } from "../db/keys.js";
import { campaignKeys } from "./keys.js";
import type { Campaign } from "./types.js";

export const campaignItem = (c: Campaign) => ({
  ...campaignKeys.item(c.tenantId, c.campaignId),
  gsi1pk: campaignKeys.byStatus(c.tenantId, c.status),
  gsi1sk: campaignKeys.listSort(c.createdAt, c.campaignId),
  gsi2pk: campaignKeys.all(c.tenantId),
  gsi2sk: campaignKeys.listSort(c.createdAt, c.campaignId),
  ...c,
});

export const fromCampaignItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as Campaign;

/**
 * The status as of `now`: a SCHEDULED campaign is RUNNING from its start, and any live one
 * (scheduled, running, paused) is ENDED from its end. The stored status catches up through the
 * `campaign-lifecycle` task; every reader and every rule (coupons, multipliers, journeys) uses
 * this one, so nothing acts on a campaign before its start or after its end.
 */
export function effectiveCampaign(c: Campaign, now = new Date()): Campaign {
  const t = now.getTime();
  if (c.status !== "ENDED" && c.status !== "DRAFT" && c.endAt && Date.parse(c.endAt) <= t) return { ...c, status: "ENDED", endedAt: c.endedAt ?? c.endAt };
  if (c.status === "SCHEDULED" && c.startAt && Date.parse(c.startAt) <= t) return { ...c, status: "RUNNING", startedAt: c.startedAt ?? c.startAt };
  return c;
}

/** Whether the campaign is running at `now` (not paused, inside its schedule). */
export const isRunning = (c: Campaign, now = new Date()) => effectiveCampaign(c, now).status === "RUNNING";
