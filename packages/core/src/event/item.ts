import { keys } from "../db/keys.js";
import { hash } from "../order/validate.js";
import type { EngagementEvent } from "./types.js";

/** An event as stored: its own partition (idempotency by id) and the member's gsi1 timeline. */
export function eventItem(e: EngagementEvent) {
  return { ...keys.event(e.tenantId, e.eventId), gsi1pk: keys.memberPartition(e.tenantId, e.memberId), gsi1sk: keys.eventSort(e.occurredAt, e.eventId), ...e };
}

/** What makes a repeated event id "the same event": every field the client sent. */
export function eventFingerprint(e: Pick<EngagementEvent, "eventId" | "memberId" | "type" | "channel" | "occurredAt" | "contentId" | "campaignId" | "storeId" | "score">): string {
  return hash([e.eventId, e.memberId, e.type, e.channel, e.occurredAt, e.contentId, e.campaignId, e.storeId, e.score]);
}
