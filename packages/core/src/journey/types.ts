/**
 * Automated journeys: the `journeys` job finds members whose trigger occurred and writes one
 * touch (an outbox record holding the content to send) per (campaign, member, channel, trigger
 * occurrence); channel workers send it and report delivery. Design: docs/campaigns.md,
 * "Automated journeys".
 */
import type { JourneyTrigger } from "../campaign/types.js";
import type { ContentFormat } from "../content/types.js";
import type { Channel } from "../member/types.js";

export const TOUCH_STATUSES = ["PENDING", "SENT", "DELIVERED", "FAILED"] as const;
export type TouchStatus = (typeof TOUCH_STATUSES)[number];

/**
 * Moves a channel report may make. Repeating the current status is a no-op (reports are
 * retried); DELIVERED is final; a FAILED touch may still be reported DELIVERED (a worker's
 * retry got through), never the other way round.
 */
export const TOUCH_TRANSITIONS: Record<TouchStatus, readonly TouchStatus[]> = {
  PENDING: ["SENT", "DELIVERED", "FAILED"],
  SENT: ["DELIVERED", "FAILED"],
  FAILED: ["DELIVERED"],
  DELIVERED: [],
};

/** The content a touch sends, copied when the touch is written (later edits do not change what was queued). */
export interface TouchContent {
  contentId: string;
  title: string;
  format: ContentFormat;
  body?: string;
  mediaUrl?: string;
}

/** One outbox record. */
export interface Touch {
  tenantId: string;
  touchId: string;
  campaignId: string;
  memberId: string;
  channel: Channel;
  trigger: JourneyTrigger;
  /** The trigger occurrence, e.g. `CART_ABANDONED:2026-11-30T02:00:00.000Z`; part of the id. */
  occurrence: string;
  /** When the trigger fired (the occurrence plus any delay). */
  triggeredAt: string;
  content: TouchContent;
  status: TouchStatus;
  /** The job run instant that wrote it. */
  runAt: string;
  createdAt: string;
  updatedAt: string;
  sentAt?: string;
  deliveredAt?: string;
  failedAt?: string;
  failureReason?: string;
  /** The MESSAGE_DELIVERED event recorded for the delivery. */
  deliveryEventId?: string;
}

/** Per-member facts the triggers read, all from the MEMBER item. */
export interface JourneyFacts {
  memberId: string;
  listShard: string;
  joinedAt: string;
  birthday?: string;
  tier: string;
  tierUpdatedAt?: string;
  firstOrderAt?: string;
  lastOrderAt?: string;
  lastActiveAt?: string;
  lastCartAt?: string;
}

/** A trigger that fired for a member. */
export interface Occurrence {
  trigger: JourneyTrigger;
  /** Stable text naming this occurrence: the same one found again gives the same touch id. */
  key: string;
  /** When it fired. */
  at: string;
}
