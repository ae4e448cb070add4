import { countRequests } from "@growth/core/db";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

type Errors = { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };
const errorOf = (r: Errors) => ({ code: r.errors?.[0]?.extensions?.code, field: r.errors?.[0]?.extensions?.field, reason: r.errors?.[0]?.extensions?.reason, message: r.errors?.[0]?.message });

async function ok<T = Record<string, any>>(p: Promise<{ data?: unknown; errors?: readonly unknown[] }>): Promise<T> {
  const r = await p;
  expect(r.errors).toBeUndefined();
  return r.data as T;
}

const DEFINITION = `id name amountOff { amount currency } percentOff minimumSpend { amount } validDays totalQuantity perMemberLimit redeemableAt stores { id } issued remaining redeemed discount { amount } campaign { id }`;
const CREATE = `mutation($input: CreateCouponDefinitionInput!) { createCouponDefinition(input: $input) { definition { ${DEFINITION} } } }`;
const CLAIM = `mutation($input: ClaimCouponInput!) { claimCoupon(input: $input) { duplicate coupon { code status source name amountOff { amount } member { id } definition { id issued } } } }`;
const REDEEM = `mutation($input: RedeemCouponInput!) { redeemCoupon(input: $input) { duplicate discount { amount currency } coupon { code status redeemedVia orderId: order { id } discount { amount } } order { id campaignId coupon { code } } } }`;

