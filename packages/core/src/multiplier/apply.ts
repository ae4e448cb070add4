import { isRunning } from "../campaign/item.js";
import type { Campaign } from "../campaign/types.js";
import type { Member } from "../member/types.js";
import type { Order } from "../order/types.js";
import { isMemberInSegment } from "../segment/membership.js";
import { findSegment } from "../segment/store.js";
import { multiplierCampaigns } from "./campaigns.js";

/** What a multiplier campaign did to an order's points (stored on the order). */
export interface PointsBoost {
  campaignId: string;
  multiplier: number;
  /** Points above what the order earns without the campaign. */
  extraPoints: number;
}

/** The points `basePoints` become under `multiplier` (one decimal, so tenths keep it exact), rounded down. */
export function multiplied(basePoints: number, multiplier: number): number {
  return Math.floor((basePoints * Math.round(multiplier * 10)) / 10);
}

/** Multiplies a new order's points under its campaign (if any), noting the campaign and the extra on the order. */
export function boostOrder(order: Order, campaign: Campaign | undefined): void {
  if (!campaign?.config.pointsMultiplier) return;
  const { multiplier } = campaign.config.pointsMultiplier;
  const boosted = multiplied(order.pointsEarned, multiplier);
  if (boosted <= order.pointsEarned) return;
  order.pointsBoost = { campaignId: campaign.campaignId, multiplier, extraPoints: boosted - order.pointsEarned };
  order.pointsEarned = boosted;
}

/** What the order's EARN ledger entry says about its multiplier: the campaign and the sum. */
export function boostNote(order: Order): { campaignId?: string; reason?: string } {
  const b = order.pointsBoost;
  if (!b) return {};
  return { campaignId: b.campaignId, reason: `${b.multiplier}× points (campaign ${b.campaignId}): ${order.pointsEarned - b.extraPoints} + ${b.extraPoints} extra` };
}

/** Whether the campaign's schedule holds the instant (start inclusive, end exclusive). */
function holds(c: Campaign, occurredAt: string): boolean {
  const t = Date.parse(occurredAt);
  return (!c.startAt || Date.parse(c.startAt) <= t) && (!c.endAt || t < Date.parse(c.endAt));
}

/**
 * The multiplier campaign each order falls under, by order id: campaigns running now (not paused,
 * not ended) whose schedule holds the order's time and whose target segment's current membership
 * holds the member (everyone when it has no segment). Of several, the highest multiplier wins
 * (then the earliest created, so the answer is stable): multipliers do not stack, a brand running
 * a 2× and a 3× expects 3×, not 6×. Membership is checked once per campaign for the whole batch
 * (one GetItem of the segment and one of the membership item).
 */
export async function multipliersFor(tenantId: string, member: Member, orders: readonly { orderId: string; occurredAt: string }[], now = new Date()): Promise<Map<string, Campaign>> {
  const out = new Map<string, Campaign>();
  const live = (await multiplierCampaigns(tenantId, now.getTime())).filter((c) => isRunning(c, now) && orders.some((o) => holds(c, o.occurredAt)));
  if (live.length === 0) return out;
  const eligible: Campaign[] = [];
  for (const c of live) {
    if (!c.targetSegmentId) {
      eligible.push(c);
      continue;
    }
    const segment = await findSegment(tenantId, c.targetSegmentId);
    if (segment && (await isMemberInSegment(tenantId, segment, member.memberId))) eligible.push(c);
  }
  eligible.sort((a, b) => b.config.pointsMultiplier!.multiplier - a.config.pointsMultiplier!.multiplier || a.createdAt.localeCompare(b.createdAt));
  for (const o of orders) {
    const best = eligible.find((c) => holds(c, o.occurredAt));
    if (best) out.set(o.orderId, best);
  }
  return out;
}
