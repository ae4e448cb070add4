import type { TransactItem } from "../../db/transact.js";
import type { EventType } from "../../event/types.js";
import { findCampaign } from "../store.js";
import { countersUpdate, funnelPut, readMemberFunnel, type ResultCounter } from "./counters.js";

/** Events that count as a touch of the campaign for last-touch attribution. */
export const TOUCH_TYPES: readonly EventType[] = ["MESSAGE_DELIVERED", "VIEW", "CLICK"];

export interface EventCampaignEffects {
  /** Writes to add to the event's transaction. */
  items: TransactItem[];
  /** Set on the member item (the latest touch), if this event is one. */
  lastTouch?: { campaignId: string; at: string };
}

/**
 * What an event naming a campaign adds to its transaction: the member's latest touch (used to
 * attribute later orders, whether or not the campaign is a campaign item: orders, events and
 * spend may name campaigns by a free id), and, when the campaign exists, its event counters and
 * the funnel steps the member reaches for the first time (exposure: delivery or view; interest:
 * click; add-to-cart), counted once per member through the member's funnel item.
 */
export async function eventCampaignEffects(
  tenantId: string,
  member: { memberId: string; partnerSharingConsent?: boolean; lastTouch?: { campaignId: string; at: string } },
  event: { campaignId?: string; type: EventType; occurredAt: string },
): Promise<EventCampaignEffects> {
  if (!event.campaignId) return { items: [] };
  const campaignId = event.campaignId;
  const touch = TOUCH_TYPES.includes(event.type) && (!member.lastTouch || event.occurredAt >= member.lastTouch.at) ? { campaignId, at: event.occurredAt } : undefined;
  if (!(await findCampaign(tenantId, campaignId))) return { items: [], lastTouch: touch };
  const funnel = (await readMemberFunnel(tenantId, member.memberId, campaignId)) ?? {};
  const add: Partial<Record<ResultCounter, number>> = {
    deliveries: event.type === "MESSAGE_DELIVERED" ? 1 : 0,
    views: event.type === "VIEW" ? 1 : 0,
    clicks: event.type === "CLICK" ? 1 : 0,
    shares: event.type === "SHARE" ? 1 : 0,
    addToCarts: event.type === "ADD_TO_CART" ? 1 : 0,
  };
  const next = { ...funnel };
  const step = (flag: "exposed" | "interested" | "carted", counter: ResultCounter, reached: boolean) => {
    if (reached && !funnel[flag]) {
      next[flag] = true;
      add[counter] = 1;
    }
  };
  step("exposed", "exposedMembers", event.type === "MESSAGE_DELIVERED" || event.type === "VIEW");
  step("interested", "interestedMembers", event.type === "CLICK");
  step("carted", "cartMembers", event.type === "ADD_TO_CART");
  const items = countersUpdate(tenantId, campaignId, member.memberId, add, member.partnerSharingConsent === true);
  if (next.exposed !== funnel.exposed || next.interested !== funnel.interested || next.carted !== funnel.carted) items.push(funnelPut(tenantId, member.memberId, campaignId, next));
  return { items, lastTouch: touch };
}
