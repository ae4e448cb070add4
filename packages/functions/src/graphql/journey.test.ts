import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

const iso = (ms: number) => new Date(ms).toISOString();
const codeOf = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;

describe("journeys through GraphQL", () => {
  it("runs the job, lists the outbox and a member's touches, and takes delivery reports", async () => {
    const tenant = newTenantId();
    const ok = async (query: string, variables: Record<string, unknown> = {}, role: "ADMIN" | "OPERATOR" | "ANALYST" = "ADMIN") => {
      const r = await executeOperation(query, variables, { tenant, role });
      expect(r.errors).toBeUndefined();
      return r.data as Record<string, any>;
    };
    await ok(`mutation { createContent(input: { id: "hi", title: "Welcome!", format: ARTICLE, pyramidType: INFO, body: "Glad you are here" }) { content { id } } }`);
    await ok(`mutation { changeContentStatus(input: { id: "hi", status: PUBLISHED }) { content { status } } }`);
    await ok(`mutation { createCampaign(input: { id: "welcome", name: "Welcome", type: JOURNEY, frequencyCap: { maxTouches: 1, periodDays: 7 }, config: { journey: { trigger: JOINED, contentId: "hi", channel: WECOM } } }) { campaign { id } } }`);
    await ok(`mutation { changeCampaignStatus(input: { id: "welcome", status: RUNNING }) { campaign { status } } }`);
    for (const [id, consent] of [["m-yes", true], ["m-no", false]] as const) {
      await ok(`mutation($input: CreateMemberInput!) { createMember(input: $input) { member { id } } }`, { input: { id, sourceChannel: "WECOM", marketingConsent: consent } });
    }

    const job = await ok(`mutation { runMetricsJob(job: JOURNEYS) { runs { job summary } } }`);
    expect(job.runMetricsJob.runs).toHaveLength(1);
    expect(job.runMetricsJob.runs[0].job).toBe("JOURNEYS");
    expect(job.runMetricsJob.runs[0].summary).toContain("Welcome: 1 due, 1 written");

    const outbox = await ok(`{ outbox(campaignId: "welcome", first: 10) { edges { node { id memberId channel trigger occurrence status content { id title body } campaign { name } member { id } } } } }`, {}, "ANALYST");
    const touches = outbox.outbox.edges.map((e: { node: unknown }) => e.node);
    expect(touches).toEqual([
      { id: expect.stringMatching(/^tch_/), memberId: "m-yes", channel: "WECOM", trigger: "JOINED", occurrence: "JOINED", status: "PENDING", content: { id: "hi", title: "Welcome!", body: "Glad you are here" }, campaign: { name: "Welcome" }, member: { id: "m-yes" } },
    ]);
    const touchId = touches[0].id as string;

    // Analysts read; only operators and admins report.
    const report = `mutation($input: ReportTouchDeliveryInput!) { reportTouchDelivery(input: $input) { touch { status deliveredAt deliveryEventId } } }`;
    const input = { touchId, deliveredAt: iso(Date.now() - 1000) };
    expect(codeOf(await executeOperation(report, { input }, { tenant, role: "ANALYST" }))).toBe("FORBIDDEN");
    const delivered = await ok(report, { input }, "OPERATOR");
    expect(delivered.reportTouchDelivery.touch).toEqual({ status: "DELIVERED", deliveredAt: input.deliveredAt, deliveryEventId: `${touchId}.delivered` });
    expect((await ok(report, { input: { touchId, deliveredAt: iso(Date.now()) } }, "OPERATOR")).reportTouchDelivery.touch.deliveredAt).toBe(input.deliveredAt);

    const member = await ok(`{ member(id: "m-yes") { touches { edges { node { id status } } } events { edges { node { type campaignId contentId } } } } }`);
    expect(member.member.touches.edges).toEqual([{ node: { id: touchId, status: "DELIVERED" } }]);
    expect(member.member.events.edges).toEqual([{ node: { type: "MESSAGE_DELIVERED", campaignId: "welcome", contentId: "hi" } }]);
    const campaign = await ok(`{ campaign(id: "welcome") { touches(status: DELIVERED) { edges { node { id } } } } outbox(status: PENDING) { edges { node { id } } } touch(id: "${touchId}") { status } }`);
    expect(campaign).toEqual({ campaign: { touches: { edges: [{ node: { id: touchId } }] } }, outbox: { edges: [] }, touch: { status: "DELIVERED" } });

    // Another brand sees nothing and cannot report on it.
    const other = newTenantId();
    expect((await executeOperation(`{ outbox { edges { node { id } } } touch(id: "${touchId}") { id } }`, {}, { tenant: other })).data).toEqual({ outbox: { edges: [] }, touch: null });
    expect(codeOf(await executeOperation(report, { input }, { tenant: other }))).toBe("NOT_FOUND");
    expect(codeOf(await executeOperation(report, { input: { touchId: "nope", deliveredAt: input.deliveredAt } }, { tenant }))).toBe("BAD_USER_INPUT");
  });
});
