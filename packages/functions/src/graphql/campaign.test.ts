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
