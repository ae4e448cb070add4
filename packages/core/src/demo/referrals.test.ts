import { describe, expect, it } from "vitest";
import { getMember } from "../member/index.js";
import { listLedger } from "../points/index.js";
import { findReferral, referralStats } from "../referral/index.js";
import { newTenantId } from "../test/tenant.js";
import { changeCampaignStatus, createCampaign } from "../campaign/index.js";
import { actor } from "../test/tenant.js";
import { DEMO_REFERRAL_CAMPAIGN, DEMO_REFERRAL_CAMPAIGN_ID } from "./campaigns.js";
import { loadDemoReferrals } from "./referrals.js";

const referralPoints = async (t: string, m: string) =>
  (await listLedger(t, m, { first: 100 })).items.filter((e) => e.type === "REFERRAL").reduce((sum, e) => sum + e.points, 0);

describe("the demo's referral chain", () => {
  it("records the chain through invite codes and grants each reward once, on a rerun too", async () => {
    const t = newTenantId();
    expect(await loadDemoReferrals(t)).toBeUndefined(); // no campaign yet: nothing to do
    await createCampaign(t, { ...DEMO_REFERRAL_CAMPAIGN, id: DEMO_REFERRAL_CAMPAIGN_ID }, actor);
    await changeCampaignStatus(t, DEMO_REFERRAL_CAMPAIGN_ID, "RUNNING", new Date("2026-11-20T00:00:00Z"));
    const now = new Date("2026-12-01T15:59:00Z"); // 23:59 in Shanghai: the day is 12-01
    expect(await loadDemoReferrals(t, now)).toBe(6);
    expect(await loadDemoReferrals(t, new Date(now.getTime() + 120_000))).toBe(0);

    // 6 referred by 3 referrers (root, a, d); a, b, c, d ordered.
    const stats = await referralStats(t, DEMO_REFERRAL_CAMPAIGN_ID, { from: "2026-12-01", to: "2026-12-01" });
    expect(stats).toMatchObject({ referred: 6, referrers: 3, kFactor: 2, converted: 4 });
    expect(await referralStats(t, DEMO_REFERRAL_CAMPAIGN_ID, { from: "2026-12-02", to: "2026-12-02" })).toMatchObject({ referred: 0, converted: 0 });

    // Root: 3 × 200 + 300 at 3 referrals; a: 200 for d + its own 100 gift; d: its gift only; e, f: none.
    expect(await referralPoints(t, "m-fission-root")).toBe(900);
    expect(await referralPoints(t, "m-fission-a")).toBe(300);
    expect(await referralPoints(t, "m-fission-b")).toBe(100);
    expect(await referralPoints(t, "m-fission-d")).toBe(100);
    expect(await referralPoints(t, "m-fission-e")).toBe(0);
    expect((await getMember(t, "m-fission-root")).referralCount).toBe(3);
    expect((await getMember(t, "m-fission-f")).referrerId).toBe("m-fission-d");
    expect((await findReferral(t, "m-fission-d"))?.status).toBe("CONVERTED");
    expect((await findReferral(t, "m-fission-e"))?.status).toBe("JOINED");
  });
});
