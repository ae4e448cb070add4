import { CAMPAIGN_SK, campaignKeys } from "../campaign/keys.js";
import { fromCampaignItem, isRunning } from "../campaign/item.js";
import type { Campaign } from "../campaign/types.js";
import { findContent } from "../content/store.js";
import { effective } from "../content/item.js";
import { queryAll } from "../db/query.js";
import { getSegment } from "../segment/store.js";
import type { TouchContent } from "./types.js";

/**
 * The JOURNEY campaigns running at `at`, oldest first. Reads the stored RUNNING and SCHEDULED
 * lists (a scheduled campaign runs from its start even before the lifecycle task flips it) and
 * keeps those `isRunning` at `at`: paused, ended and not yet started ones never act.
 */
export async function runningJourneys(tenantId: string, at: Date): Promise<Campaign[]> {
  const lists = await Promise.all(["RUNNING", "SCHEDULED"].map((s) => queryAll<Record<string, unknown>>({ index: "gsi1", pk: campaignKeys.byStatus(tenantId, s) })));
  return lists
    .flat()
    .filter((i) => i.sk === CAMPAIGN_SK)
    .map(fromCampaignItem)
    .filter((c) => c.type === "JOURNEY" && c.config.journey && isRunning(c, at))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.campaignId.localeCompare(b.campaignId));
}

export interface JourneySetup {
  content?: TouchContent;
  /** Why the campaign sends nothing this run. */
  skipped?: string;
  segment?: { segmentId: string; version: number };
}

/** What a campaign's touches need, read once per run: its content (published) and segment version. */
export async function journeySetup(tenantId: string, campaign: Campaign, at: Date): Promise<JourneySetup> {
  const journey = campaign.config.journey!;
  const found = await findContent(tenantId, journey.contentId);
  const item = found && effective(found, at);
  // Only published content goes out: a draft or an archived item is not for members' eyes.
  if (!item || item.status !== "PUBLISHED") return { skipped: `content ${journey.contentId} is not published` };
  const content: TouchContent = { contentId: item.contentId, title: item.title, format: item.format, ...(item.body ? { body: item.body } : {}), ...(item.mediaUrl ? { mediaUrl: item.mediaUrl } : {}) };
  if (!campaign.targetSegmentId) return { content };
  const segment = await getSegment(tenantId, campaign.targetSegmentId, true).catch(() => undefined);
  if (!segment || segment.status !== "ACTIVE") return { skipped: `segment ${campaign.targetSegmentId} is not active` };
  if (!segment.currentVersion) return { skipped: `segment ${campaign.targetSegmentId} has not been materialised` };
  return { content, segment: { segmentId: segment.segmentId, version: segment.currentVersion } };
}
