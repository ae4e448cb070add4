import type { Channel } from "../member/types.js";

export const EVENT_TYPES = ["VIEW", "CLICK", "SHARE", "ADD_TO_CART", "CHECK_IN", "STORE_VISIT", "SURVEY_SCORE", "MESSAGE_DELIVERED"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An engagement event; any event makes the member active in its period. */
export interface EngagementEvent {
  tenantId: string;
  eventId: string;
  memberId: string;
  type: EventType;
  channel: Channel;
  occurredAt: string;
  contentId?: string;
  campaignId?: string;
  storeId?: string;
  /** 0-10 for SURVEY_SCORE (NPS). */
  score?: number;
  fingerprint: string;
  createdAt: string;
}
