import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMember } from "../member/index.js";
import { getOrder, recordOrder, recordRefund } from "../order/index.js";
import { createStore } from "../store/index.js";
import { runTask } from "../tasks/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import {
  assignMemberOwner,
  createStaff,
  effectiveCounts,
  effectiveOwners,
  findOwnership,
  getStaff,
  listOwnedMemberIds,
  listOwnershipHistory,
  listStaff,
  listStaffTouches,
  moveReassignment,
  recordStaffTouch,
  resumeReassignments,
  startReassignment,
  reassignStaffMembers,
  staffResults,
  unassignMemberOwner,
  updateStaff,
  updateStaffSettings,
  findReassignment,
  type Staff,
} from "./index.js";

const code = (p: Promise<unknown>) => p.then(() => "OK", (e: { code?: string }) => e.code ?? String(e));
const sh = (local: string) => `${local}+08:00`;

/** Every member id of a staff member's list, paging with small pages. */
async function allOwned(tenant: string, staffId: string, first = 7): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const staff = await getStaff(tenant, staffId, true);
    const page = await listOwnedMemberIds(tenant, staff, { first, after });
    ids.push(...page.items.map((o) => o.memberId));
    if (!page.hasNextPage) return ids;
    after = page.endCursor;
  }
}

describe("staff members", () => {
  it("creates, lists by store and status, updates, and refuses LEFT while the staff member owns members", async () => {
    const t = newTenantId();
    await createStore(t, { storeId: "SH-1", name: "People's Square", latitude: 31.23, longitude: 121.47 });
    const a = await createStaff(t, { staffId: "E001", name: "Li Na", storeId: "SH-1", role: "SHOPPING_ASSISTANT", wecomUserId: "lina" });
    expect(a).toMatchObject({ staffId: "E001", name: "Li Na", storeId: "SH-1", role: "SHOPPING_ASSISTANT", status: "ACTIVE", wecomUserId: "lina", ownedCount: 0 });
    await createStaff(t, { staffId: "E002", name: "Wang Fang", storeId: "SH-1", role: "STORE_MANAGER" });
    await createStaff(t, { staffId: "E003", name: "Chen Jie", role: "SERVICE_AGENT" });
    expect(await code(createStaff(t, { staffId: "E001", name: "Again", role: "SHOPPING_ASSISTANT" }))).toBe("CONFLICT");
    expect(await code(createStaff(t, { name: "X", role: "CASHIER" }))).toBe("BAD_USER_INPUT");
    expect(await code(createStaff(t, { name: "X", role: "SHOPPING_ASSISTANT", storeId: "NOPE" }))).toBe("NOT_FOUND");
    expect(await code(createStaff(t, { name: " ", role: "SHOPPING_ASSISTANT" }))).toBe("BAD_USER_INPUT");

    expect((await listStaff(t, {}, {})).items.map((s) => s.staffId)).toEqual(["E003", "E001", "E002"]); // by name
    expect((await listStaff(t, { storeId: "SH-1" }, {})).items.map((s) => s.staffId)).toEqual(["E001", "E002"]);

    const m = await createMember(t, { sourceChannel: "WECOM" }, actor);
    await assignMemberOwner(t, { memberId: m.memberId, staffId: "E001" }, actor);
    expect(await code(updateStaff(t, "E001", { status: "LEFT" }))).toBe("CONFLICT");
    await unassignMemberOwner(t, { memberId: m.memberId, note: "customer asked" }, actor);
    const left = await updateStaff(t, "E001", { status: "LEFT", storeId: null, name: "Li Na (left)" });
    expect(left).toMatchObject({ status: "LEFT", name: "Li Na (left)", ownedCount: 0 });
    expect(left.storeId).toBeUndefined();
    expect(left.leftAt).toBeDefined();
    expect((await listStaff(t, { storeId: "SH-1" }, {})).items.map((s) => s.staffId)).toEqual(["E002"]);
    expect((await listStaff(t, { status: "LEFT" }, {})).items.map((s) => s.staffId)).toEqual(["E001"]);
    // A staff member who left cannot receive members.
    expect(await code(assignMemberOwner(t, { memberId: m.memberId, staffId: "E001" }, actor))).toBe("CONFLICT");
    expect(await code(updateStaff(t, "NOPE", { name: "x" }))).toBe("NOT_FOUND");
    const history = await listOwnershipHistory(t, m.memberId, {});
    expect(history.items.map((c) => [c.reason, c.fromStaffId ?? null, c.toStaffId ?? null, c.note ?? null])).toEqual([
      ["UNASSIGNED", "E001", null, "customer asked"],
      ["ADDED", null, "E001", null],
    ]);
  });
});

