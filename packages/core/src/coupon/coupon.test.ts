import { describe, expect, it } from "vitest";
import { changeCampaignStatus, createCampaign } from "../campaign/index.js";
import { getOrder } from "../order/read.js";
import { createSegment, refreshSegment } from "../segment/index.js";
import { createStore } from "../store/create.js";
import { actor, newTenantId } from "../test/tenant.js";
import {
  claimCoupon,
  CODE_ALPHABET,
  couponStats,
  couponStatus,
  createCouponDefinition,
  discountFor,
  findCoupon,
  formatCode,
  getCouponDefinition,
  issueCouponsToSegment,
  listCouponDefinitions,
  listDefinitionCoupons,
  listMemberCoupons,
  redeemCoupon,
  redeemCouponAtPartner,
  updateCouponDefinition,
} from "./index.js";
import { members, order, outcome, runningCampaign } from "./test-support.js";

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const base = { name: "20 off 100", amountOff: 20, minimumSpend: 100, totalQuantity: 10, redeemableAt: ["ONLINE"] };

describe("coupon definitions", () => {
  it("are validated, read, listed per campaign, and fixed once a coupon is issued", async () => {
    const t = newTenantId();
    const campaignId = await runningCampaign(t);
    const bad = (input: Record<string, unknown>) => outcome(createCouponDefinition(t, { campaignId, ...base, ...input } as never, actor));
    expect(await bad({ percentOff: 10 })).toBe("BAD_USER_INPUT:input.percentOff"); // both kinds
    expect(await bad({ amountOff: null })).toBe("BAD_USER_INPUT:input.amountOff"); // neither
    expect(await bad({ amountOff: 0 })).toBe("BAD_USER_INPUT:input.amountOff");
    expect(await bad({ amountOff: 1.005 })).toBe("BAD_USER_INPUT:input.amountOff");
    expect(await bad({ amountOff: null, percentOff: 0 })).toBe("BAD_USER_INPUT:input.percentOff");
    expect(await bad({ amountOff: null, percentOff: 100 })).toBe("BAD_USER_INPUT:input.percentOff");
    expect(await bad({ minimumSpend: -1 })).toBe("BAD_USER_INPUT:input.minimumSpend");
    expect(await bad({ totalQuantity: 0 })).toBe("BAD_USER_INPUT:input.totalQuantity");
    expect(await bad({ perMemberLimit: 0 })).toBe("BAD_USER_INPUT:input.perMemberLimit");
    expect(await bad({ validDays: 7, validTo: iso(Date.now() + DAY) })).toBe("BAD_USER_INPUT:input.validDays");
    expect(await bad({ validFrom: iso(Date.now() + 2 * DAY), validTo: iso(Date.now() + DAY) })).toBe("BAD_USER_INPUT:input.validTo");
    expect(await bad({ validTo: iso(Date.now() - DAY) })).toBe("BAD_USER_INPUT:input.validTo");
    expect(await bad({ redeemableAt: [] })).toBe("BAD_USER_INPUT:input.redeemableAt");
    expect(await bad({ redeemableAt: ["MOON"] })).toBe("BAD_USER_INPUT:input.redeemableAt");
    expect(await bad({ storeIds: ["s1"] })).toBe("BAD_USER_INPUT:input.storeIds"); // not redeemable in store
    expect(await bad({ redeemableAt: ["STORE"], storeIds: ["nope"] })).toBe("NOT_FOUND");
    expect(await bad({ partnerStoreIds: ["p-1"] })).toBe("BAD_USER_INPUT:input.partnerStoreIds");
    expect(await bad({ campaignId: "nope" })).toBe("NOT_FOUND");

    await createStore(t, { storeId: "s1", name: "Jing'an", latitude: 31.22, longitude: 121.45 });
    const a = await createCouponDefinition(t, { id: "d-a", campaignId, ...base, redeemableAt: ["ONLINE", "STORE", "ONLINE"], storeIds: ["s1"] }, actor);
    expect(a).toMatchObject({ definitionId: "d-a", amountOffMinor: 2000, minimumSpendMinor: 10_000, perMemberLimit: 1, redeemableAt: ["ONLINE", "STORE"], storeIds: ["s1"], issued: 0, redeemed: 0, discountMinor: 0 });
    expect(await outcome(createCouponDefinition(t, { id: "d-a", campaignId, ...base }, actor))).toBe("CONFLICT:input.id");
    const b = await createCouponDefinition(t, { campaignId, name: "15% off", percentOff: 15, validDays: 7, totalQuantity: 5, perMemberLimit: 2, redeemableAt: ["PARTNER"] }, actor);
    expect(b).toMatchObject({ percentOff: 15, minimumSpendMinor: 0, validDays: 7 });
    expect(b.amountOffMinor).toBeUndefined();
    expect((await listCouponDefinitions(t, campaignId)).map((d) => d.definitionId)).toEqual(["d-a", b.definitionId]);

    // Before any issue: any term can change (validated as a whole); switching kind clears the other.
    const changed = await updateCouponDefinition(t, "d-a", { amountOff: null, percentOff: 30, totalQuantity: 3 });
    expect(changed).toMatchObject({ percentOff: 30, totalQuantity: 3, revision: 2, minimumSpendMinor: 10_000 });
    expect(changed.amountOffMinor).toBeUndefined();
    expect(await outcome(updateCouponDefinition(t, "d-a", { percentOff: 120 }))).toBe("BAD_USER_INPUT:input.percentOff");
    const [m] = await members(t, 1);
    await claimCoupon(t, { definitionId: "d-a", memberId: m!, requestId: "q1" });
    expect(await outcome(updateCouponDefinition(t, "d-a", { name: "late" }))).toBe("CONFLICT");
    expect((await getCouponDefinition(t, "d-a")).issued).toBe(1);
    // Another brand sees none of it; an ended campaign takes no new definition.
    expect(await outcome(getCouponDefinition(newTenantId(), "d-a"))).toBe("NOT_FOUND");
    await changeCampaignStatus(t, campaignId, "ENDED");
    expect(await bad({})).toBe("CONFLICT");
  });
});

