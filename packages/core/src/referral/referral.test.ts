import { describe, expect, it } from "vitest";
import { changeCampaignStatus, createCampaign, updateCampaign } from "../campaign/index.js";
import { createCouponDefinition, findCouponDefinition, listMemberCoupons } from "../coupon/index.js";
import { createMember, getMember, setReferrer } from "../member/index.js";
import { recordOrder } from "../order/index.js";
import { listLedger } from "../points/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import { findInviteCode, findReferral, inviteCode, listReferralsOf, recordReferral, referralStats } from "./index.js";

const code = async (p: Promise<unknown>) => p.then(() => "OK", (e: { code?: string }) => e.code ?? String(e));
const member = async (t: string) => (await createMember(t, { sourceChannel: "MINI_PROGRAM" }, actor)).memberId;
const ledger = async (t: string, m: string) => (await listLedger(t, m, {})).items.map((e) => [e.type, e.points, e.campaignId ?? null, e.orderId ?? null]);

/** A running REFERRAL campaign: 100 for the invitee's first order, 200 for the referrer, +300 at 3 and +600 at 5. */
async function campaign(t: string, id = "invite-2025", extra: Record<string, unknown> = {}) {
  await createCampaign(t, { id, name: "Invite friends", type: "REFERRAL", config: { referral: { inviteeFirstOrderPoints: 100, referrerPoints: 200, ladder: [{ referrals: 3, points: 300 }, { referrals: 5, points: 600 }] } }, ...extra }, actor);
  await changeCampaignStatus(t, id, "RUNNING");
  return id;
}

const order = (memberId: string, orderId: string, amount = 50) => ({ orderId, memberId, channel: "MINI_PROGRAM", amount, occurredAt: "2025-06-01T02:00:00Z" });

describe("referral invite codes", () => {
  it("creates one short unguessable code per member and campaign, resolvable by code", async () => {
    const t = newTenantId();
    const c = await campaign(t);
    const other = await campaign(t, "invite-b");
    const a = await member(t);
    const first = await inviteCode(t, c, a);
    expect(first.created).toBe(true);
    expect(first.invite.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => inviteCode(t, c, a)));
    expect(new Set(concurrent.map((r) => r.invite.code))).toEqual(new Set([first.invite.code]));
    expect(concurrent.every((r) => !r.created)).toBe(true);
    expect((await inviteCode(t, other, a)).invite.code).not.toBe(first.invite.code);
    // Concurrent first calls for a new member also agree on one code.
    const b = await member(t);
    const race = await Promise.all(Array.from({ length: 5 }, () => inviteCode(t, c, b)));
    expect(new Set(race.map((r) => r.invite.code)).size).toBe(1);
    expect(race.filter((r) => r.created)).toHaveLength(1);

    const typed = `${first.invite.code.slice(0, 5).toLowerCase()}-${first.invite.code.slice(5)}`;
    expect(await findInviteCode(t, typed)).toMatchObject({ campaignId: c, memberId: a, code: first.invite.code });
    expect(await findInviteCode(t, "NOPE")).toBeUndefined();
    expect(await findInviteCode(newTenantId(), first.invite.code)).toBeUndefined();

    const coupon = await createCampaign(t, { name: "c", type: "COUPON" }, actor);
    expect(await code(inviteCode(t, coupon.campaignId, a))).toBe("BAD_USER_INPUT");
    expect(await code(inviteCode(t, "missing", a))).toBe("NOT_FOUND");
    expect(await code(inviteCode(t, c, "m_missing"))).toBe("NOT_FOUND");
  });
});

