import { describe, expect, it } from "vitest";
import { listMarketingSpend } from "../spend/record.js";
import { newTenantId } from "../test/tenant.js";
import { generateDemoBrand } from "./generate.js";
import { demoSpend, ensureDemoSpend } from "./spend.js";

describe("demo marketing spend", () => {
  it("is derived deterministically from the plan: weekly acquisition spend per channel (Mondays), campaign spend on the campaign's first day", () => {
    const plan = generateDemoBrand(2026, 300);
    const spend = demoSpend(plan);
    expect(demoSpend(generateDemoBrand(2026, 300))).toEqual(spend);
    expect(new Set(spend.map((s) => s.spendId)).size).toBe(spend.length);
    for (const s of spend) {
      expect(s.amount).toBeGreaterThan(0);
      expect(s.date >= "2025-09-01" && s.date <= "2026-10-31").toBe(true);
      if (!s.campaignId) expect(new Date(`${s.date}T00:00:00Z`).getUTCDay()).toBe(1);
    }
    expect(spend.some((s) => s.campaignId) && spend.some((s) => !s.campaignId)).toBe(true);
  });

  it("is written once to a tenant without spend, and not again", { timeout: 60_000 }, async () => {
    const tenant = newTenantId("demospend");
    const plan = generateDemoBrand(2026, 40);
    const written = await ensureDemoSpend(tenant, plan);
    expect(written).toBe(demoSpend(plan).length);
    expect(await ensureDemoSpend(tenant, plan)).toBe(0);
    expect(await listMarketingSpend(tenant, { from: "2025-09-01", to: "2026-10-31" })).toHaveLength(written);
  });
});
