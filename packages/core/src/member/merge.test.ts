import { describe, expect, it } from "vitest";
import { recordEvent } from "../event/index.js";
import { listMemberOrders, recordOrder } from "../order/index.js";
import { listLedger, movePoints } from "../points/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import { changeTags, createMember, getMember, listIdentities, listMembers, listReferrals, memberByIdentity, memberByKey, mergeMembers, resolveMember } from "./index.js";

describe("merge", () => {
  it("moves identities, orders, events, points, tags and referrals to the survivor in one go", async () => {
    const t = newTenantId();
    const s = await createMember(t, { sourceChannel: "MINI_PROGRAM", name: "Survivor", identities: [{ channel: "MINI_PROGRAM", externalId: "mp-1" }], tags: ["a"], joinedAt: "2025-01-01T00:00:00Z" }, actor);
    const d = await createMember(t, { sourceChannel: "STORE", phone: "13600136000", identities: [{ channel: "STORE", externalId: "card-9" }], tags: ["a", "b"], joinedAt: "2025-02-01T00:00:00Z" }, actor);
    const referee = await createMember(t, { sourceChannel: "APP", referrerId: d.memberId }, actor);
    await recordOrder(t, { orderId: "s1", memberId: s.memberId, channel: "APP", amount: 10, occurredAt: "2025-03-05T00:00:00Z" }, actor);
    await recordOrder(t, { orderId: "d1", memberId: d.memberId, channel: "APP", amount: 20, occurredAt: "2025-03-01T00:00:00Z" }, actor);
    await recordOrder(t, { orderId: "d2", memberId: d.memberId, channel: "APP", amount: 30, occurredAt: "2025-03-09T00:00:00Z" }, actor);
    await recordEvent(t, { eventId: "ev1", memberId: d.memberId, type: "VIEW", channel: "APP", occurredAt: "2025-03-10T00:00:00Z" });
    await movePoints(t, "REDEEM", { memberId: d.memberId, points: 5, requestId: "x" }, "ops");

    const merged = await mergeMembers(t, s.memberId, d.memberId, actor);
    expect(merged).toMatchObject({
      orderCount: 3,
      grossSpendMinor: 6000,
      pointsBalance: 10 + 20 + 30 - 5,
      eventCount: 1,
      referralCount: 1,
      firstOrderAt: "2025-03-01T00:00:00.000Z",
      lastOrderAt: "2025-03-09T00:00:00.000Z",
      lastActiveAt: "2025-03-10T00:00:00.000Z",
      name: "Survivor",
      phone: "+8613600136000",
      tags: ["a", "b"],
    });
    const dup = await getMember(t, d.memberId);
    expect(dup).toMatchObject({ status: "MERGED", mergedInto: s.memberId, orderCount: 0, grossSpendMinor: 0, pointsBalance: 0, eventCount: 0 });
    expect((await memberByIdentity(t, "STORE", "card-9"))?.memberId).toBe(s.memberId);
    expect((await memberByKey(t, "PHONE", "+8613600136000"))?.memberId).toBe(s.memberId);
    expect((await resolveMember(t, d.memberId))?.memberId).toBe(s.memberId);
    expect((await listIdentities(t, s.memberId)).map((i) => i.externalId).sort()).toEqual(["card-9", "mp-1"]);
    expect((await listMemberOrders(t, s.memberId, {})).items.map((o) => o.orderId)).toEqual(["d2", "s1", "d1"]);
    expect((await listReferrals(t, s.memberId, {})).items.map((m) => m.memberId)).toEqual([referee.memberId]);
    expect((await getMember(t, referee.memberId)).referrerId).toBe(s.memberId);
    expect((await listMembers(t, {}, {})).items.map((m) => m.memberId).sort()).toEqual([s.memberId, referee.memberId].sort());
    expect((await listMembers(t, { tag: "b" }, {})).items.map((m) => m.memberId)).toEqual([s.memberId]);
    const ledger = await listLedger(t, s.memberId, {});
    expect(ledger.items[0]).toMatchObject({ type: "MERGE_IN", points: 45, relatedMemberId: d.memberId });
    // A new order sent for the duplicate's id lands on the survivor.
    await recordOrder(t, { orderId: "late", memberId: d.memberId, channel: "APP", amount: 1, occurredAt: "2025-04-01T00:00:00Z" }, actor);
    expect((await getMember(t, s.memberId)).orderCount).toBe(4);
    // Merging again is a no-op; merging into itself is refused.
    expect((await mergeMembers(t, s.memberId, d.memberId, actor)).orderCount).toBe(4);
    await expect(mergeMembers(t, s.memberId, s.memberId, actor)).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });

  it("merges a duplicate with more history than one transaction holds, with exact totals", async () => {
    const t = newTenantId();
    const s = await createMember(t, { sourceChannel: "APP" }, actor);
    const d = await createMember(t, { sourceChannel: "APP" }, actor);
    for (let i = 0; i < 130; i++) {
      await recordEvent(t, { eventId: `e${i}`, memberId: d.memberId, type: "VIEW", channel: "APP", occurredAt: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString() });
    }
    for (let i = 0; i < 12; i++) {
      await recordOrder(t, { orderId: `o${i}`, memberId: d.memberId, channel: "APP", amount: i + 1, occurredAt: new Date(Date.UTC(2025, 1, i + 1)).toISOString() }, actor);
    }
    await changeTags(t, d.memberId, { add: ["big"] });
    const merged = await mergeMembers(t, s.memberId, d.memberId, actor);
    // 1 + 2 + ... + 12 = 78 yuan.
    expect(merged).toMatchObject({ orderCount: 12, grossSpendMinor: 7800, eventCount: 130, pointsBalance: 78, tags: ["big"] });
    expect(await getMember(t, d.memberId)).toMatchObject({ status: "MERGED", orderCount: 0, eventCount: 0, pointsBalance: 0 });
  });
});
