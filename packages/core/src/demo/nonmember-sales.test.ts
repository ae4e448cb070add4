/**
 * The demo's non-member sales: one STORE and one WEB figure per day of the demo's period,
 * deterministic, within the stated multiples of the members' orders that day plus the per-member
 * walk-in base; written once (a second ensure writes nothing) and read back by the API's list.
 */
import { describe, expect, it } from "vitest";
import { listNonMemberSales } from "../metrics/member-base/sales.js";
import { newTenantId } from "../test/tenant.js";
import { generateDemoBrand } from "./generate.js";
import { demoNonMemberSales, ensureDemoNonMemberSales } from "./nonmember-sales.js";

describe("demo non-member sales", () => {
  const plan = generateDemoBrand(7, 40);

  it("covers every day from 2025-09-01 to 2026-10-31 on STORE and WEB, deterministically", () => {
    const entries = demoNonMemberSales("t", plan);
    expect(entries).toHaveLength(426 * 2); // 14 months: 30+31+30+31+31+28+31+30+31+30+31+31+30+31 days
    expect(entries[0]).toMatchObject({ date: "2025-09-01", channel: "STORE" });
    expect(entries.at(-1)).toMatchObject({ date: "2026-10-31", channel: "WEB" });
    expect(demoNonMemberSales("t", plan)).toEqual(entries);
    const orders = new Map<string, number>();
    for (const m of plan.members) for (const o of m.orders) {
      const day = new Date(Date.parse(o.occurredAt) + 8 * 3600_000).toISOString().slice(0, 10);
      orders.set(day, (orders.get(day) ?? 0) + Math.round(o.amount * 100));
    }
    // STORE: 0.6-1.2 × the members' orders that day + 0.1-0.3 yuan per member (40: 400-1200 fen); WEB: 0.15-0.35 × + 0.05-0.1 yuan per member.
    for (const e of entries) {
      const members = orders.get(e.date) ?? 0;
      const [low, high, baseLow, baseHigh] = e.channel === "STORE" ? [0.6, 1.2, 400, 1200] : [0.15, 0.35, 200, 400];
      expect(e.amountMinor).toBeGreaterThanOrEqual(Math.floor(members * low + baseLow) - 1);
      expect(e.amountMinor).toBeLessThanOrEqual(Math.ceil(members * high + baseHigh) + 1);
    }
  });

  it("is written once", async () => {
    const tenant = newTenantId("demonms");
    expect(await ensureDemoNonMemberSales(tenant, plan)).toBe(852);
    expect(await ensureDemoNonMemberSales(tenant, plan)).toBe(0);
    const october = await listNonMemberSales(tenant, { from: "2026-10-01", to: "2026-10-31" });
    expect(october).toHaveLength(62);
    expect(october.map((s) => s.amountMinor)).toEqual(demoNonMemberSales(tenant, plan).filter((s) => s.date >= "2026-10-01").map((s) => s.amountMinor));
  });
});
