import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";
import { recordJointReferral } from "@growth/core/partner";

type Result = { data?: Record<string, any> | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (r: Result) => r.errors?.[0]?.extensions?.code;

async function brand() {
  const tenant = newTenantId();
  const admin = async (q: string, v: Record<string, unknown> = {}) => {
    const r = await executeOperation(q, v, { tenant });
    expect(r.errors, q).toBeUndefined();
    return r.data as Record<string, any>;
  };
  for (const id of ["joint", "private"]) await admin(`mutation($id: ID!, $name: String!) { createCampaign(input: { id: $id, name: $name, type: COUPON }) { campaign { id } } }`, { id, name: id });
  await admin(`mutation { createPartner(input: { id: "coffee-co", name: "Coffee Co.", contactEmail: "bd@coffee.example" }) { partner { id } } }`);
  await admin(`mutation { createPartner(input: { id: "bakery", name: "Bakery" }) { partner { id } } }`);
  await admin(`mutation { invitePartnerToCampaign(input: { campaignId: "joint", partnerId: "coffee-co" }) { campaign { partnerIds } } }`);
  const key = (await admin(`mutation { createPartnerKey(input: { partnerId: "coffee-co" }) { key apiKey { id hint revokedAt } } }`)).createPartnerKey;
  const other = (await admin(`mutation { createPartnerKey(input: { partnerId: "bakery" }) { key } }`)).createPartnerKey.key as string;
  const as = (k: string) => (q: string, v: Record<string, unknown> = {}) => executeOperation(q, v, { authorization: `Bearer ${k}` }) as Promise<Result>;
  return { tenant, admin, key: key.key as string, keyId: key.apiKey.id as string, partner: as(key.key), bakery: as(other), as };
}

describe("partners", () => {
  it("authenticate with a key shown once, see only their joint campaigns, and are refused once revoked or suspended", async () => {
    const { tenant, admin, key, keyId, partner, bakery, as } = await brand();
    expect(key).toMatch(new RegExp(`^pdk\\.${tenant}\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{43}$`));
    // The brand sees hashes only: the key itself is never readable again.
    const stored = await admin(`{ partner(id: "coffee-co") { apiKeys { id hint revokedAt } campaigns { id } } }`);
    expect(stored.partner.apiKeys).toEqual([{ id: keyId, hint: key.slice(0, 12 + tenant.length), revokedAt: null }]);
    expect(JSON.stringify(stored)).not.toContain(key.split(".")[3]);
    expect(stored.partner.campaigns).toEqual([{ id: "joint" }]);

    const viewer = await partner(`{ viewer { tenantId role canSeePersonalData permissions } }`);
    expect(viewer.data!.viewer).toEqual({ tenantId: tenant, role: "PARTNER", canSeePersonalData: false, permissions: ["Mutation.recordJointReferral", "Mutation.redeemJointCoupon", "Query.jointCampaign", "Query.jointCampaigns", "Query.viewer"] });
    expect((await partner(`{ jointCampaigns { id name status } }`)).data).toEqual({ jointCampaigns: [{ id: "joint", name: "joint", status: "DRAFT" }] });
    // Another campaign, a guessed id, another partner's view: nothing.
    expect((await partner(`{ jointCampaign(id: "private") { id } }`)).data).toEqual({ jointCampaign: null });
    expect((await partner(`{ jointCampaign(id: "no-such") { id } }`)).data).toEqual({ jointCampaign: null });
    expect(codeOf(await partner(`{ jointCampaigns(partnerId: "bakery") { id } }`))).toBe("FORBIDDEN");
    expect((await bakery(`{ jointCampaigns { id } }`)).data).toEqual({ jointCampaigns: [] });
    expect((await bakery(`{ jointCampaign(id: "joint") { id } }`)).data).toEqual({ jointCampaign: null });
    // An administrator previews what the partner sees.
    expect((await admin(`{ jointCampaigns(partnerId: "coffee-co") { id } }`)).jointCampaigns).toEqual([{ id: "joint" }]);
    expect(codeOf((await executeOperation(`{ jointCampaigns { id } }`, {}, { tenant })) as Result)).toBe("BAD_USER_INPUT");
    expect(codeOf((await executeOperation(`{ jointCampaigns(partnerId: "coffee-co") { id } }`, {}, { tenant, role: "OPERATOR" })) as Result)).toBe("FORBIDDEN");

    // Forged and malformed keys.
    const [p, t, id, secret] = key.split(".");
    const flipped = `${secret!.slice(0, -1)}${secret!.endsWith("A") ? "B" : "A"}`;
    for (const bad of [`${p}.${t}.${id}.${flipped}`, `${p}.${newTenantId()}.${id}.${secret}`, `${p}.${t}.AAAAAAAAAAAAAAAA.${secret}`, "pdk.nope", `${key}x`]) {
      expect(codeOf(await as(bad)(`{ viewer { role } }`)), bad).toBe("UNAUTHENTICATED");
    }
    // Suspended, then active again; revoked for good.
    await admin(`mutation { setPartnerStatus(input: { id: "coffee-co", status: SUSPENDED }) { partner { status } } }`);
    expect(codeOf(await partner(`{ viewer { role } }`))).toBe("UNAUTHENTICATED");
    await admin(`mutation { setPartnerStatus(input: { id: "coffee-co", status: ACTIVE }) { partner { status } } }`);
    expect((await partner(`{ viewer { role } }`)).data).toEqual({ viewer: { role: "PARTNER" } });
    const revoked = await admin(`mutation($k: ID!) { revokePartnerKey(input: { keyId: $k }) { apiKey { revokedAt } } }`, { k: keyId });
    expect(revoked.revokePartnerKey.apiKey.revokedAt).toMatch(/Z$/);
    expect(codeOf(await partner(`{ viewer { role } }`))).toBe("UNAUTHENTICATED");
    // Key management is the brand administrator's.
    expect(codeOf((await executeOperation(`mutation { createPartnerKey(input: { partnerId: "coffee-co" }) { key } }`, {}, { tenant, role: "OPERATOR" })) as Result)).toBe("FORBIDDEN");
  });

  it("never reach members, brand data or writes: every other root field is FORBIDDEN for a partner key", async () => {
    const { admin, partner } = await brand();
    const ann = (await admin(`mutation { createMember(input: { name: "Ann", phone: "+8613800138000", sourceChannel: WECOM }) { member { id } } }`)).createMember.member.id;
    const probes = [
      `{ member(id: "${ann}") { id name phone } }`,
      `{ members(first: 5) { edges { node { id } } } }`,
      `{ memberByPhone(phone: "+8613800138000") { id } }`,
      `{ memberByIdentity(channel: WECOM, externalId: "x") { id } }`,
      `{ campaign(id: "joint") { id targetSegment { id } } }`,
      `{ campaigns { edges { node { id } } } }`,
      `{ partners { edges { node { id } } } }`,
      `{ partner(id: "coffee-co") { apiKeys { id } } }`,
      `{ segments { edges { node { id } } } }`,
      `{ contents { edges { node { id } } } }`,
      `{ tenantSettings { name } }`,
      `{ metricsOverview { asOf } }`,
      `{ order(id: "o1") { id } }`,
      `mutation { createMember(input: { name: "Eve", sourceChannel: PARTNER }) { member { id } } }`,
      `mutation { invitePartnerToCampaign(input: { campaignId: "private", partnerId: "coffee-co" }) { campaign { id } } }`,
      `mutation { createPartnerKey(input: { partnerId: "bakery" }) { key } }`,
      `mutation { changeCampaignStatus(input: { id: "joint", status: RUNNING }) { campaign { id } } }`,
    ];
    for (const q of probes) {
      const r = await partner(q);
      expect(codeOf(r), q).toBe("FORBIDDEN");
      expect(JSON.stringify(r.data ?? null), q).not.toMatch(/Ann|138/);
    }
  });

  it("see joint results as aggregates of members who consented to partner sharing: counts under 10 suppressed, rates only between shown counts", async () => {
    const { admin, partner } = await brand();
    await admin(`mutation { changeCampaignStatus(input: { id: "joint", status: RUNNING }) { campaign { id } } }`);
    const when = new Date(Date.now() - 3_600_000).toISOString();
    // 14 members reached (delivery), 12 of them consented to partner sharing; 3 click, 1 orders.
    for (let i = 0; i < 14; i++) {
      const m = (await admin(`mutation($n: String!, $c: Boolean!) { createMember(input: { name: $n, sourceChannel: WECOM, partnerSharingConsent: $c }) { member { id } } }`, { n: `M${i}`, c: i < 12 })).createMember.member.id;
      await admin(`mutation($m: ID!, $id: ID!, $t: DateTime!) { recordEvent(input: { id: $id, memberId: $m, type: MESSAGE_DELIVERED, channel: WECOM, occurredAt: $t, campaignId: "joint" }) { duplicate } }`, { m, id: `d${i}`, t: when });
      if (i < 3) await admin(`mutation($m: ID!, $id: ID!, $t: DateTime!) { recordEvent(input: { id: $id, memberId: $m, type: CLICK, channel: WECOM, occurredAt: $t, campaignId: "joint" }) { duplicate } }`, { m, id: `c${i}`, t: when });
      if (i === 0) await admin(`mutation($m: ID!) { recordOrder(input: { id: "o1", memberId: $m, channel: MINI_PROGRAM, amount: 50, occurredAt: "${when}" }) { order { campaignId } } }`, { m });
    }
    const r = await partner(`{ jointCampaign(id: "joint") { status results { minGroupSize funnel { step members { value suppressed } rate } orders { value suppressed } newCustomers { value suppressed } attributedRevenue { amount } } } }`);
    expect(r.errors).toBeUndefined();
    // The brand sees all 14; the partner the 12 who consented.
    expect((await admin(`{ campaign(id: "joint") { results { funnel { step members } } } }`)).campaign.results.funnel[0]).toEqual({ step: "EXPOSURE", members: 14 });
    expect(r.data!.jointCampaign).toEqual({
      status: "RUNNING",
      results: {
        minGroupSize: 10,
        funnel: [
          { step: "EXPOSURE", members: { value: 12, suppressed: false }, rate: null },
          { step: "INTEREST", members: { value: null, suppressed: true }, rate: null },
          { step: "ADD_TO_CART", members: { value: 0, suppressed: false }, rate: null },
          { step: "ORDER", members: { value: null, suppressed: true }, rate: null },
          { step: "REPURCHASE", members: { value: 0, suppressed: false }, rate: null },
          { step: "REFERRAL", members: { value: 0, suppressed: false }, rate: null },
        ],
        orders: { value: null, suppressed: true },
        newCustomers: { value: null, suppressed: true },
        attributedRevenue: null,
      },
    });
  });

  it("redeem a co-branded coupon at their store by code, once per sale reference, learning nothing about the member", async () => {
    const { admin, partner, bakery } = await brand();
    await admin(`mutation { changeCampaignStatus(input: { id: "joint", status: RUNNING }) { campaign { id } } }`);
    await admin(`mutation { changeCampaignStatus(input: { id: "private", status: RUNNING }) { campaign { id } } }`);
    const ann = (await admin(`mutation { createMember(input: { name: "Ann", phone: "+8613800138001", sourceChannel: WECOM, marketingConsent: true }) { member { id } } }`)).createMember.member.id;
    const def = async (id: string, campaignId: string, at: string) =>
      admin(`mutation($id: ID!, $c: ID!) { createCouponDefinition(input: { id: $id, campaignId: $c, name: "Bakery 15 off 50", amountOff: 15, minimumSpend: 50, validDays: 7, totalQuantity: 10, perMemberLimit: 1, redeemableAt: [${at}] }) { definition { id } } }`, { id, c: campaignId });
    await def("joint-15", "joint", "PARTNER");
    await def("joint-online", "joint", "ONLINE");
    await def("private-15", "private", "PARTNER");
    const claim = async (definitionId: string) => (await admin(`mutation($d: ID!, $m: ID!, $r: ID!) { claimCoupon(input: { definitionId: $d, memberId: $m, requestId: $r }) { coupon { code } } }`, { d: definitionId, m: ann, r: `r-${definitionId}` })).claimCoupon.coupon.code as string;
    const [code, online, other] = [await claim("joint-15"), await claim("joint-online"), await claim("private-15")];
    const sale = { partnerOrderRef: "POS-0091", partnerStoreId: "bakery-jingan", amount: 68, occurredAt: new Date(Date.now() - 60_000).toISOString() };
    const REDEEM = `mutation($input: RedeemJointCouponInput!) { redeemJointCoupon(input: $input) { code status discount { amount } partnerOrderRef duplicate } }`;
    const first = await partner(REDEEM, { input: { ...sale, code } });
    expect(first.errors).toBeUndefined();
    expect(first.data!.redeemJointCoupon).toEqual({ code, status: "REDEEMED", discount: { amount: 15 }, partnerOrderRef: "POS-0091", duplicate: false });
    expect(JSON.stringify(first)).not.toMatch(new RegExp(`${ann}|Ann|138`));
    // The same sale again: the first answer. Another sale: already redeemed.
    expect((await partner(REDEEM, { input: { ...sale, code } })).data!.redeemJointCoupon.duplicate).toBe(true);
    expect(codeOf(await partner(REDEEM, { input: { ...sale, code, partnerOrderRef: "POS-0092" } }))).toBe("CONFLICT");
    expect(codeOf(await partner(REDEEM, { input: { ...sale, code: online, amount: 20, partnerOrderRef: "POS-0097" } }))).toBe("BAD_USER_INPUT");
    // Not redeemable at partners; another campaign's code; another partner: refused without detail.
    expect(codeOf(await partner(REDEEM, { input: { ...sale, code: online, partnerOrderRef: "POS-0093" } }))).toBe("BAD_USER_INPUT");
    expect(codeOf(await partner(REDEEM, { input: { ...sale, code: other, partnerOrderRef: "POS-0094" } }))).toBe("NOT_FOUND");
    expect(codeOf(await bakery(REDEEM, { input: { ...sale, code, partnerOrderRef: "POS-0095" } }))).toBe("NOT_FOUND");
    expect(codeOf(await partner(REDEEM, { input: { ...sale, code: "NOPE-NOPE-NOPE", partnerOrderRef: "POS-0096" } }))).toBe("NOT_FOUND");
    // The brand sees the sale as the member's PARTNER order, attributed to the joint campaign.
    const seen = await admin(`{ order(id: "partner.coffee-co.POS-0091") { channel amount { amount } campaignId attribution coupon { code } member { id } } campaign(id: "joint") { couponStats { redeemed } results { orders } } }`);
    expect(seen.order).toEqual({ channel: "PARTNER", amount: { amount: 68 }, campaignId: "joint", attribution: "EXPLICIT", coupon: { code }, member: { id: ann } });
    expect(seen.campaign).toEqual({ couponStats: { redeemed: 1 }, results: { orders: 1 } });
  });

  it("record the members they referred by invite code, once, only those who may be acquired, learning nothing about them", async () => {
    const { tenant, admin, partner, bakery } = await brand();
    await admin(`mutation { createCampaign(input: { id: "fission", name: "Bring a friend", type: REFERRAL, config: { referral: { inviteeFirstOrderPoints: 100, referrerPoints: 200 } } }) { campaign { id } } }`);
    await admin(`mutation { changeCampaignStatus(input: { id: "fission", status: RUNNING }) { campaign { id } } }`);
    await admin(`mutation { invitePartnerToCampaign(input: { campaignId: "fission", partnerId: "coffee-co" }) { campaign { id } } }`);
    const join = async (n: string, consent = true) => {
      const id = (await admin(`mutation($n: String!, $c: Boolean!) { createMember(input: { name: $n, sourceChannel: PARTNER, partnerSharingConsent: $c }) { member { id } } }`, { n, c: consent })).createMember.member.id as string;
      const code = (await admin(`mutation($m: ID!) { inviteCode(campaignId: "fission", memberId: $m) { inviteCode { code } } }`, { m: id })).inviteCode.inviteCode.code as string;
      return { id, code };
    };
    const referred = [];
    for (let i = 0; i < 11; i++) referred.push(await join(`P${i}`));
    const record = (code: string, as = partner) => as(`mutation($c: String!) { recordJointReferral(input: { code: $c }) { campaignId code recordedAt duplicate } }`, { c: code });

    for (const m of referred) {
      const r = await record(m.code.toLowerCase());
      expect(r.errors).toBeUndefined();
      // Campaign, code and time: nothing about the member.
      expect(Object.keys(r.data!.recordJointReferral).sort()).toEqual(["campaignId", "code", "duplicate", "recordedAt"]);
      expect(r.data!.recordJointReferral).toMatchObject({ campaignId: "fission", code: m.code, duplicate: false });
    }
    expect((await record(referred[0]!.code)).data!.recordJointReferral.duplicate).toBe(true);

    // Refused: no consent, a customer already, referred already (by a member's code), another partner, unknown code, a campaign the partner is not in.
    const noConsent = await join("N", false);
    const customer = await join("C");
    await admin(`mutation($m: ID!) { recordOrder(input: { id: "before", memberId: $m, channel: WEB, amount: 10, occurredAt: "${new Date().toISOString()}" }) { order { id } } }`, { m: customer.id });
    const friend = await join("F");
    await admin(`mutation($c: String!, $m: ID!) { recordReferral(input: { code: $c, inviteeId: $m }) { duplicate } }`, { c: referred[1]!.code, m: friend.id });
    const reasonOf = (r: Result) => [r.errors?.[0]?.extensions?.code, r.errors?.[0]?.extensions?.reason];
    expect(reasonOf(await record(noConsent.code))).toEqual(["CONFLICT", "NO_PARTNER_SHARING_CONSENT"]);
    expect(reasonOf(await record(customer.code))).toEqual(["CONFLICT", "ALREADY_A_CUSTOMER"]);
    expect(reasonOf(await record(friend.code))).toEqual(["CONFLICT", "ALREADY_REFERRED"]);
    expect(codeOf(await record(referred[2]!.code, bakery))).toBe("NOT_FOUND");
    expect(codeOf(await record("0000000000"))).toBe("NOT_FOUND");
    await admin(`mutation { createCampaign(input: { id: "own-fission", name: "Ours", type: REFERRAL, config: { referral: { referrerPoints: 1 } } }) { campaign { id } } }`);
    await admin(`mutation { changeCampaignStatus(input: { id: "own-fission", status: RUNNING }) { campaign { id } } }`);
    const ours = (await admin(`mutation($m: ID!) { inviteCode(campaignId: "own-fission", memberId: $m) { inviteCode { code } } }`, { m: noConsent.id })).inviteCode.inviteCode.code as string;
    expect(codeOf(await record(ours))).toBe("NOT_FOUND");
    // A member who joined longer ago than the attribution window (7 days) is not the partner's to claim.
    const late = await join("L");
    await expect(recordJointReferral(tenant, "coffee-co", { code: late.code }, new Date(Date.now() + 8 * 86_400_000))).rejects.toMatchObject({ code: "CONFLICT", details: { reason: "JOINED_TOO_LONG_AGO" } });

    // Three of the partner's members order: each gets the invitee's gift; no member referrer is rewarded.
    for (const m of referred.slice(0, 3)) {
      await admin(`mutation($m: ID!, $id: ID!) { recordOrder(input: { id: $id, memberId: $m, channel: MINI_PROGRAM, amount: 20, occurredAt: "${new Date().toISOString()}" }) { order { id } } }`, { m: m.id, id: `first-${m.id}` });
    }
    const brandView = await admin(`query($m: ID!) { member(id: $m) { points { balance } referral { partnerId referrer { id } status inviteePoints referrerPoints } } }`, { m: referred[0]!.id });
    expect(brandView.member).toEqual({ points: { balance: 120 }, referral: { partnerId: "coffee-co", referrer: null, status: "CONVERTED", inviteePoints: 100, referrerPoints: 0 } });
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
    const stats = await admin(`query($d: Date!) { campaign(id: "fission") { referralStats(range: { from: $d, to: $d }) { referred referrers kFactor converted partnerReferred } results { funnel { step members } } } }`, { d: today });
    // 11 by the partner + 1 by a member; K counts members only (1 referred by 1 referrer).
    expect(stats.campaign.referralStats).toEqual({ referred: 1, referrers: 1, kFactor: 1, converted: 3, partnerReferred: 11 });
    expect(stats.campaign.results.funnel.find((s: { step: string }) => s.step === "REFERRAL")).toEqual({ step: "REFERRAL", members: 12 });

    const view = await partner(`{ jointCampaign(id: "fission") { results { referrals { joined { value suppressed } converted { value suppressed } } } } }`);
    expect(view.data!.jointCampaign.results.referrals).toEqual({ joined: { value: 11, suppressed: false }, converted: { value: null, suppressed: true } });
    // The other partner, previewed by the brand: none of its own.
    expect((await admin(`{ jointCampaigns(partnerId: "coffee-co") { id results { referrals { joined { value } } } } }`)).jointCampaigns).toEqual([
      { id: "fission", results: { referrals: { joined: { value: 11 } } } },
      { id: "joint", results: { referrals: { joined: { value: 0 } } } },
    ]);
  });
});
