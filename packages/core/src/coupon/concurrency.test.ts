import { describe, expect, it } from "vitest";
import { getOrder } from "../order/read.js";
import { actor, newTenantId } from "../test/tenant.js";
import { claimCoupon, createCouponDefinition, getCouponDefinition, listDefinitionCoupons, redeemCoupon } from "./index.js";
import { members, order, outcome, runningCampaign } from "./test-support.js";

describe("coupons under concurrency (DynamoDB Local)", () => {
  it("1,000 concurrent claims of a 100-coupon batch issue exactly 100: no oversell, no lost coupon, the per-member limit holds", async () => {
    const t = newTenantId();
    const campaignId = await runningCampaign(t);
    const d = await createCouponDefinition(t, { campaignId, name: "Flash 20 off", amountOff: 20, totalQuantity: 100, perMemberLimit: 1, redeemableAt: ["ONLINE"] }, actor);
    const people = await members(t, 950);
    // 950 distinct members, and one eager member claiming 50 times with 50 request ids (sent first,
    // so they race each other before the batch runs out).
    const eager = people[0]!;
    const claims = [...Array.from({ length: 50 }, (_, i) => ({ memberId: eager, requestId: `eager-${i}` })), ...people.map((m, i) => ({ memberId: m, requestId: `r-${i}` }))];
    const started = Date.now();
    // A client told RETRYABLE (DynamoDB stayed busy through every internal retry) sends the same
    // request again, as the API says; the request id makes that safe.
    let retried = 0;
    const claimUntilAnswered = async (c: { memberId: string; requestId: string }) => {
      for (;;) {
        const r = await outcome(claimCoupon(t, { definitionId: d.definitionId, ...c }));
        if (r !== "RETRYABLE") return r;
        retried++;
      }
    };
    const results = await Promise.all(claims.map(claimUntilAnswered));
    const tally = results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r]: (acc[r] ?? 0) + 1 }), {});
    console.log(`1,000 claims in ${Date.now() - started} ms (${retried} resent after RETRYABLE):`, tally);
    expect(tally.OK).toBe(100);
    // Every failure says why: sold out, or the eager member's limit. Nothing left to retry.
    expect(Object.keys(tally).sort()).toEqual(["CONFLICT:LIMIT_REACHED", "CONFLICT:SOLD_OUT", "OK"].filter((k) => tally[k]));
    const after = await getCouponDefinition(t, d.definitionId, true);
    const coupons = await listDefinitionCoupons(t, d.definitionId);
    expect(after.issued).toBe(100);
    expect(coupons).toHaveLength(100);
    expect(new Set(coupons.map((c) => c.code)).size).toBe(100);
    expect(new Set(coupons.map((c) => c.memberId)).size).toBe(100); // limit 1: nobody holds two
    expect(coupons.filter((c) => c.memberId === eager)).toHaveLength(1);
    // Whoever holds a coupon was told OK, and whoever was told OK holds one (timeouts retried safely).
    const told = new Set(claims.filter((_, i) => results[i] === "OK").map((c) => c.memberId));
    expect([...told].sort()).toEqual([...new Set(coupons.map((c) => c.memberId))].sort());
    expect((tally["CONFLICT:LIMIT_REACHED"] ?? 0) + (tally["CONFLICT:SOLD_OUT"] ?? 0)).toBe(900);
  }, 300_000); // 950 members to create, then 1,000 claims: minutes on a loaded machine

  it("100 concurrent redemptions of one code: exactly one succeeds, 99 get CONFLICT already redeemed", async () => {
    const t = newTenantId();
    const campaignId = await runningCampaign(t);
    const d = await createCouponDefinition(t, { campaignId, name: "10% off", percentOff: 10, totalQuantity: 10, redeemableAt: ["ONLINE"] }, actor);
    const [m] = await members(t, 1);
    const { coupon } = await claimCoupon(t, { definitionId: d.definitionId, memberId: m!, requestId: "claim-1" });
    const orderIds: string[] = [];
    for (let i = 0; i < 100; i++) orderIds.push(await order(t, m!, { amount: 88.8 }));
    const results = await Promise.all(orderIds.map((orderId) => outcome(redeemCoupon(t, { code: coupon.code, orderId }))));
    expect(results.filter((r) => r === "OK")).toHaveLength(1);
    expect(results.filter((r) => r === "CONFLICT:ALREADY_REDEEMED")).toHaveLength(99);
    const winner = orderIds[results.indexOf("OK")]!;
    const orders = await Promise.all(orderIds.map((id) => getOrder(t, id)));
    expect(orders.filter((o) => o.couponCode)).toEqual([expect.objectContaining({ orderId: winner, couponCode: coupon.code, campaignId })]);
    const after = await getCouponDefinition(t, d.definitionId, true);
    expect({ issued: after.issued, redeemed: after.redeemed, discountMinor: after.discountMinor }).toEqual({ issued: 1, redeemed: 1, discountMinor: 888 });
  });
});