describe("claiming coupons", () => {
  it("issues unguessable unique codes, holds quantity and per-member limit, is idempotent by request id, lists a member's coupons", async () => {
    const t = newTenantId();
    const campaignId = await runningCampaign(t);
    const d = await createCouponDefinition(t, { campaignId, ...base, totalQuantity: 3, perMemberLimit: 2, validDays: 7 }, actor);
    const [ann, bob, cat] = await members(t, 3, { marketingConsent: false }); // claiming needs no marketing consent
    const now = Date.now();
    const first = await claimCoupon(t, { definitionId: d.definitionId, memberId: ann!, requestId: "a1" }, new Date(now));
    expect(first.duplicate).toBe(false);
    expect(first.coupon.code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{12}$`));
    expect(first.coupon).toMatchObject({ memberId: ann, campaignId, definitionId: d.definitionId, source: "CLAIM", status: "ISSUED", amountOffMinor: 2000, validFrom: iso(now), validTo: iso(now + 7 * DAY) });
    // The same request again: the same coupon, nothing issued.
    const again = await claimCoupon(t, { definitionId: d.definitionId, memberId: ann!, requestId: "a1" });
    expect(again).toMatchObject({ duplicate: true, coupon: { code: first.coupon.code } });
    expect(await outcome(claimCoupon(t, { definitionId: d.definitionId, memberId: bob!, requestId: "a1" }))).toBe("CONFLICT:REQUEST_ID_REUSED");
    const second = await claimCoupon(t, { definitionId: d.definitionId, memberId: ann!, requestId: "a2" }, new Date(now + 1000));
    expect(await outcome(claimCoupon(t, { definitionId: d.definitionId, memberId: ann!, requestId: "a3" }))).toBe("CONFLICT:LIMIT_REACHED");
    await claimCoupon(t, { definitionId: d.definitionId, memberId: bob!, requestId: "b1" });
    expect(await outcome(claimCoupon(t, { definitionId: d.definitionId, memberId: cat!, requestId: "c1" }))).toBe("CONFLICT:SOLD_OUT");
    // A request that succeeded still answers after the batch sold out.
    expect((await claimCoupon(t, { definitionId: d.definitionId, memberId: ann!, requestId: "a2" })).coupon.code).toBe(second.coupon.code);
    expect((await getCouponDefinition(t, d.definitionId)).issued).toBe(3);
    expect(await listDefinitionCoupons(t, d.definitionId)).toHaveLength(3);
    expect(await outcome(claimCoupon(t, { definitionId: "nope", memberId: ann!, requestId: "x" }))).toBe("NOT_FOUND");

    // Looked up by code in one GetItem, as printed or typed.
    expect((await findCoupon(t, formatCode(first.coupon.code).toLowerCase()))?.code).toBe(first.coupon.code);
    expect(await findCoupon(t, "0000-OOOO-1111")).toBeUndefined();
    expect(await findCoupon(newTenantId(), first.coupon.code)).toBeUndefined();
    // The member's coupons, newest first, with their status as of a moment.
    const page = await listMemberCoupons(t, ann!, {});
    expect(page.items.map((c) => c.code)).toEqual([second.coupon.code, first.coupon.code]);
    expect(couponStatus(first.coupon, new Date(now + 7 * DAY - 1))).toBe("ISSUED");
    expect(couponStatus(first.coupon, new Date(now + 7 * DAY))).toBe("EXPIRED");
    expect(couponStatus({ status: "REDEEMED", validTo: iso(now) }, new Date(now + 8 * DAY))).toBe("REDEEMED");
  });

  it("only while the campaign runs, the definition's window is open, to live members of the campaign's audience", async () => {
    const t = newTenantId();
    const draft = await createCampaign(t, { name: "Later", type: "COUPON" }, actor);
    const d = await createCouponDefinition(t, { campaignId: draft.campaignId, ...base, validTo: iso(Date.now() + DAY) }, actor);
    const [ann, bob] = await members(t, 2, { tags: [] });
    const claim = (memberId: string, requestId: string, now?: Date) => outcome(claimCoupon(t, { definitionId: d.definitionId, memberId, requestId }, now));
    expect(await claim(ann!, "r1")).toBe("CONFLICT:CAMPAIGN_NOT_RUNNING");
    await changeCampaignStatus(t, draft.campaignId, "RUNNING");
    expect(await claim(ann!, "r2", new Date(Date.now() + 2 * DAY))).toBe("CONFLICT:EXPIRED");
    expect(await claim("nobody", "r3")).toBe("NOT_FOUND");
    expect(await claim(ann!, "r4")).toBe("OK");
    await changeCampaignStatus(t, draft.campaignId, "PAUSED");
    expect(await claim(bob!, "r5")).toBe("CONFLICT:CAMPAIGN_NOT_RUNNING");

    // A campaign with a target segment: only its current members may claim.
    const [vip] = await members(t, 1, { tags: ["vip"] });
    const seg = await createSegment(t, { name: "VIP", rule: { condition: { field: "HAS_TAG", op: "ANY_OF", values: ["vip"] } } }, actor);
    await refreshSegment(t, seg.segmentId);
    const targeted = await runningCampaign(t, { targetSegmentId: seg.segmentId });
    const v = await createCouponDefinition(t, { campaignId: targeted, ...base }, actor);
    expect(await outcome(claimCoupon(t, { definitionId: v.definitionId, memberId: bob!, requestId: "v1" }))).toBe("CONFLICT:NOT_IN_AUDIENCE");
    expect(await outcome(claimCoupon(t, { definitionId: v.definitionId, memberId: vip!, requestId: "v2" }))).toBe("OK");
  });
});

describe("issuing to a segment", () => {
  it("issues one coupon to each consenting member of the target segment while the quantity lasts; a rerun issues none", async () => {
    const t = newTenantId();
    const consenting = await members(t, 5, { tags: ["vip"] });
    const [noConsent] = await members(t, 1, { tags: ["vip"], marketingConsent: false });
    await members(t, 2, { tags: ["other"] });
    const seg = await createSegment(t, { name: "VIP", rule: { condition: { field: "HAS_TAG", op: "ANY_OF", values: ["vip"] } } }, actor);
    await refreshSegment(t, seg.segmentId);
    const campaignId = await runningCampaign(t, { targetSegmentId: seg.segmentId });
    const d = await createCouponDefinition(t, { campaignId, ...base, totalQuantity: 100, perMemberLimit: 1 }, actor);
    // One member claimed theirs already: the limit counts it.
    await claimCoupon(t, { definitionId: d.definitionId, memberId: consenting[0]!, requestId: "early" });
    const run = await issueCouponsToSegment(t, d.definitionId);
    expect(run).toEqual({ definitionId: d.definitionId, segmentId: seg.segmentId, members: 6, issued: 4, alreadyIssued: 0, limitReached: 1, skipped: 1, soldOut: false });
    const rerun = await issueCouponsToSegment(t, d.definitionId);
    expect(rerun).toMatchObject({ members: 6, issued: 0, alreadyIssued: 4, limitReached: 1, skipped: 1 });
    const coupons = await listDefinitionCoupons(t, d.definitionId);
    expect(coupons).toHaveLength(5);
    expect(coupons.filter((c) => c.source === "SEGMENT").map((c) => c.memberId).sort()).toEqual(consenting.slice(1).sort());
    expect(coupons.some((c) => c.memberId === noConsent)).toBe(false);
    expect((await getCouponDefinition(t, d.definitionId)).issued).toBe(5);

    // A smaller batch runs out part way; the request-path bound refuses big segments.
    const small = await createCouponDefinition(t, { campaignId, ...base, totalQuantity: 2, perMemberLimit: 3 }, actor);
    expect(await issueCouponsToSegment(t, small.definitionId, { concurrency: 1 })).toMatchObject({ issued: 2, soldOut: true });
    const bounded = await createCouponDefinition(t, { campaignId, ...base }, actor);
    const refused = await issueCouponsToSegment(t, bounded.definitionId, { maxMembers: 5 }).catch((e: Error & { details?: { field?: string } }) => e);
    expect(refused).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "input.definitionId" } });
    expect((refused as Error).message).toContain("npm run coupons -- issue");
    // No target segment: nothing to issue to.
    const plain = await createCouponDefinition(t, { campaignId: await runningCampaign(t), ...base }, actor);
    expect(await outcome(issueCouponsToSegment(t, plain.definitionId))).toBe("BAD_USER_INPUT:input.definitionId");
  });
});

describe("redeeming coupons", () => {
  it("checks expiry, window, member, minimum spend, channel and store; one transaction marks the coupon, attributes the order and counts", async () => {
    const t = newTenantId();
    await createStore(t, { storeId: "s1", name: "Jing'an", latitude: 31.22, longitude: 121.45 });
    await createStore(t, { storeId: "s2", name: "Xuhui", latitude: 31.19, longitude: 121.43 });
    const campaignId = await runningCampaign(t, { partnerIds: ["partner-a"] });
    const now = Date.now();
    const online = await createCouponDefinition(t, { campaignId, ...base, validDays: 7, perMemberLimit: 5 }, actor);
    const store = await createCouponDefinition(t, { campaignId, name: "10% in store", percentOff: 10, totalQuantity: 10, perMemberLimit: 5, redeemableAt: ["STORE"], storeIds: ["s1"] }, actor);
    const later = await createCouponDefinition(t, { campaignId, ...base, validFrom: iso(now + DAY), validTo: iso(now + 2 * DAY) }, actor);
    const partner = await createCouponDefinition(t, { campaignId, ...base, amountOff: 30, minimumSpend: 0, redeemableAt: ["PARTNER"], partnerStoreIds: ["pa-store-1"] }, actor);
    const [ann, bob] = await members(t, 2);
    let n = 0;
    const claim = async (definitionId: string, memberId = ann!) => (await claimCoupon(t, { definitionId, memberId, requestId: `c${++n}` }, new Date(now))).coupon.code;
    const redeem = (code: string, orderId: string, extra: Record<string, string> = {}, at = new Date()) => outcome(redeemCoupon(t, { code, orderId, ...extra }, at));

    const code = await claim(online.definitionId);
    const small = await order(t, ann!, { amount: 99.99 });
    const bobs = await order(t, bob!, { amount: 300 });
    const inStore = await order(t, ann!, { amount: 150, channel: "STORE", storeId: "s1" });
    const good = await order(t, ann!, { amount: 120 });
    expect(await redeem("2222-2222-2222", good)).toBe("NOT_FOUND");
    expect(await redeem(code, "no-such-order")).toBe("NOT_FOUND");
    expect(await redeem(code, small)).toBe("BAD_USER_INPUT:input.orderId"); // below the minimum spend 100
    expect(await redeem(code, bobs)).toBe("BAD_USER_INPUT:input.orderId"); // another member's order
    expect(await redeem(code, inStore)).toBe("BAD_USER_INPUT:input.orderId"); // online only
    expect(await redeem(code, good, { storeId: "s1" })).toBe("BAD_USER_INPUT:input.storeId");
    expect(await redeem(code, good, {}, new Date(now + 7 * DAY))).toBe("CONFLICT:EXPIRED");
    const result = await redeemCoupon(t, { code, orderId: good });
    expect(result).toMatchObject({ discountMinor: 2000, duplicate: false, coupon: { status: "REDEEMED", orderId: good, redeemedVia: "ONLINE", discountMinor: 2000 } });
    expect(await getOrder(t, good)).toMatchObject({ couponCode: code, campaignId });
    expect(await findCoupon(t, code)).toMatchObject({ status: "REDEEMED", orderId: good });
    // The same redemption retried answers with it; any other is refused.
    expect((await redeemCoupon(t, { code, orderId: good })).duplicate).toBe(true);
    expect(await redeem(code, small)).toBe("CONFLICT:ALREADY_REDEEMED");
    // An order takes one coupon.
    const another = await claim(online.definitionId);
    expect(await redeem(another, good)).toBe("CONFLICT:ORDER_HAS_COUPON");

    // In store: the order's store must be in the allow-list; percent of the order amount.
    const storeCode = await claim(store.definitionId);
    const wrongStore = await order(t, ann!, { amount: 150, channel: "STORE", storeId: "s2" });
    expect(await redeem(storeCode, wrongStore)).toBe("BAD_USER_INPUT:input.storeId");
    expect(await redeem(storeCode, inStore, { storeId: "s2" })).toBe("BAD_USER_INPUT:input.storeId");
    expect(await redeem(storeCode, small)).toBe("BAD_USER_INPUT:input.orderId"); // an online order
    expect((await redeemCoupon(t, { code: storeCode, orderId: inStore, storeId: "s1" })).discountMinor).toBe(1500);

    // Not before its window.
    const laterCode = await claim(later.definitionId);
    const o3 = await order(t, ann!, { amount: 200 });
    expect(await redeem(laterCode, o3)).toBe("CONFLICT:NOT_YET_VALID");
    expect(await redeem(laterCode, o3, {}, new Date(now + DAY + 1000))).toBe("OK");

    // At a partner's store: the partner must be the campaign's, at an allowed store; an order
    // already attributed to a campaign keeps it.
    const partnerCode = await claim(partner.definitionId);
    const partnerOrder = await order(t, ann!, { amount: 20, channel: "PARTNER", campaignId: "other-campaign" });
    expect(await redeem(partnerCode, partnerOrder)).toBe("BAD_USER_INPUT:input.partnerId");
    expect(await redeem(partnerCode, partnerOrder, { partnerId: "partner-b", storeId: "pa-store-1" })).toBe("NOT_FOUND");
    expect(await redeem(partnerCode, partnerOrder, { partnerId: "partner-a" })).toBe("BAD_USER_INPUT:input.storeId");
    expect(await redeem(partnerCode, partnerOrder, { partnerId: "partner-a", storeId: "pa-store-9" })).toBe("BAD_USER_INPUT:input.storeId");
    const p = await redeemCouponAtPartner(t, { code: partnerCode, orderId: partnerOrder, partnerId: "partner-a", partnerStoreId: "pa-store-1" });
    expect(p.coupon).toMatchObject({ redeemedVia: "PARTNER", partnerId: "partner-a", storeId: "pa-store-1", discountMinor: 2000 }); // 30 off capped at the order's 20
    expect(await getOrder(t, partnerOrder)).toMatchObject({ couponCode: partnerCode, campaignId: "other-campaign" });

    // Counters: per definition and summed per campaign (discount = what each redemption took off).
    expect(await couponStats(t, campaignId)).toEqual({ definitions: 4, totalQuantity: 40, issued: 5, redeemed: 4, discountMinor: 2000 + 1500 + 2000 + 2000 });
    // A campaign that stopped running redeems nothing.
    const pending = await claim(online.definitionId);
    await changeCampaignStatus(t, campaignId, "PAUSED");
    expect(await redeem(pending, await order(t, ann!, { amount: 500 }))).toBe("CONFLICT:CAMPAIGN_NOT_RUNNING");
  });

  it("computes the discount as documented", () => {
    expect(discountFor({ amountOffMinor: 2000 }, 15_000)).toBe(2000);
    expect(discountFor({ amountOffMinor: 2000 }, 1500)).toBe(1500);
    expect(discountFor({ percentOff: 15 }, 8880)).toBe(1332);
    expect(discountFor({ percentOff: 15 }, 8890)).toBe(1334); // 1333.5 rounds half up
    expect(discountFor({ percentOff: 10 }, 5)).toBe(1); // 0.5 fen rounds up
  });
});
