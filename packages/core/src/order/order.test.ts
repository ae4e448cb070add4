import { describe, expect, it } from "vitest";
import { createMember, getMember } from "../member/index.js";
import { listLedger } from "../points/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import { listMemberOrders, recordOrder, recordRefund } from "./index.js";
import { recordEvent, listMemberEvents } from "../event/index.js";

const code = async (p: Promise<unknown>) => p.then(() => "OK", (e) => (e as { code?: string }).code ?? String(e));

describe("orders, refunds and events", () => {
  it("updates the member's stats and points in the same write as the order", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "APP" }, actor);
    await recordOrder(t, { orderId: "o-2", memberId: m.memberId, channel: "APP", amount: 88.5, occurredAt: "2025-05-02T10:00:00Z" }, actor);
    await recordOrder(t, { orderId: "o-1", memberId: m.memberId, channel: "APP", amount: 11.99, occurredAt: "2025-05-01T10:00:00Z" }, actor);
    const after = await getMember(t, m.memberId);
    // 88.50 + 11.99 = 100.49; points: floor(88.5) + floor(11.99) = 88 + 11 = 99.
    expect(after).toMatchObject({ orderCount: 2, grossSpendMinor: 10049, refundedMinor: 0, pointsBalance: 99, firstOrderAt: "2025-05-01T10:00:00.000Z", lastOrderAt: "2025-05-02T10:00:00.000Z" });
    const orders = await listMemberOrders(t, m.memberId, { first: 1 });
    expect(orders.items.map((o) => o.orderId)).toEqual(["o-2"]);
    const next = await listMemberOrders(t, m.memberId, { first: 1, after: orders.endCursor });
    expect(next.items.map((o) => o.orderId)).toEqual(["o-1"]);
    expect(next.hasNextPage).toBe(false);
  });

  it("counts the same order sent 10 times concurrently once, and returns the first result", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "STORE" }, actor);
    const input = { orderId: "dup-1", memberId: m.memberId, channel: "APP", amount: 50, occurredAt: "2025-06-01T00:00:00Z" };
    const results = await Promise.all(Array.from({ length: 10 }, () => recordOrder(t, input, actor)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.order.createdAt)).size).toBe(1);
    expect(await getMember(t, m.memberId)).toMatchObject({ orderCount: 1, grossSpendMinor: 5000, pointsBalance: 50 });
    expect((await listLedger(t, m.memberId, {})).items).toHaveLength(1);
    expect(await code(recordOrder(t, { ...input, amount: 51 }, actor))).toBe("CONFLICT");
  });

  it("rejects bad orders", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "APP" }, actor);
    const base = { orderId: "b1", memberId: m.memberId, channel: "APP", amount: 10, occurredAt: "2025-06-01T00:00:00Z" };
    expect(await code(recordOrder(t, { ...base, amount: -1 }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(recordOrder(t, { ...base, amount: 1.234 }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(recordOrder(t, { ...base, occurredAt: "yesterday" }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(recordOrder(t, { ...base, currency: "USD" }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(recordOrder(t, { ...base, channel: "STORE" }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(recordOrder(t, { ...base, channel: "STORE", storeId: "nope" }, actor))).toBe("NOT_FOUND");
    expect(await code(recordOrder(t, { ...base, memberId: "m_missing" }, actor))).toBe("NOT_FOUND");
    expect(await getMember(t, m.memberId)).toMatchObject({ orderCount: 0, pointsBalance: 0 });
  });

  it("refunds reduce net spend and reverse points once, never beyond the order", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "APP" }, actor);
    await recordOrder(t, { orderId: "r1", memberId: m.memberId, channel: "APP", amount: 100, occurredAt: "2025-06-01T00:00:00Z" }, actor);
    const first = await recordRefund(t, { refundId: "rf1", orderId: "r1", amount: 30, occurredAt: "2025-06-02T00:00:00Z" }, actor);
    expect(first.order).toMatchObject({ refundedMinor: 3000, status: "PARTIALLY_REFUNDED" });
    expect((await recordRefund(t, { refundId: "rf1", orderId: "r1", amount: 30, occurredAt: "2025-06-02T00:00:00Z" }, actor)).duplicate).toBe(true);
    expect(await code(recordRefund(t, { refundId: "rf2", orderId: "r1", amount: 70.01, occurredAt: "2025-06-02T00:00:00Z" }, actor))).toBe("BAD_USER_INPUT");
    const full = await recordRefund(t, { refundId: "rf3", orderId: "r1", amount: 70, occurredAt: "2025-06-03T00:00:00Z" }, actor);
    expect(full.order.status).toBe("REFUNDED");
    // 100 points earned, 30 then 70 reversed.
    expect(await getMember(t, m.memberId)).toMatchObject({ grossSpendMinor: 10000, refundedMinor: 10000, pointsBalance: 0 });
    const ledger = await listLedger(t, m.memberId, {});
    expect(ledger.items.map((e) => [e.type, e.points])).toEqual([["REVERSE", -70], ["REVERSE", -30], ["EARN", 100]]);
  });

  it("records events idempotently and keeps last-active as the latest", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "APP" }, actor);
    const e = { eventId: "e1", memberId: m.memberId, type: "CLICK", channel: "WECHAT_OA", occurredAt: "2025-07-02T00:00:00Z" };
    const all = await Promise.all(Array.from({ length: 5 }, () => recordEvent(t, e)));
    expect(all.filter((r) => !r.duplicate)).toHaveLength(1);
    await recordEvent(t, { ...e, eventId: "e0", occurredAt: "2025-07-01T00:00:00Z" });
    expect(await code(recordEvent(t, { ...e, eventId: "e2", type: "SURVEY_SCORE" }))).toBe("BAD_USER_INPUT");
    await recordEvent(t, { ...e, eventId: "e3", type: "SURVEY_SCORE", score: 9, occurredAt: "2025-06-01T00:00:00Z" });
    expect(await getMember(t, m.memberId)).toMatchObject({ eventCount: 3, lastActiveAt: "2025-07-02T00:00:00.000Z" });
    expect((await listMemberEvents(t, m.memberId, {})).items.map((x) => x.eventId)).toEqual(["e1", "e0", "e3"]);
  });
});