describe("coupons through GraphQL", () => {
  it("defines, issues to a segment, claims, lists, looks up and redeems coupons end to end", async () => {
    const tenant = newTenantId();
    const member = async (name: string, tags: string[], marketingConsent = true) =>
      (await ok(executeOperation(`mutation($input: CreateMemberInput!) { createMember(input: $input) { member { id } } }`, { input: { name, sourceChannel: "MINI_PROGRAM", tags, marketingConsent } }, { tenant }))).createMember.member.id as string;
    const [ann, bob, cat] = [await member("Ann", ["vip"]), await member("Bob", ["vip"]), await member("Cat", ["vip"], false)];
    const seg = await ok(executeOperation(`mutation { createSegment(input: { name: "VIP", rule: { condition: { field: HAS_TAG, op: ANY_OF, values: ["vip"] } } }) { segment { id } } }`, {}, { tenant }));
    const segmentId = seg.createSegment.segment.id as string;
    await ok(executeOperation(`mutation($id: ID!) { refreshSegment(input: { id: $id }) { size } }`, { id: segmentId }, { tenant }));
    await ok(executeOperation(`mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } } }`, { input: { id: "double11", name: "Double 11", type: "COUPON", targetSegmentId: segmentId } }, { tenant }));
    await ok(executeOperation(`mutation { changeCampaignStatus(input: { id: "double11", status: RUNNING }) { campaign { status } } }`, {}, { tenant }));

    const created = await ok(executeOperation(CREATE, { input: { id: "d11-20off", campaignId: "double11", name: "20 off 100", amountOff: 20, minimumSpend: 100, validDays: 7, totalQuantity: 3, redeemableAt: ["ONLINE"] } }, { tenant, role: "OPERATOR" }));
    expect(created.createCouponDefinition.definition).toEqual({
      id: "d11-20off", name: "20 off 100", amountOff: { amount: 20, currency: "CNY" }, percentOff: null, minimumSpend: { amount: 100 }, validDays: 7, totalQuantity: 3, perMemberLimit: 1,
      redeemableAt: ["ONLINE"], stores: [], issued: 0, remaining: 3, redeemed: 0, discount: { amount: 0 }, campaign: { id: "double11" },
    });
    // Ann and Bob consent; Cat does not.
    const issued = await ok(executeOperation(`mutation { issueCoupons(input: { definitionId: "d11-20off" }) { members issued alreadyIssued limitReached skipped soldOut definition { issued remaining } } }`, {}, { tenant }));
    expect(issued.issueCoupons).toEqual({ members: 3, issued: 2, alreadyIssued: 0, limitReached: 0, skipped: 1, soldOut: false, definition: { issued: 2, remaining: 1 } });

    // Cat is in the audience and claims the last one herself; then it is sold out.
    const claimed = await ok(executeOperation(CLAIM, { input: { definitionId: "d11-20off", memberId: cat, requestId: "mp-cat-1" } }, { tenant }));
    expect(claimed.claimCoupon).toMatchObject({ duplicate: false, coupon: { status: "ISSUED", source: "CLAIM", name: "20 off 100", amountOff: { amount: 20 }, member: { id: cat }, definition: { id: "d11-20off", issued: 3 } } });
    const code = claimed.claimCoupon.coupon.code as string;
    expect((await ok(executeOperation(CLAIM, { input: { definitionId: "d11-20off", memberId: cat, requestId: "mp-cat-1" } }, { tenant }))).claimCoupon).toMatchObject({ duplicate: true, coupon: { code } });
    expect(errorOf(await executeOperation(CLAIM, { input: { definitionId: "d11-20off", memberId: cat, requestId: "mp-cat-2" } }, { tenant }))).toMatchObject({ code: "CONFLICT", reason: "SOLD_OUT", message: "coupon d11-20off is sold out: all 3 have been issued" });

    // Lookup by code, as printed, and a member's coupons (one query, coupons primed).
    const printed = `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`.toLowerCase();
    expect((await ok(executeOperation(`query($code: String!) { coupon(code: $code) { code status member { id } } }`, { code: printed }, { tenant }))).coupon).toEqual({ code, status: "ISSUED", member: { id: cat } });
    const mine = await ok(executeOperation(`query($id: ID!) { member(id: $id) { coupons(first: 5) { edges { node { code status source validTo } } } } }`, { id: ann }, { tenant, role: "ANALYST" }));
    expect(mine.member.coupons.edges).toHaveLength(1);
    expect(mine.member.coupons.edges[0].node).toMatchObject({ status: "ISSUED", source: "SEGMENT" });

    // Redeem on an order: min spend, then success; the order is attributed; the same request again is a duplicate.
    const order = async (id: string, memberId: string, amount: number) =>
      ok(executeOperation(`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } } }`, { input: { id, memberId, channel: "MINI_PROGRAM", amount, occurredAt: new Date(Date.now() - 60_000).toISOString() } }, { tenant }));
    await order("o-small", cat, 99.5);
    await order("o-cat", cat, 128);
    await order("o-bob", bob, 300);
    expect(errorOf(await executeOperation(REDEEM, { input: { code, orderId: "o-small" } }, { tenant }))).toMatchObject({ code: "BAD_USER_INPUT", field: "input.orderId" });
    expect(errorOf(await executeOperation(REDEEM, { input: { code, orderId: "o-bob" } }, { tenant }))).toMatchObject({ code: "BAD_USER_INPUT", field: "input.orderId" });
    expect(errorOf(await executeOperation(REDEEM, { input: { code, orderId: "o-cat", storeId: "s1" } }, { tenant }))).toMatchObject({ code: "BAD_USER_INPUT", field: "input.storeId" });
    const redeemed = await ok(executeOperation(REDEEM, { input: { code: printed, orderId: "o-cat" } }, { tenant, role: "OPERATOR" }));
    expect(redeemed.redeemCoupon).toEqual({
      duplicate: false, discount: { amount: 20, currency: "CNY" },
      coupon: { code, status: "REDEEMED", redeemedVia: "ONLINE", orderId: { id: "o-cat" }, discount: { amount: 20 } },
      order: { id: "o-cat", campaignId: "double11", coupon: { code } },
    });
    expect((await ok(executeOperation(REDEEM, { input: { code, orderId: "o-cat" } }, { tenant }))).redeemCoupon.duplicate).toBe(true);
    expect(errorOf(await executeOperation(REDEEM, { input: { code, orderId: "o-small" } }, { tenant }))).toMatchObject({ code: "CONFLICT", reason: "ALREADY_REDEEMED" });
    expect(errorOf(await executeOperation(REDEEM, { input: { code: "2222-3333-4444", orderId: "o-cat" } }, { tenant })).code).toBe("NOT_FOUND");
    expect((await ok(executeOperation(`{ order(id: "o-cat") { coupon { code status } } }`, {}, { tenant }))).order.coupon).toEqual({ code, status: "REDEEMED" });

    // The campaign's counters and definitions, read by an analyst: one Query for the stats.
    const stats = await ok(executeOperation(`{ campaign(id: "double11") { couponStats { definitions totalQuantity issued redeemed discount { amount } } couponDefinitions { id redeemed } } couponDefinitions(campaignId: "double11") { id } }`, {}, { tenant, role: "ANALYST" }));
    expect(stats).toEqual({
      campaign: { couponStats: { definitions: 1, totalQuantity: 3, issued: 3, redeemed: 1, discount: { amount: 20 } }, couponDefinitions: [{ id: "d11-20off", redeemed: 1 }] },
      couponDefinitions: [{ id: "d11-20off" }],
    });
    // Stats and definitions of a campaign share one Query.
    const campaignReads = await countRequests(() => ok(executeOperation(`{ campaign(id: "double11") { couponStats { issued } couponDefinitions { id } } }`, {}, { tenant })));
    // (a loader batch of one key is a GetItem)
    expect(campaignReads.tally.byCommand).toEqual({ GetItemCommand: 1, QueryCommand: 1 });
    const { tally } = await countRequests(() => ok(executeOperation(`{ couponDefinition(id: "d11-20off") { issued } }`, {}, { tenant })));
    expect(tally.byCommand).toEqual({ GetItemCommand: 1 });
    // A member's coupons with their definitions: one Query of the member's coupons, one BatchGet of definitions.
    const listed = await countRequests(() => ok(executeOperation(`query($id: ID!) { member(id: $id) { coupons { edges { node { code definition { name } } } } } }`, { id: cat }, { tenant })));
    expect(listed.tally.byCommand).toEqual({ GetItemCommand: 2, QueryCommand: 1 }); // + the member itself (one definition: a GetItem)

    // Fixed once issued; a rerun of the segment issue issues nothing more.
    expect(errorOf(await executeOperation(`mutation { updateCouponDefinition(input: { id: "d11-20off", name: "late" }) { definition { id } } }`, {}, { tenant })).code).toBe("CONFLICT");
    expect((await ok(executeOperation(`mutation { issueCoupons(input: { definitionId: "d11-20off" }) { issued soldOut } }`, {}, { tenant }))).issueCoupons).toEqual({ issued: 0, soldOut: true });
  });

  it("refuses bad input and callers without the permission; another brand sees nothing", async () => {
    const tenant = newTenantId();
    await ok(executeOperation(`mutation { createCampaign(input: { id: "c1", name: "C", type: COUPON }) { campaign { id } } }`, {}, { tenant }));
    const input = { campaignId: "c1", name: "x", amountOff: 5, totalQuantity: 10, redeemableAt: ["ONLINE"] };
    expect(errorOf(await executeOperation(CREATE, { input: { ...input, percentOff: 10 } }, { tenant }))).toMatchObject({ code: "BAD_USER_INPUT", field: "input.percentOff" });
    expect(errorOf(await executeOperation(CREATE, { input: { ...input, amountOff: undefined, percentOff: 100 } }, { tenant }))).toMatchObject({ code: "BAD_USER_INPUT", field: "input.percentOff" });
    expect(errorOf(await executeOperation(CREATE, { input: { ...input, campaignId: "nope" } }, { tenant })).code).toBe("NOT_FOUND");
    expect(errorOf(await executeOperation(CREATE, { input }, { tenant, role: "ANALYST" })).code).toBe("FORBIDDEN");
    await ok(executeOperation(CREATE, { input: { ...input, id: "d1" } }, { tenant }));
    // The campaign is a draft: nothing can be claimed or issued yet.
    expect(errorOf(await executeOperation(CLAIM, { input: { definitionId: "d1", memberId: "m_1", requestId: "r1" } }, { tenant }))).toMatchObject({ code: "CONFLICT", reason: "CAMPAIGN_NOT_RUNNING" });
    expect(errorOf(await executeOperation(`mutation { issueCoupons(input: { definitionId: "d1" }) { issued } }`, {}, { tenant })).code).toBe("CONFLICT");
    expect(errorOf(await executeOperation(CLAIM, { input: { definitionId: "d1", memberId: "m_1", requestId: "r1" } }, { tenant, role: "ANALYST" })).code).toBe("FORBIDDEN");
    expect(errorOf(await executeOperation(REDEEM, { input: { code: "x", orderId: "o" } }, { tenant, role: "ANALYST" })).code).toBe("FORBIDDEN");
    const other = await ok(executeOperation(`{ couponDefinition(id: "d1") { id } couponDefinitions(campaignId: "c1") { id } coupon(code: "2222-3333-4444") { code } }`, {}, { tenant: newTenantId() }));
    expect(other).toEqual({ couponDefinition: null, couponDefinitions: [], coupon: null });
  });
});
