import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

type Errors = { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };
const errorOf = (r: Errors) => ({ code: r.errors?.[0]?.extensions?.code, field: r.errors?.[0]?.extensions?.field, message: r.errors?.[0]?.message });

const FIELDS = `id name type status channels startAt endAt timeZone budget { amount currency } frequencyCap { maxTouches periodDays }
  targetSegment { id } contents { id } pointsMultiplier { multiplier } referral { inviteeFirstOrderPoints referrerPoints ladder { referrals points } }
  journey { trigger inactiveDays channel content { id } } memberEvent { capacity }`;

describe("campaigns through GraphQL", () => {
  it("creates, reads, lists and moves campaigns; refuses bad input and analysts", async () => {
    const tenant = newTenantId();
    await executeOperation(`mutation { createContent(input: { id: "wb", title: "We miss you", format: ARTICLE, pyramidType: EMOTIONAL, body: "…" }) { content { id } } }`, {}, { tenant });
    const created = await executeOperation(
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { ${FIELDS} } } }`,
      { input: { id: "wb-60", name: "Win-back 60 days", type: "JOURNEY", channels: ["WECOM"], budget: 800, frequencyCap: { maxTouches: 1, periodDays: 30 }, config: { journey: { trigger: "INACTIVE", inactiveDays: 60, contentId: "wb", channel: "WECOM" } } } },
      { tenant, role: "OPERATOR" },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createCampaign.campaign).toMatchObject({
      id: "wb-60",
      type: "JOURNEY",
      status: "DRAFT",
      timeZone: "Asia/Shanghai",
      budget: { amount: 800, currency: "CNY" },
      frequencyCap: { maxTouches: 1, periodDays: 30 },
      journey: { trigger: "INACTIVE", inactiveDays: 60, channel: "WECOM", content: { id: "wb" } },
      pointsMultiplier: null,
      referral: null,
    });
    const started = await executeOperation(`mutation { changeCampaignStatus(input: { id: "wb-60", status: RUNNING }) { campaign { status startAt } } }`, {}, { tenant });
    expect(started.data!.changeCampaignStatus.campaign.status).toBe("RUNNING");
    const list = await executeOperation(`{ campaigns(filter: { status: RUNNING }) { edges { node { id } } } campaign(id: "wb-60") { name } }`, {}, { tenant, role: "ANALYST" });
    expect(list.data).toEqual({ campaigns: { edges: [{ node: { id: "wb-60" } }] }, campaign: { name: "Win-back 60 days" } });

    expect(errorOf(await executeOperation(`mutation { changeCampaignStatus(input: { id: "wb-60", status: DRAFT }) { campaign { id } } }`, {}, { tenant }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.status",
      message: "campaign wb-60 is RUNNING: it can move to PAUSED or ENDED, not DRAFT",
    });
    expect(errorOf(await executeOperation(`mutation { updateCampaign(input: { id: "wb-60", config: { journey: { trigger: JOINED, contentId: "wb", channel: APP } } }) { campaign { id } } }`, {}, { tenant }))).toMatchObject({ code: "BAD_USER_INPUT", field: "input.config" });
    expect(errorOf(await executeOperation(`mutation { createCampaign(input: { name: "m", type: POINTS_MULTIPLIER, config: { pointsMultiplier: { multiplier: 11 } } }) { campaign { id } } }`, {}, { tenant }))).toMatchObject({ code: "BAD_USER_INPUT", field: "input.config.pointsMultiplier.multiplier" });
    expect(errorOf(await executeOperation(`mutation { createCampaign(input: { name: "c", type: COUPON }) { campaign { id } } }`, {}, { tenant, role: "ANALYST" })).code).toBe("FORBIDDEN");
    expect(errorOf(await executeOperation(`mutation { changeCampaignStatus(input: { id: "nope", status: ENDED }) { campaign { id } } }`, {}, { tenant })).code).toBe("NOT_FOUND");
    expect((await executeOperation(`{ campaign(id: "wb-60") { id } }`, {}, { tenant: newTenantId() })).data).toEqual({ campaign: null });
  });
});

describe("campaign results through GraphQL", () => {
  it("shows the funnel, attributed revenue, cost, ROI and CAC; orders say how they were attributed", async () => {
    const tenant = newTenantId();
    const run = async (q: string, v: Record<string, unknown> = {}, role?: "ADMIN" | "ANALYST") => {
      const r = await executeOperation(q, v, { tenant, role });
      expect(r.errors).toBeUndefined();
      return r.data as Record<string, any>;
    };
    await run(`mutation { createCampaign(input: { id: "cp-1", name: "Autumn", type: COUPON }) { campaign { id } } }`);
    const ann = (await run(`mutation { createMember(input: { name: "Ann", sourceChannel: WECOM }) { member { id } } }`)).createMember.member.id;
    const when = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    await run(`mutation($m: ID!, $t: DateTime!) { recordEvent(input: { id: "d1", memberId: $m, type: MESSAGE_DELIVERED, channel: WECOM, occurredAt: $t, campaignId: "cp-1" }) { duplicate } }`, { m: ann, t: when(30) });
    await run(`mutation($m: ID!, $t: DateTime!) { recordEvent(input: { id: "c1", memberId: $m, type: CLICK, channel: WECOM, occurredAt: $t, campaignId: "cp-1" }) { duplicate } }`, { m: ann, t: when(20) });
    const order = await run(`mutation($m: ID!, $t: DateTime!) { recordOrder(input: { id: "o1", memberId: $m, channel: MINI_PROGRAM, amount: 99, occurredAt: $t }) { order { campaignId attribution } } }`, { m: ann, t: when(10) });
    expect(order.recordOrder.order).toEqual({ campaignId: "cp-1", attribution: "LAST_TOUCH" });
    await run(`mutation { recordMarketingSpend(input: { id: "s1", channel: WECOM, campaignId: "cp-1", date: "2026-11-01", amount: 33 }) { duplicate } }`);
    const read = await run(`{ campaign(id: "cp-1") { results { funnel { step members rate } deliveries clicks orders newCustomers attributedRevenue { amount } cost { amount } roi cac { amount } } } }`, {}, "ANALYST");
    // Revenue 99.00, cost 33.00: ROI (99 − 33) ÷ 33 = 2; one new customer: CAC 33.00.
    expect(read.campaign.results).toEqual({
      funnel: [
        { step: "EXPOSURE", members: 1, rate: null },
        { step: "INTEREST", members: 1, rate: 1 },
        { step: "ADD_TO_CART", members: 0, rate: 0 },
        { step: "ORDER", members: 1, rate: null },
        { step: "REPURCHASE", members: 0, rate: 0 },
        { step: "REFERRAL", members: 0, rate: null },
      ],
      deliveries: 1,
      clicks: 1,
      orders: 1,
      newCustomers: 1,
      attributedRevenue: { amount: 99 },
      cost: { amount: 33 },
      roi: 2,
      cac: { amount: 33 },
    });
  });
});
