import { describe, expect, it } from "vitest";
import { recordEvent } from "../../event/record.js";
import { createMember } from "../../member/create.js";
import { getMember } from "../../member/read.js";
import { getOrder } from "../../order/read.js";
import { recordOrder } from "../../order/record.js";
import { recordRefund } from "../../order/refund.js";
import { recordMarketingSpend } from "../../spend/record.js";
import { updateSettings } from "../../tenant/settings.js";
import { actor, newTenantId } from "../../test/tenant.js";
import { createCampaign } from "../store.js";
import { funnelOf, getCampaignCounters, returnsOf } from "./index.js";
import { changeCampaignStatus } from "../status.js";
import { inviteCode, recordReferral } from "../../referral/index.js";
import { claimCoupon, createCouponDefinition, redeemCoupon } from "../../coupon/index.js";

const H = 3_600_000;
const DAY = 24 * H;

describe("campaign results", () => {
  it("attributes orders (named, else last touch within the window) and keeps the funnel, revenue, cost, ROI and CAC exactly", async () => {
    const t = newTenantId();
    const base = Date.now() - 20 * DAY;
    const at = (ms: number) => new Date(base + ms).toISOString();
    await createCampaign(t, { id: "cp-a", name: "A", type: "COUPON" }, actor);
    await createCampaign(t, { id: "cp-b", name: "B", type: "COUPON" }, actor);
    const m = async (name: string) => (await createMember(t, { name, sourceChannel: "WECOM", joinedAt: at(-DAY) }, actor)).memberId;
    const [ann, bob, cat, dan] = [await m("Ann"), await m("Bob"), await m("Cat"), await m("Dan")];
    let n = 0;
    const ev = (memberId: string, type: string, ms: number, campaignId = "cp-a") => recordEvent(t, { eventId: `e${++n}`, memberId, type, channel: "WECOM", occurredAt: at(ms), campaignId });
    let o = 0;
    const order = (memberId: string, amount: number, ms: number, campaignId?: string) => recordOrder(t, { orderId: `o${++o}`, memberId, channel: "MINI_PROGRAM", amount, occurredAt: at(ms), campaignId }, actor);

    // Ann: delivered, clicked, ordered twice within 7 days of the click (last touch: A).
    await ev(ann, "MESSAGE_DELIVERED", 0);
    await ev(ann, "CLICK", H);
    await order(ann, 100, 2 * H); // o1 → A (LAST_TOUCH), Ann's first order
    await order(ann, 50, 3 * DAY); // o2 → A (LAST_TOUCH), repeat
    // Bob: delivered and viewed, added to cart, ordered 8 days after his last touch: not attributed.
    await ev(bob, "MESSAGE_DELIVERED", 0);
    await ev(bob, "VIEW", H);
    await ev(bob, "ADD_TO_CART", 2 * H);
    await order(bob, 80, H + 8 * DAY + 1000); // o3 → none
    // Cat: no touch, orders naming B explicitly; then a touch of A, and an order after it.
    await order(cat, 30, 0, "cp-b"); // o4 → B (EXPLICIT), Cat's first order
    await ev(cat, "MESSAGE_DELIVERED", DAY);
    await order(cat, 20, 2 * DAY); // o5 → A (LAST_TOUCH), not her first order
    // Dan: a touch of a campaign that is not a campaign item still attributes (KPI ROI reads it).
    await ev(dan, "CLICK", 0, "cp-free");
    await order(dan, 10, H); // o6 → cp-free (LAST_TOUCH)
    // A refund of o1 and spend on A; spend naming no campaign item changes no counters.
    await recordRefund(t, { refundId: "r1", orderId: "o1", amount: 25, occurredAt: at(5 * DAY) }, actor);
    await recordMarketingSpend(t, { spendId: "s1", channel: "WECOM", campaignId: "cp-a", date: "2026-11-01", amount: 60 });
    await recordMarketingSpend(t, { spendId: "s1", channel: "WECOM", campaignId: "cp-a", date: "2026-11-01", amount: 60 }); // same id: once
    await recordMarketingSpend(t, { spendId: "s2", channel: "WECOM", campaignId: "cp-free", date: "2026-11-01", amount: 5 });

    expect((await getOrder(t, "o1"))).toMatchObject({ campaignId: "cp-a", attribution: "LAST_TOUCH" });
    expect((await getOrder(t, "o3")).campaignId).toBeUndefined();
    expect((await getOrder(t, "o4"))).toMatchObject({ campaignId: "cp-b", attribution: "EXPLICIT" });
    expect((await getOrder(t, "o6"))).toMatchObject({ campaignId: "cp-free", attribution: "LAST_TOUCH" });
    expect((await getMember(t, cat)).lastTouch).toEqual({ campaignId: "cp-a", at: at(DAY) });

    const [a, b] = await getCampaignCounters(t, ["cp-a", "cp-b"]);
    // A — events: deliveries Ann, Bob, Cat = 3; views Bob = 1; clicks Ann = 1; carts Bob = 1.
    // Exposed: Ann, Bob, Cat = 3; interested: Ann = 1; cart: Bob = 1; ordering: Ann, Cat = 2; repeat: Ann = 1.
    // Orders o1, o2, o5 = 3; revenue 100 + 50 + 20 = 170.00 → 17000 fen, refunded 2500; new customers: Ann (o1) = 1.
    // Cost 60.00 → ROI = (14500 − 6000) ÷ 6000 = 1.41666…; CAC = 6000 ÷ 1 = 60.00.
    expect(a).toMatchObject({ deliveries: 3, views: 1, clicks: 1, addToCarts: 1, exposedMembers: 3, interestedMembers: 1, cartMembers: 1, orderingMembers: 2, repeatMembers: 1, orders: 3, newCustomers: 1, revenueMinor: 17_000, refundedMinor: 2_500, costMinor: 6_000 });
    expect(returnsOf(a!)).toEqual({ netRevenueMinor: 14_500, roi: (14_500 - 6_000) / 6_000, cacMinor: 6_000 });
    expect(funnelOf(a!)).toEqual([
      { step: "EXPOSURE", members: 3, rate: null },
      { step: "INTEREST", members: 1, rate: 1 / 3 },
      { step: "ADD_TO_CART", members: 1, rate: 1 },
      { step: "ORDER", members: 2, rate: 2 },
      { step: "REPURCHASE", members: 1, rate: 0.5 },
      { step: "REFERRAL", members: 0, rate: 0 },
    ]);
    // B — o4 only: Cat's first order.
    expect(b).toMatchObject({ orders: 1, newCustomers: 1, revenueMinor: 3_000, orderingMembers: 1, exposedMembers: 0, costMinor: 0 });
    expect(returnsOf(b!)).toEqual({ netRevenueMinor: 3_000, roi: null, cacMinor: null });

    // The window is the brand's: at 9 days Bob's order would have been attributed.
    await updateSettings(t, { attributionWindowDays: 9 });
    await ev(bob, "CLICK", 10 * DAY);
    await order(bob, 40, 18 * DAY); // 8 days after the click: inside 9
    expect((await getOrder(t, `o${o}`)).campaignId).toBe("cp-a");
  });

  it("counts each member once per funnel step under concurrent events", async () => {
    const t = newTenantId();
    await createCampaign(t, { id: "cp", name: "C", type: "COUPON" }, actor);
    const ann = (await createMember(t, { name: "Ann", sourceChannel: "APP" }, actor)).memberId;
    const when = new Date(Date.now() - 60_000).toISOString();
    await Promise.all(Array.from({ length: 8 }, (_, i) => recordEvent(t, { eventId: `c${i}`, memberId: ann, type: i % 2 ? "CLICK" : "MESSAGE_DELIVERED", channel: "APP", occurredAt: when, campaignId: "cp" })));
    const [c] = await getCampaignCounters(t, ["cp"]);
    expect(c).toMatchObject({ deliveries: 4, clicks: 4, exposedMembers: 1, interestedMembers: 1 });
  });

  it("attributes a referred member's first order to the referral campaign (over a last touch) and counts the referral step", async () => {
    const t = newTenantId();
    await createCampaign(t, { id: "ref", name: "Invite", type: "REFERRAL", config: { referral: { referrerPoints: 50 } } }, actor);
    await changeCampaignStatus(t, "ref", "RUNNING");
    await createCampaign(t, { id: "msg", name: "Message", type: "COUPON" }, actor);
    const ann = (await createMember(t, { name: "Ann", sourceChannel: "APP", partnerSharingConsent: true }, actor)).memberId;
    const bob = (await createMember(t, { name: "Bob", sourceChannel: "APP", partnerSharingConsent: true }, actor)).memberId;
    const { invite } = await inviteCode(t, "ref", ann);
    await recordReferral(t, { code: invite.code, inviteeId: bob });
    const when = (ms: number) => new Date(Date.now() - ms).toISOString();
    await recordEvent(t, { eventId: "touch", memberId: bob, type: "CLICK", channel: "APP", occurredAt: when(3_600_000), campaignId: "msg" });
    await recordOrder(t, { orderId: "b1", memberId: bob, channel: "APP", amount: 30, occurredAt: when(60_000) }, actor);
    await recordOrder(t, { orderId: "b2", memberId: bob, channel: "APP", amount: 12, occurredAt: when(30_000) }, actor);
    expect(await getOrder(t, "b1")).toMatchObject({ campaignId: "ref", attribution: "REFERRAL" });
    expect(await getOrder(t, "b2")).toMatchObject({ campaignId: "msg", attribution: "LAST_TOUCH" }); // not the converting order
    const [ref, msg] = await getCampaignCounters(t, ["ref", "msg"]);
    expect(ref).toMatchObject({ referredMembers: 1, orders: 1, newCustomers: 1, revenueMinor: 3_000, orderingMembers: 1 });
    expect(msg).toMatchObject({ interestedMembers: 1, orders: 1, newCustomers: 0, revenueMinor: 1_200 });
    expect((await getCampaignCounters(t, ["ref"], { sharedOnly: true }))[0]).toMatchObject({ referredMembers: 1, orders: 1 });
  });

  it("attributes an order without a campaign to the coupon redeemed on it (COUPON), with the campaign's counters", async () => {
    const t = newTenantId();
    await createCampaign(t, { id: "cp", name: "Coupons", type: "COUPON" }, actor);
    await changeCampaignStatus(t, "cp", "RUNNING");
    await createCampaign(t, { id: "other", name: "Other", type: "COUPON" }, actor);
    const def = await createCouponDefinition(t, { campaignId: "cp", name: "10 off", amountOff: 10, minimumSpend: 0, totalQuantity: 5, perMemberLimit: 2, redeemableAt: ["ONLINE"] }, actor);
    const ann = (await createMember(t, { name: "Ann", sourceChannel: "APP", marketingConsent: true }, actor)).memberId;
    const when = (ms: number) => new Date(Date.now() - ms).toISOString();
    await recordOrder(t, { orderId: "plain", memberId: ann, channel: "MINI_PROGRAM", amount: 58, occurredAt: when(60_000) }, actor);
    await recordOrder(t, { orderId: "named", memberId: ann, channel: "MINI_PROGRAM", amount: 20, occurredAt: when(30_000), campaignId: "other" }, actor);
    const c1 = (await claimCoupon(t, { definitionId: def.definitionId, memberId: ann, requestId: "r1" })).coupon.code;
    const c2 = (await claimCoupon(t, { definitionId: def.definitionId, memberId: ann, requestId: "r2" })).coupon.code;
    await redeemCoupon(t, { code: c1, orderId: "plain" });
    await redeemCoupon(t, { code: c2, orderId: "named" }); // keeps the campaign it named
    expect(await getOrder(t, "plain")).toMatchObject({ campaignId: "cp", attribution: "COUPON", couponCode: c1 });
    expect(await getOrder(t, "named")).toMatchObject({ campaignId: "other", attribution: "EXPLICIT", couponCode: c2 });
    const [cp, other] = await getCampaignCounters(t, ["cp", "other"]);
    // "plain" was Ann's first order: a new customer of cp.
    expect(cp).toMatchObject({ orders: 1, revenueMinor: 5_800, orderingMembers: 1, newCustomers: 1 });
    expect(other).toMatchObject({ orders: 1, revenueMinor: 2_000, orderingMembers: 1, newCustomers: 0 });
  });
});
