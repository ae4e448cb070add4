import { countRequests } from "@growth/core/db";
import { createMember, setReferrer } from "@growth/core/member";
import { recordOrder } from "@growth/core/order";
import { assignMemberOwner, createStaff } from "@growth/core/staff";
import { createStore } from "@growth/core/store";
import { describe, expect, it } from "vitest";
import { openTicket, respondToTicket } from "@growth/core/service";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

const actor = { actor: "test" };
type R = Awaited<ReturnType<typeof executeOperation>>;
const codes = (r: R) => (r.errors ?? []).map((e) => e.extensions?.code);
const sh = (local: string) => `${local}+08:00`;

const MONEY = "{ minor currency }";
const RESULTS = `results(from: $from, to: $to) { from to membersOwned newMembers touches ownedMemberOrders ownedMemberRevenue ${MONEY}
  attributedOrders attributedRevenue ${MONEY} buyers repeatBuyers repurchaseRate ticketsHandled medianFirstResponseSeconds p90FirstResponseSeconds
  days { date newMembers touches ownedMemberOrders attributedOrders attributedRevenue ${MONEY} } }`;

describe("staff through GraphQL", () => {
  it("creates staff, assigns owners, records touches and reads per-staff results, orders and history", async () => {
    const tenant = newTenantId();
    await createStore(tenant, { storeId: "SH-1", name: "People's Square", latitude: 31.23, longitude: 121.47 });
    const create = `mutation($input: CreateStaffInput!) { createStaff(input: $input) { staff { id name role status wecomUserId store { id name } membersOwned } } }`;
    const a = await executeOperation(create, { input: { id: "A", name: "Li Na", role: "SHOPPING_ASSISTANT", storeId: "SH-1", wecomUserId: "lina" } }, { tenant });
    expect(a.errors).toBeUndefined();
    expect(a.data!.createStaff.staff).toEqual({ id: "A", name: "Li Na", role: "SHOPPING_ASSISTANT", status: "ACTIVE", wecomUserId: "lina", store: { id: "SH-1", name: "People's Square" }, membersOwned: 0 });
    expect(codes(await executeOperation(create, { input: { id: "B", name: "Wang", role: "SHOPPING_ASSISTANT" } }, { tenant, role: "OPERATOR" }))).toEqual(["FORBIDDEN"]);
    expect(codes(await executeOperation(create, { input: { id: "A", name: "Again", role: "SHOPPING_ASSISTANT" } }, { tenant }))).toEqual(["CONFLICT"]);
    await executeOperation(create, { input: { id: "B", name: "Wang Fang", role: "STORE_MANAGER", storeId: "SH-1" } }, { tenant });

    const m1 = (await createMember(tenant, { sourceChannel: "WECOM" }, actor)).memberId;
    const m2 = (await createMember(tenant, { sourceChannel: "WECOM" }, actor)).memberId;
    const assign = `mutation($input: AssignMemberOwnerInput!) { assignMemberOwner(input: $input) { member { id owner { id name } } } }`;
    const as = await executeOperation(assign, { input: { memberId: m1, staffId: "A", at: sh("2025-06-01T10:00:00") } }, { tenant, role: "OPERATOR" });
    expect(as.errors).toBeUndefined();
    expect(as.data!.assignMemberOwner.member).toEqual({ id: m1, owner: { id: "A", name: "Li Na" } });
    await executeOperation(assign, { input: { memberId: m2, staffId: "A", at: sh("2025-06-02T10:00:00") } }, { tenant });
    expect(codes(await executeOperation(assign, { input: { memberId: m2, staffId: "NOPE" } }, { tenant }))).toEqual(["NOT_FOUND"]);

    const touch = `mutation($input: RecordStaffTouchInput!) { recordStaffTouch(input: $input) { duplicate touch { id kind staff { id } member { id } occurredAt } } }`;
    const t1 = await executeOperation(touch, { input: { id: "t1", memberId: m1, staffId: "B", kind: "MESSAGE", occurredAt: sh("2025-06-03T10:00:00") } }, { tenant, role: "OPERATOR" });
    expect(t1.data!.recordStaffTouch).toEqual({ duplicate: false, touch: { id: "t1", kind: "MESSAGE", staff: { id: "B" }, member: { id: m1 }, occurredAt: "2025-06-03T02:00:00.000Z" } });
    const again = await executeOperation(touch, { input: { id: "t1", memberId: m1, staffId: "B", kind: "MESSAGE", occurredAt: sh("2025-06-03T10:00:00") } }, { tenant });
    expect(again.data!.recordStaffTouch.duplicate).toBe(true);

    const order = `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { duplicate order { id ownerStaff { id } attributedStaff { id } } } }`;
    const o1 = await executeOperation(order, { input: { id: "o1", memberId: m1, channel: "WECOM", amount: 120.5, occurredAt: sh("2025-06-04T12:00:00") } }, { tenant });
    expect(o1.data!.recordOrder).toEqual({ duplicate: false, order: { id: "o1", ownerStaff: { id: "A" }, attributedStaff: { id: "B" } } });
    const o1again = await executeOperation(order, { input: { id: "o1", memberId: m1, channel: "WECOM", amount: 120.5, occurredAt: sh("2025-06-04T12:00:00") } }, { tenant });
    expect(o1again.data!.recordOrder.duplicate).toBe(true);
    await executeOperation(order, { input: { id: "o2", memberId: m1, channel: "WECOM", amount: 30, occurredAt: sh("2025-06-20T12:00:00") } }, { tenant });
    await executeOperation(`mutation { recordRefund(input: { id: "r1", orderId: "o1", amount: 20.5, occurredAt: "2025-06-05T04:00:00Z" }) { duplicate } }`, {}, { tenant });

    // Service tickets assigned to A: answered after 1 h and 3 h, one not yet, and one in July (outside the period).
    for (const [id, opened, replyHours] of [["k1", "2025-06-10T09:00:00", 1], ["k2", "2025-06-11T09:00:00", 3], ["k3", "2025-06-12T09:00:00", 0], ["k4", "2025-07-01T09:00:00", 1]] as const) {
      const at = new Date(sh(opened));
      await openTicket(tenant, { ticketId: id, memberId: m1, channel: "WECOM", category: "ORDER", subject: "Where is it?", assigneeStaffId: "A" }, { actor: "t" }, at);
      if (replyHours) await respondToTicket(tenant, { ticketId: id, message: "On it" }, { actor: "A" }, new Date(at.getTime() + replyHours * 3_600_000));
    }

    const read = `query($id: ID!, $from: Date!, $to: Date!) { staff(id: $id) { id membersOwned members(first: 10) { edges { node { id } } } touches { edges { node { id } } } ${RESULTS} } }`;
    const ra = await executeOperation(read, { id: "A", from: "2025-06-01", to: "2025-06-30" }, { tenant, role: "ANALYST" });
    expect(ra.errors).toBeUndefined();
    const cny = (minor: number) => ({ minor, currency: "CNY" });
    expect(ra.data!.staff).toMatchObject({
      id: "A",
      membersOwned: 2,
      members: { edges: [{ node: { id: m2 } }, { node: { id: m1 } }] },
      touches: { edges: [] },
      results: {
        from: "2025-06-01",
        to: "2025-06-30",
        membersOwned: 2,
        newMembers: 2,
        touches: 0,
        ownedMemberOrders: 2,
        ownedMemberRevenue: cny(12_050 + 3_000 - 2_050),
        attributedOrders: 0,
        attributedRevenue: cny(0),
        buyers: 1,
        repeatBuyers: 1,
        repurchaseRate: 1,
        // 3 tickets in June; first responses 3,600 s and 10,800 s: median 7,200, p90 (nearest rank) 10,800.
        ticketsHandled: 3,
        medianFirstResponseSeconds: 7200,
        p90FirstResponseSeconds: 10800,
      },
    });
    const rb = await executeOperation(read, { id: "B", from: "2025-06-01", to: "2025-06-30" }, { tenant });
    expect(rb.data!.staff.results).toMatchObject({ membersOwned: 0, touches: 1, attributedOrders: 1, attributedRevenue: cny(10_000), buyers: 0, repurchaseRate: null });
    expect(rb.data!.staff.results.days).toEqual([
      { date: "2025-06-03", newMembers: 0, touches: 1, ownedMemberOrders: 0, attributedOrders: 0, attributedRevenue: cny(0) },
      { date: "2025-06-04", newMembers: 0, touches: 0, ownedMemberOrders: 0, attributedOrders: 1, attributedRevenue: cny(12_050) },
      { date: "2025-06-05", newMembers: 0, touches: 0, ownedMemberOrders: 0, attributedOrders: 0, attributedRevenue: cny(-2_050) },
    ]);
    expect(codes(await executeOperation(read, { id: "A", from: "2025-06-30", to: "2025-06-01" }, { tenant }))).toEqual(["BAD_USER_INPUT"]);

    // Reassign A's members to B, marking A LEFT: all or nothing, history on each member.
    const reassign = `mutation($input: ReassignStaffMembersInput!) { reassignStaffMembers(input: $input) { reassignment { id status memberCount movedCount markedLeft from { id status } to { id membersOwned } } } }`;
    const rr = await executeOperation(reassign, { input: { fromStaffId: "A", toStaffId: "B", note: "A left the brand", markLeft: true } }, { tenant });
    expect(rr.errors).toBeUndefined();
    expect(rr.data!.reassignStaffMembers.reassignment).toMatchObject({ status: "DONE", memberCount: 2, movedCount: 2, markedLeft: true, from: { id: "A", status: "LEFT" }, to: [{ id: "B", membersOwned: 2 }] });
    expect(codes(await executeOperation(reassign, { input: { fromStaffId: "B", toStaffId: "A" } }, { tenant }))).toEqual(["CONFLICT"]); // A has left
    const hist = await executeOperation(`query($id: ID!) { member(id: $id) { owner { id } ownershipHistory { edges { node { reason from { id } to { id } note actor reassignmentId } } } } }`, { id: m1 }, { tenant });
    const rid = rr.data!.reassignStaffMembers.reassignment.id;
    expect(hist.data!.member).toEqual({
      owner: { id: "B" },
      ownershipHistory: {
        edges: [
          { node: { reason: "REASSIGNED", from: { id: "A" }, to: { id: "B" }, note: "A left the brand", actor: "local-admin", reassignmentId: rid } },
          { node: { reason: "ADDED", from: null, to: { id: "A" }, note: null, actor: "local-operator", reassignmentId: null } },
        ],
      },
    });
    const list = await executeOperation(`{ left: staffMembers(filter: { status: LEFT }) { edges { node { id } } } store: staffMembers(filter: { storeId: "SH-1" }) { edges { node { id reassignments { edges { node { id } } } } } } }`, {}, { tenant });
    expect(list.data).toEqual({ left: { edges: [{ node: { id: "A" } }] }, store: { edges: [{ node: { id: "B", reassignments: { edges: [] } } }] } });

    const settings = await executeOperation(`mutation { updateStaffSettings(input: { attributionWindowDays: 14 }) { settings { attributionWindowDays } } }`, {}, { tenant });
    expect(settings.data!.updateStaffSettings.settings.attributionWindowDays).toBe(14);
    expect(codes(await executeOperation(`mutation { updateStaffSettings(input: { attributionWindowDays: 91 }) { settings { attributionWindowDays } } }`, {}, { tenant }))).toEqual(["BAD_USER_INPUT"]);
    expect((await executeOperation(`{ staffSettings { attributionWindowDays } }`, {}, { tenant, role: "ANALYST" })).data!.staffSettings.attributionWindowDays).toBe(14);
  });
});

