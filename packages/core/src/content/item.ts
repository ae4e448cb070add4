import { stripKeys } from "../db/keys.js";
import { contentKeys } from "./keys.js";
import type { ContentItem, ContentStatus } from "./types.js";

export const contentItem = (c: ContentItem) => ({ ...contentKeys.item(c.tenantId, c.contentId), ...c });
export const fromContentItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as ContentItem;

/**
 * The status readers see: a SCHEDULED item whose publish time has passed is PUBLISHED (as of
 * that time) even before the publisher job has flipped it, and never before.
 */
export function effective(c: ContentItem, now = new Date()): ContentItem {
  if (c.status === "SCHEDULED" && c.publishAt && Date.parse(c.publishAt) <= now.getTime()) {
    return { ...c, status: "PUBLISHED" as ContentStatus, publishedAt: c.publishAt };
  }
  return c;
}