describe("recording referrals", () => {
  it("records once per invitee, refuses self, cycles, other codes, old customers and campaigns not running", async () => {
    const t = newTenantId();
    const c = await campaign(t);
    const [a, b, x] = [await member(t), await member(t), await member(t)];
    const codeA = (await inviteCode(t, c, a)).invite.code;
    const codeB = (await inviteCode(t, c, b)).invite.code;
    const codeX = (await inviteCode(t, c, x)).invite.code;

    const r = await recordReferral(t, { code: codeA, inviteeId: b });
    expect(r).toMatchObject({ duplicate: false, referral: { campaignId: c, referrerId: a, inviteeId: b, code: codeA, status: "JOINED" } });
    expect(await recordReferral(t, { code: codeA, inviteeId: b })).toMatchObject({ duplicate: true, referral: { referredAt: r.referral.referredAt } });
    expect(await getMember(t, b)).toMatchObject({ referrerId: a });
    expect(await getMember(t, a)).toMatchObject({ referralCount: 1 });

    expect(await code(recordReferral(t, { code: codeX, inviteeId: b }))).toBe("CONFLICT"); // a second code for b
    expect(await code(recordReferral(t, { code: codeA, inviteeId: a }))).toBe("BAD_USER_INPUT"); // self
    expect(await code(recordReferral(t, { code: codeB, inviteeId: a }))).toBe("BAD_USER_INPUT"); // a → b → a
    expect(await code(recordReferral(t, { code: "ZZZZZZZZZZ", inviteeId: x }))).toBe("NOT_FOUND");

    const buyer = await member(t);
    await recordOrder(t, order(buyer, "old-1"), actor);
    expect(await code(recordReferral(t, { code: codeA, inviteeId: buyer }))).toBe("CONFLICT");

    const referredElsewhere = await member(t);
    await setReferrer(t, referredElsewhere, x);
    expect(await code(recordReferral(t, { code: codeA, inviteeId: referredElsewhere }))).toBe("CONFLICT");

    await changeCampaignStatus(t, c, "PAUSED");
    expect(await code(recordReferral(t, { code: codeA, inviteeId: x }))).toBe("CONFLICT");
    expect(await findReferral(t, x)).toBeUndefined();
  });

  it("takes exactly one of 10 concurrent referrals of one invitee with different codes", async () => {
    const t = newTenantId();
    const c = await campaign(t);
    const referrers = await Promise.all(Array.from({ length: 10 }, () => member(t)));
    const codes = await Promise.all(referrers.map(async (m) => (await inviteCode(t, c, m)).invite.code));
    const invitee = await member(t);
    const outcomes = await Promise.all(codes.map((k) => code(recordReferral(t, { code: k, inviteeId: invitee }))));
    expect(outcomes.filter((o) => o === "OK")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "CONFLICT")).toHaveLength(9);
    const winner = referrers[outcomes.indexOf("OK")]!;
    expect(await getMember(t, invitee)).toMatchObject({ referrerId: winner });
  });
  it("counts a referrer once when 10 invitees join with the same code at the same moment", async () => {
    const t = newTenantId();
    const c = await campaign(t);
    const a = await member(t);
    const codeA = (await inviteCode(t, c, a)).invite.code;
    const invitees = await Promise.all(Array.from({ length: 10 }, () => member(t)));
    const at = new Date("2025-04-01T04:00:00Z");
    await Promise.all(invitees.map((i) => recordReferral(t, { code: codeA, inviteeId: i }, at)));
    expect(await getMember(t, a)).toMatchObject({ referralCount: 10 });
    expect(await referralStats(t, c, { from: "2025-04-01", to: "2025-04-01" })).toMatchObject({ referred: 10, referrers: 1, kFactor: 10 });
    expect((await listReferralsOf(t, a, null, { first: 100 })).items).toHaveLength(10);
  });
});

