import type { TransactItem } from "../../db/transact.js";
import type { Member } from "../../member/types.js";
import { findCampaign } from "../store.js";
import { countersUpdate, funnelPut, readMemberFunnel } from "./counters.js";

export const ATTRIBUTIONS = ["EXPLICIT", "COUPON", "REFERRAL", "LAST_TOUCH"] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

const DAY = 86_400_000;

/**
 * Which campaign an order is attributed to: the one the client named (EXPLICIT; coupon
 * redemption and referral name theirs), else the member's latest campaign touch if it came at
 * most `windowDays` before the order (LAST_TOUCH), else none.
 */
export function attributeOrder(order: { campaignId?: string; occurredAt: string }, member: Pick<Member, "lastTouch">, windowDays: number): { campaignId: string; attribution: Attribution } | undefined {
  if (order.campaignId) return { campaignId: order.campaignId, attribution: "EXPLICIT" };
  const touch = member.lastTouch;
  if (!touch) return undefined;
  const gap = Date.parse(order.occurredAt) - Date.parse(touch.at);
  return gap >= 0 && gap <= windowDays * DAY ? { campaignId: touch.campaignId, attribution: "LAST_TOUCH" } : undefined;
}

/**
 * Writes for a batch of one member's orders, already attributed: per campaign that exists, its
 * order counters (orders, revenue, new customers: the member's first order ever) and the
 * funnel steps the member reaches (ordering member on the first attributed order, repeat member
 * on the second), once per member through the member's funnel item. Runs inside the member's
 * optimistic write (`before` is the member as read).
 */
export async function ordersCampaignWrites(
  tenantId: string,
  before: Pick<Member, "memberId" | "orderCount" | "partnerSharingConsent">,
  orders: { campaignId?: string; amountMinor: number; occurredAt: string }[],
): Promise<TransactItem[]> {
  const byCampaign = new Map<string, { orders: number; minor: number; first: boolean }>();
  const earliest = orders.reduce<string | undefined>((m, o) => (!m || o.occurredAt < m ? o.occurredAt : m), undefined);
  for (const o of orders) {
    if (!o.campaignId) continue;
    const c = byCampaign.get(o.campaignId) ?? { orders: 0, minor: 0, first: false };
    c.orders++;
    c.minor += o.amountMinor;
    // A member with no orders before this batch: their earliest order in it is their first ever.
    if (before.orderCount === 0 && o.occurredAt === earliest) c.first = true;
    byCampaign.set(o.campaignId, c);
  }
  const items: TransactItem[] = [];
  for (const [campaignId, c] of byCampaign) {
    if (!(await findCampaign(tenantId, campaignId))) continue;
    const funnel = (await readMemberFunnel(tenantId, before.memberId, campaignId)) ?? {};
    const had = funnel.orders ?? 0;
    const now = had + c.orders;
    items.push(
      ...countersUpdate(tenantId, campaignId, before.memberId, {
        orders: c.orders,
        revenueMinor: c.minor,
        newCustomers: c.first ? 1 : 0,
        orderingMembers: had === 0 ? 1 : 0,
        repeatMembers: had < 2 && now >= 2 ? 1 : 0,
      }, before.partnerSharingConsent === true),
      funnelPut(tenantId, before.memberId, campaignId, { ...funnel, orders: now }),
    );
  }
  return items;
}

/** A refund of an attributed order lowers its campaign's net revenue. */
export async function refundCampaignWrites(tenantId: string, member: Pick<Member, "memberId" | "partnerSharingConsent">, campaignId: string | undefined, amountMinor: number): Promise<TransactItem[]> {
  if (!campaignId || !(await findCampaign(tenantId, campaignId))) return [];
  return countersUpdate(tenantId, campaignId, member.memberId, { refundedMinor: amountMinor }, member.partnerSharingConsent === true);
}