describe("attribution and per-staff results", () => {
  it("attributes orders to the latest staff touch within the window, once per order, and sums a period exactly", async () => {
    const t = newTenantId();
    await createStaff(t, { staffId: "A", name: "Assistant A", role: "SHOPPING_ASSISTANT" });
    await createStaff(t, { staffId: "B", name: "Assistant B", role: "SHOPPING_ASSISTANT" });
    const member = async () => (await createMember(t, { sourceChannel: "WECOM", joinedAt: sh("2025-05-01T10:00:00") }, actor)).memberId;
    const [m1, m2, m3, m4] = [await member(), await member(), await member(), await member()];
    await assignMemberOwner(t, { memberId: m1, staffId: "A", at: sh("2025-06-01T09:00:00") }, actor);
    await assignMemberOwner(t, { memberId: m2, staffId: "A", at: sh("2025-06-02T09:00:00") }, actor);
    await assignMemberOwner(t, { memberId: m3, staffId: "A", at: sh("2025-06-02T23:30:00") }, actor);
    await assignMemberOwner(t, { memberId: m4, staffId: "B", at: sh("2025-06-01T09:00:00") }, actor);
    // Assigning the current owner again changes nothing (no second ADDED).
    await assignMemberOwner(t, { memberId: m4, staffId: "B", at: sh("2025-06-03T09:00:00") }, actor);

    await recordStaffTouch(t, { touchId: "t1", memberId: m1, staffId: "A", kind: "MESSAGE", occurredAt: sh("2025-06-03T10:00:00") }, actor);
    await recordStaffTouch(t, { touchId: "t2", memberId: m2, staffId: "B", kind: "CALL", occurredAt: sh("2025-06-04T10:00:00") }, actor);
    await recordStaffTouch(t, { touchId: "t3", memberId: m4, staffId: "A", kind: "STORE_VISIT", occurredAt: sh("2025-06-01T10:00:00") }, actor);
    // Idempotent by id; another payload under the id is a conflict.
    expect((await recordStaffTouch(t, { touchId: "t1", memberId: m1, staffId: "A", kind: "MESSAGE", occurredAt: sh("2025-06-03T10:00:00") }, actor)).duplicate).toBe(true);
    expect(await code(recordStaffTouch(t, { touchId: "t1", memberId: m1, staffId: "B", kind: "MESSAGE" }, actor))).toBe("CONFLICT");
    expect(await code(recordStaffTouch(t, { memberId: m1, staffId: "A", kind: "WAVE" }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(recordStaffTouch(t, { memberId: m1, staffId: "NOPE", kind: "CALL" }, actor))).toBe("NOT_FOUND");

    const order = (orderId: string, memberId: string, amount: number, at: string) =>
      recordOrder(t, { orderId, memberId, channel: "WECOM", amount, occurredAt: sh(at) }, actor);
    await order("o1", m1, 100, "2025-06-05T12:00:00"); // owner A; A's touch 2 days before: A
    await order("o2", m1, 50, "2025-06-20T12:00:00"); // owner A; latest touch 17 days before: none
    await order("o3", m2, 80, "2025-06-10T09:00:00"); // owner A; B's touch 5 d 23 h before: B
    await order("o4", m4, 30, "2025-06-08T10:00:00"); // owner B; A's touch exactly 7 days before: A
    expect((await order("o4", m4, 30, "2025-06-08T10:00:00")).duplicate).toBe(true); // repeated event
    await order("o5", m3, 20, "2025-06-06T12:00:00"); // owner A; no touch: none
    await order("o6", m4, 10, "2025-06-08T10:00:01"); // owner B; 7 days and 1 s after A's touch: none
    await recordRefund(t, { refundId: "r1", orderId: "o1", amount: 40, occurredAt: sh("2025-06-07T12:00:00") }, actor);

    const staffOf = async (id: string) => {
      const o = await getOrder(t, id);
      return [o.ownerStaffId ?? null, o.staffId ?? null];
    };
    expect(await Promise.all(["o1", "o2", "o3", "o4", "o5", "o6"].map(staffOf))).toEqual([
      ["A", "A"], ["A", null], ["A", "B"], ["B", "A"], ["A", null], ["B", null],
    ]);

    const june = { from: "2025-06-01", to: "2025-06-30" };
    const a = await staffResults(t, "A", june);
    expect([a.membersOwned, a.buyers, a.repeatBuyers, a.repurchaseRate]).toEqual([3, 3, 1, 1 / 3]);
    expect(a.totals).toEqual({
      added: 3,
      touches: 2,
      ownedOrders: 4, // o1 o2 o3 o5
      ownedRevenueMinor: 25_000, // 100 + 50 + 80 + 20
      ownedRefundedMinor: 4_000,
      attributedOrders: 2, // o1 o4
      attributedRevenueMinor: 13_000,
      attributedRefundedMinor: 4_000,
    });
    // Days in Shanghai time: m3 was added at 23:30 local on 06-02.
    expect(a.days.map((d) => [d.date, d.added, d.touches, d.ownedOrders, d.attributedOrders])).toEqual([
      ["2025-06-01", 1, 1, 0, 0],
      ["2025-06-02", 2, 0, 0, 0],
      ["2025-06-03", 0, 1, 0, 0],
      ["2025-06-05", 0, 0, 1, 1],
      ["2025-06-06", 0, 0, 1, 0],
      ["2025-06-07", 0, 0, 0, 0],
      ["2025-06-08", 0, 0, 0, 1],
      ["2025-06-10", 0, 0, 1, 0],
      ["2025-06-20", 0, 0, 1, 0],
    ]);
    const b = await staffResults(t, "B", june);
    expect([b.membersOwned, b.buyers, b.repeatBuyers, b.repurchaseRate]).toEqual([1, 1, 1, 1]);
    expect(b.totals).toEqual({
      added: 1,
      touches: 1,
      ownedOrders: 2, // o4 o6 (o4's repeat not counted)
      ownedRevenueMinor: 4_000,
      ownedRefundedMinor: 0,
      attributedOrders: 1, // o3
      attributedRevenueMinor: 8_000,
      attributedRefundedMinor: 0,
    });
    // A shorter period: only its days.
    const early = await staffResults(t, "A", { from: "2025-06-01", to: "2025-06-05" });
    expect(early.totals).toMatchObject({ added: 3, touches: 2, ownedOrders: 1, ownedRevenueMinor: 10_000, ownedRefundedMinor: 0, attributedOrders: 1 });
    expect(await code(staffResults(t, "A", { from: "2025-06-05", to: "2025-06-01" }))).toBe("BAD_USER_INPUT");
    expect(await code(staffResults(t, "A", { from: "2024-01-01", to: "2025-06-01" }))).toBe("BAD_USER_INPUT");
    expect((await listStaffTouches(t, "A", {})).items.map((x) => x.touchId)).toEqual(["t1", "t3"]);

    // A shorter window: an order 5 days after a touch is no longer attributed.
    await updateStaffSettings(t, { attributionWindowDays: 3 });
    await recordStaffTouch(t, { touchId: "t4", memberId: m3, staffId: "B", kind: "MESSAGE", occurredAt: sh("2025-06-21T10:00:00") }, actor);
    await order("o7", m3, 5, "2025-06-26T10:00:00");
    expect(await staffOf("o7")).toEqual(["A", null]);
    expect(await code(updateStaffSettings(t, { attributionWindowDays: 0 }))).toBe("BAD_USER_INPUT");

    // The members move to B: owned, buyers and repeaters move with them; past days stay.
    const r = await reassignStaffMembers(t, { fromStaffId: "A", toStaffId: "B", note: "A left", markLeft: true }, actor);
    expect(r).toMatchObject({ status: "DONE", memberCount: 3, movedCount: 3, markedLeft: true });
    const b2 = await staffResults(t, "B", june);
    expect([b2.membersOwned, b2.buyers, b2.repeatBuyers, b2.repurchaseRate]).toEqual([4, 4, 3, 0.75]); // m1, m3 (o7) and m4 have two orders
    const a2 = await staffResults(t, "A", june);
    expect([a2.staff.status, a2.membersOwned, a2.buyers, a2.totals.ownedOrders]).toEqual(["LEFT", 0, 0, 5]);
    await order("o8", m1, 1, "2025-06-28T10:00:00");
    expect(await staffOf("o8")).toEqual(["B", null]);
  });
});

describe("bulk reassignment", () => {
  it("moves 130 members all or nothing in effect, survives a crashed mover and an order in between, and keeps one history entry each", async () => {
    const t = newTenantId();
    await createStaff(t, { staffId: "A", name: "Leaving", role: "SHOPPING_ASSISTANT" });
    await createStaff(t, { staffId: "B", name: "Receiving", role: "SHOPPING_ASSISTANT" });
    const ids: string[] = [];
    for (let i = 0; i < 130; i++) {
      const m = await createMember(t, { sourceChannel: "WECOM", joinedAt: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString() }, actor);
      ids.push(m.memberId);
    }
    // 10 members with one order, 5 with two, before assignment (the OWNER item copies the count).
    for (let i = 0; i < 15; i++) await recordOrder(t, { orderId: `p${i}`, memberId: ids[i]!, channel: "APP", amount: 10, occurredAt: "2025-02-01T00:00:00Z" }, actor);
    for (let i = 10; i < 15; i++) await recordOrder(t, { orderId: `q${i}`, memberId: ids[i]!, channel: "APP", amount: 10, occurredAt: "2025-02-02T00:00:00Z" }, actor);
    for (const id of ids) await assignMemberOwner(t, { memberId: id, staffId: "A", reason: "ASSIGNED" }, actor);
    const own = await createMember(t, { sourceChannel: "WECOM", joinedAt: "2024-12-31T00:00:00Z" }, actor);
    await assignMemberOwner(t, { memberId: own.memberId, staffId: "B" }, actor);
    expect(await getStaff(t, "A")).toMatchObject({ ownedCount: 130, buyerCount: 15, repeatCount: 5 });

    const r = await startReassignment(t, { fromStaffId: "A", toStaffId: "B", note: "A leaves" }, actor);
    // Effective at once, before a single OWNER item moved: every reader sees B.
    const check = async (buyers = 15) => {
      expect(new Set(await effectiveOwners(t, ids))).toEqual(new Set(["B"]));
      expect(await allOwned(t, "A")).toEqual([]);
      const b = await allOwned(t, "B");
      expect(b.length).toBe(131);
      expect(new Set(b)).toEqual(new Set([...ids, own.memberId]));
      expect(await effectiveCounts(t, await getStaff(t, "B", true))).toEqual({ ownedCount: 131, buyerCount: buyers, repeatCount: 5 });
      expect((await effectiveCounts(t, await getStaff(t, "A", true))).ownedCount).toBe(0);
    };
    await check();
    // While moving: no new members for A, no second reassignment either way.
    expect(await code(assignMemberOwner(t, { memberId: own.memberId, staffId: "A" }, actor))).toBe("CONFLICT");
    expect(await code(startReassignment(t, { fromStaffId: "A", toStaffId: "B" }, actor))).toBe("CONFLICT");
    expect(await code(startReassignment(t, { fromStaffId: "B", toStaffId: "A" }, actor))).toBe("CONFLICT");

    // The mover crashes after 2 transactions of 32.
    expect(await code(moveReassignment(t, "A", r.reassignmentId, { crashAfterBatches: 2 }))).toContain("test crash");
    expect((await getStaff(t, "A", true)).ownedCount).toBe(130 - 64);
    await check();
    // An order of a member not moved yet: recorded under B (in effect), the OWNER mirror moves.
    const stored = await Promise.all(ids.map((id) => findOwnership(t, id, true)));
    const waiting = ids.filter((_, i) => stored[i]!.staffId === "A");
    expect(waiting.length).toBe(66);
    const late = waiting.find((id) => ids.indexOf(id) >= 15)!;
    await recordOrder(t, { orderId: "late", memberId: late, channel: "APP", amount: 10, occurredAt: "2025-03-01T00:00:00Z" }, actor);
    expect((await getOrder(t, "late")).ownerStaffId).toBe("B");
    await check(16); // the late member is a buyer now

    // The staff-reassign task resumes it; a second run finds nothing to do.
    expect(await runTask("staff-reassign", t)).toMatchObject({ changed: true, summary: `staff-reassign for ${t}: 1 reassignment(s) finished: ${r.reassignmentId}` });
    expect((await resumeReassignments(t)).resumed).toEqual([]);
    expect(await findReassignment(t, "A", r.reassignmentId)).toMatchObject({ status: "DONE", memberCount: 130, movedCount: 130 });
    const a = await getStaff(t, "A", true);
    const b = await getStaff(t, "B", true);
    expect([a.ownedCount, a.buyerCount, a.repeatCount, a.reassignment, a.incoming]).toEqual([0, 0, 0, undefined, undefined]);
    expect([b.ownedCount, b.buyerCount, b.repeatCount, b.incoming ?? []]).toEqual([131, 16, 5, []]);
    expect((await Promise.all(ids.map((id) => findOwnership(t, id, true)))).every((o) => o?.staffId === "B")).toBe(true);
    for (const id of ids) {
      const history = (await listOwnershipHistory(t, id, {})).items;
      expect(history.map((c) => [c.reason, c.fromStaffId, c.toStaffId])).toEqual([["REASSIGNED", "A", "B"], ["ASSIGNED", undefined, "A"]]);
    }
    // Rerunning the finished mover changes nothing.
    expect((await moveReassignment(t, "A", r.reassignmentId)).status).toBe("DONE");
    expect((await getStaff(t, "B", true)).ownedCount).toBe(131);
    // Now A may leave.
    expect((await updateStaff(t, "A", { status: "LEFT" })).status).toBe("LEFT");
  }, 120_000);
});

describe("spread reassignment", () => {
  it("spreads 120 members over three staff members by bucket, exactly, through a crashed mover", async () => {
    const t = newTenantId();
    for (const id of ["A", "B", "C", "D"]) await createStaff(t, { staffId: id, name: `Staff ${id}`, role: "SHOPPING_ASSISTANT" });
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) ids.push((await createMember(t, { sourceChannel: "WECOM", joinedAt: new Date(Date.UTC(2025, 0, 1, i)).toISOString() }, actor)).memberId);
    for (let i = 0; i < 30; i++) await recordOrder(t, { orderId: `p${i}`, memberId: ids[i]!, channel: "APP", amount: 10, occurredAt: "2025-02-01T00:00:00Z" }, actor);
    for (const id of ids) await assignMemberOwner(t, { memberId: id, staffId: "A", reason: "ASSIGNED" }, actor);

    // Independently: bucket = first byte of SHA-256(member id) mod 16; B gets 0-4, C 5-9, D 10-15.
    const bucket = (id: string) => createHash("sha256").update(id).digest()[0]! % 16;
    const receiver = (id: string) => (bucket(id) < 5 ? "B" : bucket(id) < 10 ? "C" : "D");
    const expected = new Map(["B", "C", "D"].map((s) => [s, ids.filter((id) => receiver(id) === s)]));
    expect([...expected.values()].every((list) => list.length > 20)).toBe(true);

    expect(await code(startReassignment(t, { fromStaffId: "A", toStaffIds: ["B", "B"] }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(startReassignment(t, { fromStaffId: "A", toStaffIds: ["A", "B"] }, actor))).toBe("BAD_USER_INPUT");
    const r = await startReassignment(t, { fromStaffId: "A", toStaffIds: ["B", "C", "D"] }, actor);
    expect(r.targets).toEqual([{ staffId: "B", lo: 0, hi: 5 }, { staffId: "C", lo: 5, hi: 10 }, { staffId: "D", lo: 10, hi: 16 }]);
    const check = async () => {
      expect(await effectiveOwners(t, ids)).toEqual(ids.map(receiver));
      for (const [s, list] of expected) {
        expect(new Set(await allOwned(t, s, 9)), s).toEqual(new Set(list));
        const buyers = list.filter((id) => ids.indexOf(id) < 30).length;
        expect(await effectiveCounts(t, await getStaff(t, s, true)), s).toEqual({ ownedCount: list.length, buyerCount: buyers, repeatCount: 0 });
      }
    };
    await check();
    await code(moveReassignment(t, "A", r.reassignmentId, { batchSize: 10, crashAfterBatches: 3 }));
    expect((await getStaff(t, "A", true)).ownedCount).toBe(90);
    await check();
    expect((await moveReassignment(t, "A", r.reassignmentId)).status).toBe("DONE");
    await check();
    for (const [s, list] of expected) {
      const stored = await getStaff(t, s, true);
      expect([stored.ownedCount, stored.incoming], s).toEqual([list.length, undefined]);
    }
    expect((await getStaff(t, "A", true)).buckets.owned.every((n) => n === 0)).toBe(true);
  }, 120_000);
});

export type { Staff };