describe("referral rewards", () => {
  it("grants the invitee's gift and the referrer's reward with the first order, exactly once", async () => {
    const t = newTenantId();
    const c = await campaign(t);
    const [a, b] = [await member(t), await member(t)];
    await recordReferral(t, { code: (await inviteCode(t, c, a)).invite.code, inviteeId: b });

    const results = await Promise.all(Array.from({ length: 10 }, () => recordOrder(t, order(b, "first-1", 88), actor)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    await recordOrder(t, order(b, "first-1", 88), actor); // sent again later
    await recordOrder(t, order(b, "second-1", 20), actor); // not a first order

    // b: 88 + 20 points earned, 100 gift. a: 200 reward.
    expect(await getMember(t, b)).toMatchObject({ pointsBalance: 208, orderCount: 2 });
    expect(await getMember(t, a)).toMatchObject({ pointsBalance: 200, orderCount: 0 });
    expect(await ledger(t, b)).toEqual([["EARN", 20, null, "second-1"], ["REFERRAL", 100, c, "first-1"], ["EARN", 88, null, "first-1"]]);
    expect(await ledger(t, a)).toEqual([["REFERRAL", 200, c, "first-1"]]);
    expect(await findReferral(t, b)).toMatchObject({ status: "CONVERTED", orderId: "first-1", inviteePoints: 100, referrerPoints: 200, ladderPoints: 0 });
  });

  it("pays the ladder step at the 3rd and 5th successful referral exactly once, also when invitees order concurrently", async () => {
    const t = newTenantId();
    const c = await campaign(t);
    const a = await member(t);
    const codeA = (await inviteCode(t, c, a)).invite.code;
    const invitees = await Promise.all(Array.from({ length: 6 }, () => member(t)));
    for (const i of invitees) await recordReferral(t, { code: codeA, inviteeId: i });
    // Five invitees' first orders at once, each sent twice; the sixth afterwards.
    await Promise.all(invitees.slice(0, 5).flatMap((i) => [recordOrder(t, order(i, `o-${i}`), actor), recordOrder(t, order(i, `o-${i}`), actor)]));
    await recordOrder(t, order(invitees[5]!, `o-${invitees[5]}`), actor);
    // 6 × 200 reward + 300 (3rd) + 600 (5th) = 2,100.
    expect(await getMember(t, a)).toMatchObject({ pointsBalance: 2100 });
    const entries = (await listLedger(t, a, {})).items;
    expect(entries.filter((e) => e.reason?.startsWith("referral ladder")).map((e) => e.points).sort()).toEqual([300, 600]);
    expect(entries.filter((e) => e.reason?.startsWith("referral reward"))).toHaveLength(6);
    for (const i of invitees) expect(await getMember(t, i)).toMatchObject({ pointsBalance: 150 }); // 50 earned + 100 gift
    const referrals = await listReferralsOf(t, a, c, { first: 10 });
    expect(referrals.items).toHaveLength(6);
    expect(referrals.items.every((r) => r.status === "CONVERTED")).toBe(true);
    expect(referrals.items.map((r) => r.ladderPoints).sort((x, y) => x! - y!)).toEqual([0, 0, 0, 0, 300, 600]);
  });

  it("gives nothing for a referral made without a campaign, or once the campaign has ended", async () => {
    const t = newTenantId();
    const c = await campaign(t);
    const [a, b, d] = [await member(t), await member(t), await member(t)];
    await setReferrer(t, d, a); // a referrer, but no campaign
    await recordReferral(t, { code: (await inviteCode(t, c, a)).invite.code, inviteeId: b });
    await changeCampaignStatus(t, c, "ENDED");
    await recordOrder(t, order(b, "late-1"), actor);
    await recordOrder(t, order(d, "plain-1"), actor);
    expect(await getMember(t, b)).toMatchObject({ pointsBalance: 50 });
    expect(await getMember(t, d)).toMatchObject({ pointsBalance: 50 });
    expect(await getMember(t, a)).toMatchObject({ pointsBalance: 0 });
    expect(await findReferral(t, b)).toMatchObject({ status: "JOINED" });
  });
});

describe("referral stats", () => {
  it("counts referred members, first-time referrers and conversions by the campaign's local day", async () => {
    const t = newTenantId();
    const c = await campaign(t);
    const [a, b] = [await member(t), await member(t)];
    const invitees = await Promise.all(Array.from({ length: 5 }, () => member(t)));
    const [codeA, codeB] = [(await inviteCode(t, c, a)).invite.code, (await inviteCode(t, c, b)).invite.code];
    // Shanghai day 2025-03-01 runs 2025-02-28T16:00Z .. 2025-03-01T16:00Z.
    await recordReferral(t, { code: codeA, inviteeId: invitees[0]! }, new Date("2025-02-28T16:30:00Z"));
    await recordReferral(t, { code: codeA, inviteeId: invitees[1]! }, new Date("2025-03-01T10:00:00Z"));
    await recordReferral(t, { code: codeB, inviteeId: invitees[2]! }, new Date("2025-03-01T15:59:59Z"));
    await recordReferral(t, { code: codeA, inviteeId: invitees[3]! }, new Date("2025-03-01T16:00:00Z")); // 03-02
    await recordReferral(t, { code: codeB, inviteeId: invitees[4]! }, new Date("2025-03-02T10:00:00Z"));
    await recordOrder(t, { ...order(invitees[0]!, "conv-1"), occurredAt: "2025-03-02T03:00:00Z" }, actor);

    expect(await referralStats(t, c, { from: "2025-03-01", to: "2025-03-01" })).toEqual({ from: "2025-03-01", to: "2025-03-01", referred: 3, referrers: 2, kFactor: 1.5, converted: 0, partnerReferred: 0 });
    expect(await referralStats(t, c, { from: "2025-03-01", to: "2025-03-02" })).toMatchObject({ referred: 5, referrers: 2, kFactor: 2.5, converted: 1 });
    // On 03-02 alone both referrers had referred before: no first-time referrers that day.
    expect(await referralStats(t, c, { from: "2025-03-02", to: "2025-03-02" })).toMatchObject({ referred: 2, referrers: 0, kFactor: null, converted: 1 });
    expect(await referralStats(t, c, { from: "2025-03-03", to: "2025-03-09" })).toMatchObject({ referred: 0, referrers: 0, kFactor: null, converted: 0 });
    expect(await code(referralStats(t, c, { from: "2025-03-02", to: "2025-03-01" }))).toBe("BAD_USER_INPUT");
    expect(await code(referralStats(t, c, { from: "2025-01-01", to: "2026-01-02" }))).toBe("BAD_USER_INPUT"); // over 366 days
  });
});

describe("coupon rewards", () => {
  it("issues the referrer's and the invitee's coupons with the first order, once, within quantity and limits", async () => {
    const t = newTenantId();
    // Draft first: its coupons are made on it, then named in its settings, then it starts.
    const c = (await createCampaign(t, { id: "invite-coupons", name: "Invite with coupons", type: "REFERRAL", config: { referral: { referrerPoints: 10 } } }, actor)).campaignId;
    const def = { campaignId: c, amountOff: 5, minimumSpend: 20, redeemableAt: ["ONLINE"] };
    await createCouponDefinition(t, { ...def, id: "ref-thanks", name: "Thanks for inviting", totalQuantity: 2, perMemberLimit: 5 }, actor);
    await createCouponDefinition(t, { ...def, id: "ref-welcome", name: "Welcome gift", totalQuantity: 100, perMemberLimit: 1 }, actor);
    const other = await campaign(t, "other-campaign");
    await createCouponDefinition(t, { ...def, campaignId: other, id: "other-def", name: "x", totalQuantity: 1 }, actor);
    expect(await code(updateCampaign(t, c, { config: { referral: { referrerCouponId: "other-def" } } }))).toBe("BAD_USER_INPUT");
    expect(await code(updateCampaign(t, c, { config: { referral: { inviteeCouponId: "no-such-def" } } }))).toBe("NOT_FOUND");
    const updated = await updateCampaign(t, c, { config: { referral: { referrerPoints: 10, referrerCouponId: "ref-thanks", inviteeCouponId: "ref-welcome" } } });
    expect(updated.config.referral).toEqual({ referrerPoints: 10, referrerCouponId: "ref-thanks", inviteeCouponId: "ref-welcome" });
    await changeCampaignStatus(t, c, "RUNNING");

    const a = await member(t);
    const invitees = await Promise.all(Array.from({ length: 3 }, () => member(t)));
    const codeA = (await inviteCode(t, c, a)).invite.code;
    for (const i of invitees) await recordReferral(t, { code: codeA, inviteeId: i });
    // Three first orders at once, each sent twice: the referrer's coupon runs out at 2, no order is refused.
    await Promise.all(invitees.flatMap((i, n) => [recordOrder(t, order(i, `first-${n}`), actor), recordOrder(t, order(i, `first-${n}`), actor)]));

    const coupons = async (m: string) => (await listMemberCoupons(t, m, { first: 50 })).items.map((x) => [x.definitionId, x.source]);
    expect(await coupons(a)).toEqual([["ref-thanks", "REFERRAL"], ["ref-thanks", "REFERRAL"]]);
    for (const i of invitees) expect(await coupons(i)).toEqual([["ref-welcome", "REFERRAL"]]);
    expect(await findCouponDefinition(t, "ref-thanks", true)).toMatchObject({ issued: 2 });
    expect(await findCouponDefinition(t, "ref-welcome", true)).toMatchObject({ issued: 3 });
    const referrals = await Promise.all(invitees.map((i) => findReferral(t, i)));
    expect(referrals.every((r) => r?.status === "CONVERTED" && r.inviteeCouponCode && r.referrerPoints === 10)).toBe(true);
    expect(referrals.filter((r) => r?.referrerCouponCode).length).toBe(2);
    expect(await getMember(t, a)).toMatchObject({ pointsBalance: 30 });
  });
});
