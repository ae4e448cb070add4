import { describe, expect, it } from "vitest";
import { getOrders } from "../order/index.js";
import { getStaff, listStaff, staffResults } from "../staff/index.js";
import { newTenantId } from "../test/tenant.js";
import { DEFAULT_DEMO_SEED, demoOwnerOf, demoStaff, demoTouchOf, generateDemoBrand, loadDemoBrand } from "./index.js";

const DAY = 86_400_000;
const minor = (yuan: number) => Math.round(yuan * 100);
const YEARS = [2024, 2025, 2026].map((y) => ({ from: `${y}-01-01`, to: `${y}-12-31` }));

describe("demo staff", () => {
  it("loads staff in every store, owned members, touches and the orders they attribute, as the plan says", { timeout: 240_000 }, async () => {
    const t = newTenantId("demo");
    const plan = generateDemoBrand(DEFAULT_DEMO_SEED, 60);
    await loadDemoBrand(t, { members: 60, staff: true });

    const staff = demoStaff(plan);
    expect(staff.length).toBe(plan.stores.length * 3 + 1);
    expect((await listStaff(t, {}, { first: 100 })).items.length).toBe(staff.length);
    expect((await listStaff(t, { storeId: plan.stores[0]!.storeId }, {})).items.map((s) => s.role).sort()).toEqual(["SHOPPING_ASSISTANT", "SHOPPING_ASSISTANT", "STORE_MANAGER"]);

    // Expected figures straight from the plan: owners, and orders 0-7 days after each owner's touch.
    const expected = new Map<string, { owned: number; buyers: number; repeat: number; ownedOrders: number; ownedNet: number; attributed: number; attributedNet: number }>();
    const attributedOrders = new Map<string, string>();
    for (const m of plan.members) {
      const owner = demoOwnerOf(m, plan);
      if (!owner) continue;
      const e = expected.get(owner) ?? { owned: 0, buyers: 0, repeat: 0, ownedOrders: 0, ownedNet: 0, attributed: 0, attributedNet: 0 };
      const refunded = (orderId: string) => m.refunds.filter((r) => r.orderId === orderId).reduce((s, r) => s + minor(r.amount), 0);
      e.owned++;
      if (m.orders.length >= 1) e.buyers++;
      if (m.orders.length >= 2) e.repeat++;
      e.ownedOrders += m.orders.length;
      e.ownedNet += m.orders.reduce((s, o) => s + minor(o.amount) - refunded(o.orderId), 0);
      const touch = demoTouchOf(m, plan);
      for (const o of m.orders) {
        const gap = Date.parse(o.occurredAt) - Date.parse(touch?.occurredAt ?? "");
        if (touch && gap >= 0 && gap <= 7 * DAY) {
          e.attributed++;
          e.attributedNet += minor(o.amount) - refunded(o.orderId);
          attributedOrders.set(o.orderId, owner);
        }
      }
      expected.set(owner, e);
    }
    expect(expected.size).toBeGreaterThan(3);
    expect([...expected.values()].reduce((s, e) => s + e.attributed, 0)).toBeGreaterThan(3);

    for (const s of staff) {
      const e = expected.get(s.staffId) ?? { owned: 0, buyers: 0, repeat: 0, ownedOrders: 0, ownedNet: 0, attributed: 0, attributedNet: 0 };
      const stored = await getStaff(t, s.staffId);
      expect([stored.ownedCount, stored.buyerCount, stored.repeatCount], s.staffId).toEqual([e.owned, e.buyers, e.repeat]);
      const years = await Promise.all(YEARS.map((y) => staffResults(t, s.staffId, y)));
      const sum = (f: (r: (typeof years)[number]) => number) => years.reduce((n, r) => n + f(r), 0);
      expect(
        [sum((r) => r.totals.added), sum((r) => r.totals.touches), sum((r) => r.totals.ownedOrders), sum((r) => r.totals.ownedRevenueMinor - r.totals.ownedRefundedMinor), sum((r) => r.totals.attributedOrders), sum((r) => r.totals.attributedRevenueMinor - r.totals.attributedRefundedMinor)],
        s.staffId,
      ).toEqual([e.owned, plan.members.filter((m) => demoTouchOf(m, plan)?.staffId === s.staffId).length, e.ownedOrders, e.ownedNet, e.attributed, e.attributedNet]);
    }
    const orders = await getOrders(t, [...attributedOrders.keys()]);
    expect(orders.map((o) => o?.staffId)).toEqual([...attributedOrders.values()]);

    // A second load changes nothing.
    await loadDemoBrand(t, { members: 60, staff: true });
    const again = await getStaff(t, [...expected.keys()][0]!);
    expect(again.ownedCount).toBe([...expected.values()][0]!.owned);
  });
});
