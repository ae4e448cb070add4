import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

type Errors = { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };
const errorOf = (r: Errors) => ({ code: r.errors?.[0]?.extensions?.code, field: r.errors?.[0]?.extensions?.field });

async function ok<T = Record<string, any>>(p: Promise<{ data?: unknown; errors?: readonly unknown[] }>): Promise<T> {
  const r = await p;
  expect(r.errors).toBeUndefined();
  return r.data as T;
}

const INVITE = `mutation($c: ID!, $m: ID!) { inviteCode(campaignId: $c, memberId: $m) { created inviteCode { code campaign { id } member { id } } } }`;
const RECORD = `mutation($code: String!, $invitee: ID!) { recordReferral(input: { code: $code, inviteeId: $invitee }) { duplicate referral { status code referrer { id } invitee { id } campaign { id } } } }`;
const ORDER = `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { duplicate order { id pointsEarned pointsBoost { campaignId multiplier extraPoints campaign { name } } } } }`;

describe("referral and points multiplier through GraphQL", () => {
  it("invites, records, rewards once, lists and counts a referral campaign; analysts read but may not write", async () => {
    const tenant = newTenantId();
    const member = async (name: string) =>
      (await ok(executeOperation(`mutation($input: CreateMemberInput!) { createMember(input: $input) { member { id } } }`, { input: { name, sourceChannel: "WECHAT_OA" } }, { tenant }))).createMember.member.id as string;
    const [ann, bob] = [await member("Ann"), await member("Bob")];
    await ok(
      executeOperation(`mutation { createCampaign(input: { id: "invite-2025", name: "Invite a friend", type: REFERRAL, config: { referral: { inviteeFirstOrderPoints: 100, referrerPoints: 200, ladder: [{ referrals: 3, points: 300 }] } } }) { campaign { id } } }`, {}, { tenant }),
    );
    await ok(executeOperation(`mutation { changeCampaignStatus(input: { id: "invite-2025", status: RUNNING }) { campaign { status } } }`, {}, { tenant }));

    const invited = await ok(executeOperation(INVITE, { c: "invite-2025", m: ann }, { tenant, role: "OPERATOR" }));
    const code = invited.inviteCode.inviteCode.code as string;
    expect(invited.inviteCode).toEqual({ created: true, inviteCode: { code, campaign: { id: "invite-2025" }, member: { id: ann } } });
    expect((await ok(executeOperation(INVITE, { c: "invite-2025", m: ann }, { tenant }))).inviteCode).toMatchObject({ created: false, inviteCode: { code } });
    expect((await ok(executeOperation(`query($code: String!) { inviteByCode(code: $code) { code member { id } } }`, { code: code.toLowerCase() }, { tenant, role: "ANALYST" }))).inviteByCode).toEqual({ code, member: { id: ann } });

    const recorded = await ok(executeOperation(RECORD, { code, invitee: bob }, { tenant }));
    expect(recorded.recordReferral).toEqual({ duplicate: false, referral: { status: "JOINED", code, referrer: { id: ann }, invitee: { id: bob }, campaign: { id: "invite-2025" } } });
    expect((await ok(executeOperation(RECORD, { code, invitee: bob }, { tenant }))).recordReferral.duplicate).toBe(true);

    // Bob's first order, sent twice: 36 earned + 100 gift for Bob, 200 for Ann, once.
    const input = { id: "o-1", memberId: bob, channel: "MINI_PROGRAM", amount: 36.5, occurredAt: new Date().toISOString() };
    await ok(executeOperation(ORDER, { input }, { tenant }));
    expect((await ok(executeOperation(ORDER, { input }, { tenant }))).recordOrder.duplicate).toBe(true);
    const profile = await ok(
      executeOperation(
        `query($a: ID!, $b: ID!) {
          a: member(id: $a) { points { balance ledger(first: 5) { edges { node { type points campaignId orderId relatedMemberId } } } } }
          b: member(id: $b) { points { balance } referral { status orderId inviteePoints referrerPoints ladderPoints convertedAt } }
        }`,
        { a: ann, b: bob },
        { tenant, role: "ANALYST" },
      ),
    );
    expect(profile.a.points).toEqual({ balance: 200, ledger: { edges: [{ node: { type: "REFERRAL", points: 200, campaignId: "invite-2025", orderId: "o-1", relatedMemberId: bob } }] } });
    expect(profile.b.points.balance).toBe(136);
    expect(profile.b.referral).toMatchObject({ status: "CONVERTED", orderId: "o-1", inviteePoints: 100, referrerPoints: 200, ladderPoints: 0 });

    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
    const listed = await ok(
      executeOperation(
        `query($a: ID!, $range: DayRange!) {
          referralsOf(memberId: $a, campaignId: "invite-2025") { edges { node { invitee { id } status } } pageInfo { hasNextPage } }
          campaign(id: "invite-2025") { referralStats(range: $range) { from to referred referrers kFactor converted } }
        }`,
        { a: ann, range: { from: today, to: today } },
        { tenant, role: "ANALYST" },
      ),
    );
    expect(listed.referralsOf).toEqual({ edges: [{ node: { invitee: { id: bob }, status: "CONVERTED" } }], pageInfo: { hasNextPage: false } });
    expect(listed.campaign.referralStats).toEqual({ from: today, to: today, referred: 1, referrers: 1, kFactor: 1, converted: 1 });

    const cat = await member("Cat");
    expect(errorOf(await executeOperation(RECORD, { code, invitee: cat }, { tenant, role: "ANALYST" })).code).toBe("FORBIDDEN");
    expect(errorOf(await executeOperation(INVITE, { c: "invite-2025", m: cat }, { tenant, role: "ANALYST" })).code).toBe("FORBIDDEN");
    expect(errorOf(await executeOperation(RECORD, { code, invitee: ann }, { tenant })).code).toBe("BAD_USER_INPUT"); // own code
    expect(errorOf(await executeOperation(RECORD, { code: "0000000000", invitee: cat }, { tenant })).code).toBe("NOT_FOUND");
    const codeCat = (await ok(executeOperation(INVITE, { c: "invite-2025", m: cat }, { tenant }))).inviteCode.inviteCode.code;
    expect(errorOf(await executeOperation(RECORD, { code: codeCat, invitee: bob }, { tenant })).code).toBe("CONFLICT"); // Bob was referred already
    expect(errorOf(await executeOperation(INVITE, { c: "nope", m: cat }, { tenant })).code).toBe("NOT_FOUND");
    expect(errorOf(await executeOperation(`{ campaign(id: "invite-2025") { referralStats(range: { from: "2025-02-01", to: "2025-01-01" }) { referred } } }`, {}, { tenant })).field).toBe("range.to");
    expect((await ok(executeOperation(`{ inviteByCode(code: "${code}") { code } }`, {}, { tenant: newTenantId() }))).inviteByCode).toBeNull();
  });

  it("shows the multiplier on the order: 88.00 yuan × 1 point/yuan × 2 = 176", async () => {
    const tenant = newTenantId();
    const m = (await ok(executeOperation(`mutation { createMember(input: { sourceChannel: APP }) { member { id } } }`, {}, { tenant }))).createMember.member.id as string;
    await ok(executeOperation(`mutation { createCampaign(input: { id: "x2", name: "Double points", type: POINTS_MULTIPLIER, config: { pointsMultiplier: { multiplier: 2 } } }) { campaign { id } } }`, {}, { tenant }));
    const started = await ok(executeOperation(`mutation { changeCampaignStatus(input: { id: "x2", status: RUNNING }) { campaign { startAt } } }`, {}, { tenant }));
    const inside = await ok(executeOperation(ORDER, { input: { id: "in", memberId: m, channel: "APP", amount: 88, occurredAt: new Date().toISOString() } }, { tenant }));
    expect(inside.recordOrder.order).toEqual({ id: "in", pointsEarned: 176, pointsBoost: { campaignId: "x2", multiplier: 2, extraPoints: 88, campaign: { name: "Double points" } } });
    const before = new Date(Date.parse(started.changeCampaignStatus.campaign.startAt) - 3_600_000).toISOString();
    const outside = await ok(executeOperation(ORDER, { input: { id: "out", memberId: m, channel: "APP", amount: 88, occurredAt: before } }, { tenant }));
    expect(outside.recordOrder.order).toMatchObject({ pointsEarned: 88, pointsBoost: null });
    const ledger = await ok(executeOperation(`query($id: ID!) { member(id: $id) { points { balance ledger { edges { node { orderId points campaignId } } } } } }`, { id: m }, { tenant }));
    expect(ledger.member.points).toEqual({ balance: 264, ledger: { edges: [{ node: { orderId: "out", points: 88, campaignId: null } }, { node: { orderId: "in", points: 176, campaignId: "x2" } }] } });
  });
});
