import { describe, expect, it } from "vitest";
import { createContent } from "../content/store.js";
import { createSegment } from "../segment/store.js";
import { runTask } from "../tasks/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import { applyCampaignSchedules, changeCampaignStatus, createCampaign, getCampaign, listCampaigns, updateCampaign } from "./index.js";

const code = async (p: Promise<unknown>) => p.then(() => "OK", (e: { code?: string }) => e.code ?? String(e));
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe("campaigns", () => {
  it("creates each type with its settings, checked, and refers only to the brand's own segment and content", async () => {
    const t = newTenantId();
    const seg = await createSegment(t, { name: "All", rule: { condition: { field: "ORDER_COUNT", op: "GTE", value: 0 } } }, actor);
    await createContent(t, { id: "welcome", title: "Welcome", format: "ARTICLE", pyramidType: "INFO", body: "hi" }, actor);
    const coupon = await createCampaign(t, { id: "cp-double11", name: "Double 11", type: "COUPON", targetSegmentId: seg.segmentId, contentIds: ["welcome"], channels: ["WECOM", "WECOM"], budget: 5000, frequencyCap: { maxTouches: 2, periodDays: 7 } }, actor);
    expect(coupon).toMatchObject({ campaignId: "cp-double11", status: "DRAFT", channels: ["WECOM"], budgetMinor: 500_000, timeZone: "Asia/Shanghai", frequencyCap: { maxTouches: 2, periodDays: 7 }, config: {} });
    expect(await createCampaign(t, { name: "x2", type: "POINTS_MULTIPLIER", config: { pointsMultiplier: { multiplier: 2 } } }, actor)).toMatchObject({ config: { pointsMultiplier: { multiplier: 2 } } });
    const referral = await createCampaign(t, { name: "Invite", type: "REFERRAL", config: { referral: { inviteeFirstOrderPoints: 100, referrerPoints: 200, ladder: [{ referrals: 3, points: 300 }, { referrals: 5, points: 600 }] } } }, actor);
    expect(referral.config.referral).toEqual({ inviteeFirstOrderPoints: 100, referrerPoints: 200, ladder: [{ referrals: 3, points: 300 }, { referrals: 5, points: 600 }] });
    const journey = await createCampaign(t, { name: "Win-back", type: "JOURNEY", config: { journey: { trigger: "INACTIVE", inactiveDays: 60, contentId: "welcome", channel: "WECOM" } } }, actor);
    expect(journey.config.journey).toEqual({ trigger: "INACTIVE", inactiveDays: 60, contentId: "welcome", channel: "WECOM" });

    const bad = (input: Record<string, unknown>) => code(createCampaign(t, { name: "bad", ...input } as never, actor));
    expect(await bad({ type: "LOTTERY" })).toBe("BAD_USER_INPUT");
    expect(await bad({ type: "POINTS_MULTIPLIER" })).toBe("BAD_USER_INPUT"); // needs its settings
    expect(await bad({ type: "POINTS_MULTIPLIER", config: { pointsMultiplier: { multiplier: 1 } } })).toBe("BAD_USER_INPUT");
    expect(await bad({ type: "POINTS_MULTIPLIER", config: { pointsMultiplier: { multiplier: 2.25 } } })).toBe("BAD_USER_INPUT");
    expect(await bad({ type: "COUPON", config: { referral: { referrerPoints: 1 } } })).toBe("BAD_USER_INPUT"); // not for a coupon
    expect(await bad({ type: "REFERRAL", config: { referral: { ladder: [{ referrals: 5, points: 1 }, { referrals: 3, points: 1 }] } } })).toBe("BAD_USER_INPUT");
    expect(await bad({ type: "JOURNEY", config: { journey: { trigger: "CART_ABANDONED", contentId: "welcome", channel: "APP" } } })).toBe("BAD_USER_INPUT"); // afterHours
    expect(await bad({ type: "JOURNEY", config: { journey: { trigger: "JOINED", contentId: "nope", channel: "APP" } } })).toBe("NOT_FOUND");
    expect(await bad({ type: "COUPON", targetSegmentId: "seg_nope" })).toBe("NOT_FOUND");
    expect(await bad({ type: "COUPON", contentIds: ["nope"] })).toBe("NOT_FOUND");
    expect(await bad({ type: "COUPON", startAt: iso(Date.now() + 2 * MIN), endAt: iso(Date.now() + MIN) })).toBe("BAD_USER_INPUT");
    expect(await bad({ type: "COUPON", timeZone: "Mars/Olympus" })).toBe("BAD_USER_INPUT");
    expect(await bad({ type: "COUPON", budget: -1 })).toBe("BAD_USER_INPUT");
    expect(await bad({ type: "COUPON", frequencyCap: { maxTouches: 0, periodDays: 7 } })).toBe("BAD_USER_INPUT");
    expect(await bad({ type: "COUPON", id: "cp-double11" })).toBe("CONFLICT");
    // Another brand cannot see it.
    expect(await code(getCampaign(newTenantId(), "cp-double11"))).toBe("NOT_FOUND");
  });

  it("follows its lifecycle: valid moves only, the schedule applied to the minute, final once ended", async () => {
    const t = newTenantId();
    const now = Date.now();
    const c = await createCampaign(t, { id: "c1", name: "Spring", type: "COUPON", startAt: iso(now + 10 * MIN), endAt: iso(now + 60 * MIN) }, actor);
    expect(await code(changeCampaignStatus(t, "c1", "PAUSED"))).toBe("BAD_USER_INPUT");
    expect((await changeCampaignStatus(t, "c1", "SCHEDULED")).status).toBe("SCHEDULED");
    // Before its start it is scheduled; from its start running; from its end ended.
    expect((await getCampaign(t, "c1", new Date(now + 9 * MIN))).status).toBe("SCHEDULED");
    expect((await getCampaign(t, "c1", new Date(now + 10 * MIN))).status).toBe("RUNNING");
    expect((await getCampaign(t, "c1", new Date(now + 60 * MIN))).status).toBe("ENDED");
    // The lifecycle task makes stored statuses follow, once.
    expect(await applyCampaignSchedules(t, new Date(now + 11 * MIN))).toEqual({ started: ["c1"], ended: [] });
    expect(await applyCampaignSchedules(t, new Date(now + 11 * MIN))).toEqual({ started: [], ended: [] });
    expect((await listCampaigns(t, { status: "RUNNING" }, {}, new Date(now + 11 * MIN))).items.map((x) => x.campaignId)).toEqual(["c1"]);
    // Running: its definition is fixed, its end and name are not.
    expect(await code(updateCampaign(t, "c1", { targetSegmentId: null }))).toBe("BAD_USER_INPUT");
    expect((await updateCampaign(t, "c1", { name: "Spring sale" })).name).toBe("Spring sale");
    expect((await changeCampaignStatus(t, "c1", "PAUSED")).status).toBe("PAUSED");
    expect((await changeCampaignStatus(t, "c1", "RUNNING")).status).toBe("RUNNING");
    expect((await changeCampaignStatus(t, "c1", "ENDED")).status).toBe("ENDED");
    expect(await code(changeCampaignStatus(t, "c1", "RUNNING"))).toBe("BAD_USER_INPUT");
    expect(await code(updateCampaign(t, "c1", { name: "again" }))).toBe("CONFLICT");
    // Start now from a draft; scheduling needs a future start.
    await createCampaign(t, { id: "c2", name: "Now", type: "COUPON" }, actor);
    expect(await code(changeCampaignStatus(t, "c2", "SCHEDULED"))).toBe("BAD_USER_INPUT");
    const started = await changeCampaignStatus(t, "c2", "RUNNING");
    expect(started).toMatchObject({ status: "RUNNING" });
    expect(started.startAt).toBe(started.startedAt);
    expect(c.status).toBe("DRAFT");
    // The task through the registry, as schedules run it.
    expect(await runTask("campaign-lifecycle", t)).toMatchObject({ task: "campaign-lifecycle", changed: false });
    // Lists by status and type.
    expect((await listCampaigns(t, { status: "ENDED" }, {})).items.map((x) => x.campaignId)).toEqual(["c1"]);
    expect((await listCampaigns(t, { type: "COUPON" }, {})).items.map((x) => x.campaignId)).toEqual(["c2", "c1"]);
    expect((await listCampaigns(t, { type: "JOURNEY" }, {})).items).toEqual([]);
  });
});
