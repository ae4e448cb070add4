import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

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
    expect(viewer.data!.viewer).toEqual({ tenantId: tenant, role: "PARTNER", canSeePersonalData: false, permissions: ["Mutation.redeemJointCoupon", "Query.jointCampaign", "Query.jointCampaigns", "Query.viewer"] });
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
});
