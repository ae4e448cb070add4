import { attributeOrder } from "../campaign/results/orders.js";
import { TOUCH_TYPES } from "../campaign/results/events.js";
import { DEMO_ACTOR, demoMemberInput, plannedStats, type DemoMember } from "../demo/index.js";
import { eventFingerprint, eventItem } from "../event/item.js";
import type { EngagementEvent } from "../event/types.js";
import { consentItem } from "../member/child-items.js";
import { planCreate } from "../member/create.js";
import { memberItem } from "../member/item.js";
import { newOrder, orderItem, refundItem } from "../order/item.js";
import type { Order, Refund } from "../order/types.js";
import { cleanOrder, hash } from "../order/validate.js";
import { newPointsEntry, pointsEntryItem } from "../points/entry.js";
import { activityItem, addEvent, addOrder, addRefund, emptyActivity, localDayNumber, trimActivity } from "../segment/activity.js";
import { newId } from "../shared/ids.js";
import type { TenantSettings } from "../tenant/index.js";

type Item = Record<string, unknown>;

/**
 * Every item the domain leaves in the table for one demo member once `loadDemoBrand` has
 * written it: the member (with its stats summed as recordOrders, recordRefund and recordEvent
 * would leave them), unique keys, identities, tags and consent (from `planCreate`, the same
 * plan createMember writes), consent changes, orders (refunded totals applied), refunds, the
 * points ledger (earn, reversal, redemption), events and the ACTIVITY summary. Built by the
 * domain's own item builders, so the jobs read exactly what production would hold.
 *
 * Left out, because they live outside the member or are not part of a member's state: the
 * idempotency records of redemptions (7-day TTL), stores' and content items' running totals,
 * content reach markers. `version` is 0 (the domain counts its writes there).
 */
export async function demoMemberItems(tenantId: string, m: DemoMember, settings: Pick<TenantSettings, "timeZone" | "currency" | "pointsPerUnit">, referrals: number, now: Date): Promise<Item[]> {
  const at = now.toISOString();
  const { member, items, cipher } = await planCreate(tenantId, demoMemberInput(m), { actor: DEMO_ACTOR });
  // The Puts of the create transaction; its Update (the referrer's counter) is `referrals` below.
  const out: Item[] = items.flatMap((i) => (i.Put ? [i.Put.Item as Item] : [])).slice(1);

  for (const c of m.consentChanges) {
    out.push(consentItem(tenantId, { memberId: m.memberId, changeId: newId("c"), kind: c.kind, granted: c.granted, source: c.source, actor: DEMO_ACTOR, changedAt: at }));
    if (c.kind === "MARKETING") member.marketingConsent = c.granted;
    else member.partnerSharingConsent = c.granted;
  }

  const activity = emptyActivity(settings.timeZone);
  const today = localDayNumber(now.getTime(), settings.timeZone);
  const orders = new Map<string, Order>();
  for (const o of m.orders) {
    const order = newOrder(tenantId, m.memberId, cleanOrder({ ...o, memberId: m.memberId }), settings, "API", at);
    // The loader writes a member's orders before its events, so no last touch exists yet:
    // an order is attributed only to the campaign it names.
    const attributed = attributeOrder(order, {}, 0); // no touch yet: the window does not matter
    if (attributed) Object.assign(order, attributed);
    orders.set(order.orderId, order);
    addOrder(activity, order);
    if (order.pointsEarned > 0) out.push(pointsEntryItem(newPointsEntry({ tenantId, memberId: m.memberId, type: "EARN", points: order.pointsEarned, orderId: order.orderId, actor: DEMO_ACTOR, createdAt: at })));
  }
  const stats = plannedStats(m, settings.pointsPerUnit);
  // Points before refunds (they are written after all orders), reversed as far as the balance allows.
  let balance = [...orders.values()].reduce((s, o) => s + o.pointsEarned, 0);
  for (const r of m.refunds) {
    const order = orders.get(r.orderId)!;
    const amountMinor = Math.round(r.amount * 100);
    const proportional = Math.floor((order.pointsEarned * (order.refundedMinor + amountMinor)) / order.amountMinor) - order.pointsReversed;
    const pointsReversed = Math.max(0, Math.min(proportional, balance));
    balance -= pointsReversed;
    const refund: Refund = { tenantId, refundId: r.refundId, orderId: order.orderId, memberId: m.memberId, amountMinor, pointsReversed, reason: r.reason, occurredAt: r.occurredAt, fingerprint: hash([r.refundId, order.orderId, amountMinor, r.occurredAt]), createdAt: at };
    out.push(refundItem(refund));
    order.refundedMinor += amountMinor;
    order.status = order.refundedMinor === order.amountMinor ? "REFUNDED" : "PARTIALLY_REFUNDED";
    order.pointsReversed += pointsReversed;
    if (pointsReversed > 0) out.push(pointsEntryItem(newPointsEntry({ tenantId, memberId: m.memberId, type: "REVERSE", points: -pointsReversed, orderId: order.orderId, refundId: r.refundId, actor: DEMO_ACTOR, createdAt: at })));
    addRefund(activity, { orderOccurredAt: order.occurredAt, amountMinor });
  }
  for (const r of m.redemptions) out.push(pointsEntryItem(newPointsEntry({ tenantId, memberId: m.memberId, type: "REDEEM", points: -r.points, reason: r.reason, actor: DEMO_ACTOR, createdAt: at })));
  for (const order of orders.values()) out.push(orderItem(order));

  let lastEvent: string | undefined;
  for (const e of m.events) {
    const event: EngagementEvent = { tenantId, eventId: e.eventId, memberId: m.memberId, type: e.type, channel: e.channel, occurredAt: e.occurredAt, contentId: e.contentId, campaignId: e.campaignId, storeId: e.storeId, score: e.score, fingerprint: "", createdAt: at };
    event.fingerprint = eventFingerprint(event);
    out.push(eventItem(event));
    addEvent(activity, event, today);
    if (!lastEvent || e.occurredAt > lastEvent) lastEvent = e.occurredAt;
    // What recordEvent keeps on the member: the latest campaign touch and add-to-cart.
    if (e.campaignId && TOUCH_TYPES.includes(e.type) && (!member.lastTouch || e.occurredAt >= member.lastTouch.at)) member.lastTouch = { campaignId: e.campaignId, at: e.occurredAt };
    if (e.type === "ADD_TO_CART" && (!member.lastCartAt || e.occurredAt > member.lastCartAt)) member.lastCartAt = e.occurredAt;
  }
  if (m.orders.length > 0 || m.events.length > 0) out.push(activityItem(tenantId, m.memberId, trimActivity(activity, today), at));

  const times = [...orders.values()].map((o) => o.occurredAt).sort();
  member.orderCount = stats.orderCount;
  member.grossSpendMinor = stats.grossSpendMinor;
  member.refundedMinor = stats.refundedMinor;
  member.pointsBalance = stats.pointsBalance;
  member.eventCount = m.events.length;
  member.referralCount = referrals;
  member.firstOrderAt = times[0];
  member.lastOrderAt = times.at(-1);
  const lastOrder = times.at(-1);
  member.lastActiveAt = lastOrder && (!lastEvent || lastOrder > lastEvent) ? lastOrder : lastEvent;
  out.unshift({ ...memberItem(member, cipher) });
  return out;
}