describe("owners in a member list", () => {
  it("cost two BatchGetItems for a page of 30 members (OWNER items, then their staff), whoever the caller", async () => {
    const tenant = newTenantId();
    for (const id of ["A", "B", "C"]) await createStaff(tenant, { staffId: id, name: `Staff ${id}`, role: "SHOPPING_ASSISTANT" });
    for (let i = 0; i < 30; i++) {
      const m = await createMember(tenant, { sourceChannel: "WECOM" }, actor);
      await assignMemberOwner(tenant, { memberId: m.memberId, staffId: ["A", "B", "C"][i % 3]! }, actor);
    }
    const shards = 4;
    const q = `{ members(first: 30) { edges { node { id owner { id name } } } } }`;
    const { result, tally } = await countRequests(() => executeOperation(q, {}, { tenant }));
    expect(result.errors).toBeUndefined();
    const owners = result.data!.members.edges.map((e: { node: { owner: { id: string } } }) => e.node.owner.id);
    expect([owners.filter((o: string) => o === "A").length, owners.filter((o: string) => o === "B").length, owners.filter((o: string) => o === "C").length]).toEqual([10, 10, 10]);
    expect(tally.byCommand).toEqual({ QueryCommand: shards, BatchGetItemCommand: 2 });
  });
});

describe("a staff-bound OPERATOR token", () => {
  it("sees and changes only its staff member's members; others are NOT_FOUND as if they did not exist", async () => {
    const tenant = newTenantId();
    await createStaff(tenant, { staffId: "A", name: "Li Na", role: "SHOPPING_ASSISTANT" });
    await createStaff(tenant, { staffId: "B", name: "Wang Fang", role: "SHOPPING_ASSISTANT" });
    const mine = await createMember(tenant, { sourceChannel: "WECOM", phone: "13800138001", customerNo: "C1", tier: "ACTIVE", tags: ["vip"], identities: [{ channel: "WECOM", externalId: "wm-1" }] }, actor);
    const theirs = await createMember(tenant, { sourceChannel: "WECOM", phone: "13800138002", customerNo: "C2", identities: [{ channel: "WECOM", externalId: "wm-2" }] }, actor);
    const nobody = await createMember(tenant, { sourceChannel: "APP", phone: "13800138003", customerNo: "C3" }, actor);
    await assignMemberOwner(tenant, { memberId: mine.memberId, staffId: "A" }, actor);
    await assignMemberOwner(tenant, { memberId: theirs.memberId, staffId: "B" }, actor);
    await setReferrer(tenant, mine.memberId, theirs.memberId);
    const bound = { tenant, role: "OPERATOR" as const, staffId: "A" };
    const run = (q: string, v: Record<string, unknown> = {}, o: Parameters<typeof executeOperation>[2] = bound) => executeOperation(q, v, o);

    expect((await run(`{ viewer { role staffId } }`)).data!.viewer).toEqual({ role: "OPERATOR", staffId: "A" });

    // Reads: the lookups answer null for members out of scope, as for unknown ones.
    const lookups = `query($id: ID!, $ext: String!, $phone: String!, $no: String!) {
      member(id: $id) { id referrer { id } owner { id } }
      memberByIdentity(channel: WECOM, externalId: $ext) { id }
      memberByPhone(phone: $phone) { id }
      memberByCustomerNo(customerNo: $no) { id } }`;
    const own = await run(lookups, { id: mine.memberId, ext: "wm-1", phone: "13800138001", no: "C1" });
    expect(own.data).toEqual({ member: { id: mine.memberId, referrer: null, owner: { id: "A" } }, memberByIdentity: { id: mine.memberId }, memberByPhone: { id: mine.memberId }, memberByCustomerNo: { id: mine.memberId } });
    for (const [m, ext, phone, no] of [[theirs.memberId, "wm-2", "13800138002", "C2"], [nobody.memberId, "none", "13800138003", "C3"], ["m_unknown", "none", "13800138009", "C9"]]) {
      const r = await run(lookups, { id: m, ext, phone, no });
      expect(r.errors).toBeUndefined();
      expect(r.data).toEqual({ member: null, memberByIdentity: null, memberByPhone: null, memberByCustomerNo: null });
    }
    // An unbound operator, an admin and an analyst (even with a staffId claim) see everyone.
    for (const o of [{ tenant, role: "OPERATOR" as const }, { tenant, role: "ADMIN" as const, staffId: "A" }, { tenant, role: "ANALYST" as const, staffId: "A" }]) {
      const r = await run(lookups, { id: theirs.memberId, ext: "wm-2", phone: "13800138002", no: "C2" }, o);
      expect(r.data!.member.id).toBe(theirs.memberId);
      expect(r.data!.memberByCustomerNo.id).toBe(theirs.memberId);
    }
    const members = `query($f: MemberFilter) { members(filter: $f) { edges { node { id } } pageInfo { hasNextPage } } }`;
    expect((await run(members)).data!.members).toEqual({ edges: [{ node: { id: mine.memberId } }], pageInfo: { hasNextPage: false } });
    expect((await run(members, { f: { tier: "ACTIVE" } })).data!.members.edges).toEqual([{ node: { id: mine.memberId } }]);
    expect((await run(members, { f: { tag: "nope" } })).data!.members.edges).toEqual([]);
    expect((await run(members, {}, { tenant, role: "OPERATOR" })).data!.members.edges).toHaveLength(3);
    // Another staff member's list is empty for this token; its own is its members.
    const lists = `{ a: staff(id: "A") { members { edges { node { id } } } } b: staff(id: "B") { membersOwned members { edges { node { id } } } } }`;
    expect((await run(lists)).data).toEqual({ a: { members: { edges: [{ node: { id: mine.memberId } }] } }, b: { membersOwned: 1, members: { edges: [] } } });

    // Writes: every member mutation naming a member out of scope is NOT_FOUND, worded as for an unknown id.
    const writes: [string, (id: string) => Record<string, unknown>][] = [
      [`mutation($input: UpdateMemberInput!) { updateMember(input: $input) { member { id } } }`, (id) => ({ id, city: "Shanghai" })],
      [`mutation($input: MemberIdentityInput!) { linkMemberIdentity(input: $input) { member { id } } }`, (id) => ({ memberId: id, identity: { channel: "APP", externalId: `app-${id}` } })],
      [`mutation($input: MemberIdentityInput!) { unlinkMemberIdentity(input: $input) { member { id } } }`, (id) => ({ memberId: id, identity: { channel: "APP", externalId: `app-${id}` } })],
      [`mutation($input: ChangeMemberTagsInput!) { changeMemberTags(input: $input) { member { id } } }`, (id) => ({ memberId: id, add: ["x"] })],
      [`mutation($input: SetMemberTierInput!) { setMemberTier(input: $input) { member { id } } }`, (id) => ({ memberId: id, tier: "LOYAL" })],
      [`mutation($input: SetMemberConsentInput!) { setMemberConsent(input: $input) { member { id } } }`, (id) => ({ memberId: id, kind: "MARKETING", granted: true, source: "WECOM" })],
      [`mutation($input: AssignMemberOwnerInput!) { assignMemberOwner(input: $input) { member { id } } }`, (id) => ({ memberId: id, staffId: "A" })],
      [`mutation($input: RecordStaffTouchInput!) { recordStaffTouch(input: $input) { duplicate } }`, (id) => ({ memberId: id, staffId: "A", kind: "MESSAGE" })],
      [`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { duplicate } }`, (id) => ({ id: `o-${id}`, memberId: id, channel: "WECOM", amount: 10, occurredAt: "2025-06-01T00:00:00Z" })],
      [`mutation($input: UnassignMemberOwnerInput!) { unassignMemberOwner(input: $input) { member { id } } }`, (id) => ({ memberId: id })],
    ];
    for (const [mutation, input] of writes) {
      for (const id of [theirs.memberId, nobody.memberId]) {
        const r = await run(mutation, { input: input(id) });
        expect(codes(r), mutation).toEqual(["NOT_FOUND"]);
        expect(r.errors![0]!.message).toBe(`Member ${id} was not found`);
      }
      // The same on its own member succeeds (the last one unassigns it, so it runs last).
      const ok = await run(mutation, { input: input(mine.memberId) });
      expect(ok.errors, mutation).toBeUndefined();
    }
    // After unassigning its member the token no longer sees it.
    expect((await run(`query($id: ID!) { member(id: $id) { id } }`, { id: mine.memberId })).data!.member).toBeNull();
    await assignMemberOwner(tenant, { memberId: mine.memberId, staffId: "A", reason: "ASSIGNED" }, actor);
    const referrer = `mutation($input: SetMemberReferrerInput!) { setMemberReferrer(input: $input) { member { id } } }`;
    expect(codes(await run(referrer, { input: { memberId: mine.memberId, referrerId: nobody.memberId } }))).toEqual(["NOT_FOUND"]);
    expect(codes(await run(referrer, { input: { memberId: theirs.memberId, referrerId: mine.memberId } }))).toEqual(["NOT_FOUND"]);
    expect(codes(await run(`mutation($input: BindMemberCardInput!) { bindMemberCard(input: $input) { created } }`, { input: { phone: "13800138002", cardNo: "CARD-2" } }))).toEqual(["NOT_FOUND"]);
    expect(codes(await run(`mutation($input: MergeMembersInput!) { mergeMembers(input: $input) { member { id } } }`, { input: { survivorId: mine.memberId, duplicateId: theirs.memberId } }))).toEqual(["FORBIDDEN"]);
    expect(codes(await run(`mutation($input: EraseMemberInput!) { eraseMember(input: $input) { member { id } } }`, { input: { memberId: theirs.memberId } }))).toEqual(["FORBIDDEN"]);
    // Touches only as itself.
    expect(codes(await run(`mutation { recordStaffTouch(input: { memberId: "${mine.memberId}", staffId: "B", kind: CALL }) { duplicate } }`))).toEqual(["FORBIDDEN"]);

    // Members it creates (or registers at the counter) are its own.
    const created = await run(`mutation { createMember(input: { sourceChannel: WECOM, name: "New" }) { member { id owner { id } } } }`);
    expect(created.data!.createMember.member.owner).toEqual({ id: "A" });
    const card = await run(`mutation { bindMemberCard(input: { phone: "13800138005", cardNo: "CARD-5" }) { created member { id owner { id } } } }`);
    expect(card.data!.bindMemberCard).toMatchObject({ created: true, member: { owner: { id: "A" } } });
    expect((await run(members)).data!.members.edges).toHaveLength(3);

    // Ownership moving to A (a reassignment from B) makes B's members visible at once.
    const moved = await run(`mutation { reassignStaffMembers(input: { fromStaffId: "B", toStaffId: "A" }) { reassignment { status } } }`, {}, { tenant });
    expect(moved.data!.reassignStaffMembers.reassignment.status).toBe("DONE");
    expect((await run(`query($id: ID!) { member(id: $id) { id } }`, { id: theirs.memberId })).data!.member).toEqual({ id: theirs.memberId });
    expect((await run(members)).data!.members.edges).toHaveLength(4);
  });
});
