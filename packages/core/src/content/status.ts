import * as mv from "../member/validate.js";
import { ConflictError, ValidationError } from "../shared/errors.js";
import { toUtcInstant } from "../shared/text.js";
import { effective } from "./item.js";
import { getStoredContent, writeContent } from "./store.js";
import { CONTENT_STATUSES, TRANSITIONS, type ContentItem, type ContentStatus } from "./types.js";
import { assertPublishable } from "./validate.js";

export interface StatusChange {
  status: string;
  /** When a SCHEDULED item goes live (required for SCHEDULED, refused otherwise). */
  publishAt?: string | null;
}

/** Farthest a schedule may reach. */
const MAX_SCHEDULE_MS = 366 * 86_400_000;

/**
 * Moves an item along the workflow (types.ts TRANSITIONS). The move starts from the status
 * readers see, so a scheduled item whose time has passed is treated as published. An invalid
 * transition is BAD_USER_INPUT; a concurrent change to the item is CONFLICT.
 */
export async function changeContentStatus(tenantId: string, contentId: string, change: StatusChange, now = new Date()): Promise<ContentItem> {
  const to = mv.oneOf(CONTENT_STATUSES, change.status, "input.status");
  const stored = await getStoredContent(tenantId, contentId);
  const from = effective(stored, now);
  if (!TRANSITIONS[from.status].includes(to)) {
    const allowed = TRANSITIONS[from.status];
    throw new ValidationError(`content ${contentId} is ${from.status}: it can move to ${allowed.join(" or ")}, not ${to}`, "input.status");
  }
  if (to !== "SCHEDULED" && change.publishAt) throw new ValidationError("input.publishAt is only for SCHEDULED", "input.publishAt");
  const at = now.toISOString();
  const next: ContentItem = { ...from, status: to, revision: stored.revision + 1, updatedAt: at };
  switch (to) {
    case "SCHEDULED": {
      if (!change.publishAt) throw new ValidationError("input.publishAt is required to schedule", "input.publishAt");
      const publishAt = toUtcInstant(change.publishAt, "input.publishAt");
      const ms = Date.parse(publishAt) - now.getTime();
      if (ms <= 0) throw new ValidationError("input.publishAt must be in the future (publish now with PUBLISHED)", "input.publishAt");
      if (ms > MAX_SCHEDULE_MS) throw new ValidationError("input.publishAt must be within a year", "input.publishAt");
      assertPublishable(next);
      Object.assign(next, { publishAt, sortAt: publishAt });
      break;
    }
    case "PUBLISHED":
      assertPublishable(next);
      Object.assign(next, { publishAt: undefined, publishedAt: at, sortAt: at });
      break;
    case "ARCHIVED":
      Object.assign(next, { publishAt: undefined, archivedAt: at });
      break;
    case "DRAFT":
      Object.assign(next, { publishAt: undefined, publishedAt: undefined, archivedAt: undefined, sortAt: stored.createdAt });
      break;
  }
  return writeStatus(stored, next);
}

/**
 * The publisher's move: a stored SCHEDULED item whose time has come becomes PUBLISHED as of
 * its publish time (so its place in the lists does not move). Returns undefined when someone
 * else changed it first.
 */
export async function publishScheduled(stored: ContentItem, now = new Date()): Promise<ContentItem | undefined> {
  const due = effective(stored, now);
  if (stored.status !== "SCHEDULED" || due.status !== "PUBLISHED") return undefined;
  const next: ContentItem = { ...due, publishAt: undefined, revision: stored.revision + 1, updatedAt: now.toISOString() };
  try {
    return await writeStatus(stored, next);
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}

async function writeStatus(stored: ContentItem, next: ContentItem): Promise<ContentItem> {
  for (const key of Object.keys(next) as (keyof ContentItem)[]) if (next[key] === undefined) delete next[key];
  return writeContent(stored, next);
}

export type { ContentStatus };
