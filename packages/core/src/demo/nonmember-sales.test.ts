/**
 * The demo's non-member sales: one STORE and one WEB figure per day of the demo's period,
 * deterministic, at least the walk-in base plus the stated multiple of the members' orders that
 * day; written once (a second ensure writes nothing) and read back by the API's list.
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
    const storeOrders = new Map<string, number>();
    for (const m of plan.members) for (const o of m.orders) if (o.channel === "STORE") {
      const day = new Date(Date.parse(o.occurredAt) + 8 * 3600_000).toISOString().slice(0, 10);
      storeOrders.set(day, (storeOrders.get(day) ?? 0) + Math.round(o.amount * 100));
    }
    for (const e of entries.filter((x) => x.channel === "STORE")) {
      const members = storeOrders.get(e.date) ?? 0;
      expect(e.amountMinor).toBeGreaterThanOrEqual(Math.floor(members * 1.2) + 30_000);
      expect(e.amountMinor).toBeLessThanOrEqual(Math.ceil(members * 2) + 90_000);
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
