import { countRequests } from "@growth/core/db";
import { createMember } from "@growth/core/member";
import { getSettings } from "@growth/core/tenant";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

const CREATE = `mutation($input: CreateMemberInput!) { createMember(input: $input) { member { id name phone tier tags sourceChannel consent { marketing } identities { channel externalId } } } }`;
const codes = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => (r.errors ?? []).map((e) => e.extensions?.code);

describe("members through GraphQL", () => {
  it("creates a member, records orders, events and points, and reads the profile back", async () => {
    const tenant = newTenantId();
    const created = await executeOperation(
      CREATE,
      { input: { name: "Zhang San", phone: "13912345678", sourceChannel: "MINI_PROGRAM", tags: ["coffee"], marketingConsent: true, identities: [{ channel: "MINI_PROGRAM", externalId: "oX1" }] } },
      { tenant, role: "OPERATOR" },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createMember.member.id;
    expect(created.data!.createMember.member).toMatchObject({ phone: "+8613912345678", tier: "SILENT", tags: ["coffee"], consent: { marketing: true } });

    const order = `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { duplicate order { id amount { amount minor currency } member { id } } } }`;
    const first = await executeOperation(order, { input: { id: "ord-1", memberId: id, channel: "MINI_PROGRAM", amount: 36.5, occurredAt: "2025-08-01T12:00:00+08:00", items: [{ sku: "LATTE", quantity: 2, unitPrice: 18.25 }] } }, { tenant });
    expect(first.data!.recordOrder).toEqual({ duplicate: false, order: { id: "ord-1", amount: { amount: 36.5, minor: 3650, currency: "CNY" }, member: { id } } });
    const again = await executeOperation(order, { input: { id: "ord-1", memberId: id, channel: "MINI_PROGRAM", amount: 36.5, occurredAt: "2025-08-01T12:00:00+08:00", items: [{ sku: "LATTE", quantity: 2, unitPrice: 18.25 }] } }, { tenant });
    expect(again.data!.recordOrder.duplicate).toBe(true);
    await executeOperation(`mutation { recordEvent(input: { id: "ev-1", memberId: "${id}", type: SHARE, channel: WECHAT_OA, occurredAt: "2025-08-02T00:00:00Z" }) { duplicate } }`, {}, { tenant });
    const redeem = await executeOperation(`mutation { redeemPoints(input: { memberId: "${id}", points: 10, requestId: "r1" }) { member { points { balance } } entry { type points } } }`, {}, { tenant });
    expect(redeem.data!.redeemPoints).toEqual({ member: { points: { balance: 26 } }, entry: { type: "REDEEM", points: -10 } });

    const profile = await executeOperation(
      `query($id: ID!) { member(id: $id) { id stats { orderCount grossSpend { minor } netSpend { amount } averageOrderValue { minor } firstOrderAt lastActiveAt eventCount }
        points { balance ledger(first: 10) { edges { node { type points } } } }
        orders(first: 10) { edges { node { id items { sku quantity unitPrice { minor } } } } pageInfo { hasNextPage } } } }`,
      { id },
      { tenant, role: "ANALYST" },
    );
    expect(profile.errors).toBeUndefined();
    expect(profile.data!.member).toEqual({
      id,
      stats: { orderCount: 1, grossSpend: { minor: 3650 }, netSpend: { amount: 36.5 }, averageOrderValue: { minor: 3650 }, firstOrderAt: "2025-08-01T04:00:00.000Z", lastActiveAt: "2025-08-02T00:00:00.000Z", eventCount: 1 },
      points: { balance: 26, ledger: { edges: [{ node: { type: "REDEEM", points: -10 } }, { node: { type: "EARN", points: 36 } }] } },
      orders: { edges: [{ node: { id: "ord-1", items: [{ sku: "LATTE", quantity: 2, unitPrice: { minor: 1825 } }] } }], pageInfo: { hasNextPage: false } },
    });
  });

  it("masks personal data for analysts and resolves identities", async () => {
    const tenant = newTenantId();
    await createMember(tenant, { name: "Li Si", phone: "13800138000", email: "lisi@example.com", birthday: "1990-01-02", sourceChannel: "WECOM", identities: [{ channel: "WECOM", externalId: "wm_abcdef" }] }, { actor: "t" });
    const q = `{ memberByIdentity(channel: WECOM, externalId: "wm_abcdef") { name phone email birthday identities { externalId } } }`;
    const analyst = await executeOperation(q, {}, { tenant, role: "ANALYST" });
    expect(analyst.data!.memberByIdentity).toEqual({ name: "L**", phone: "138****8000", email: "l***@example.com", birthday: null, identities: [{ externalId: "wm****" }] });
    const operator = await executeOperation(q, {}, { tenant, role: "OPERATOR" });
    expect(operator.data!.memberByIdentity).toEqual({ name: "Li Si", phone: "+8613800138000", email: "lisi@example.com", birthday: "1990-01-02", identities: [{ externalId: "wm_abcdef" }] });
    const byPhone = await executeOperation(`{ memberByPhone(phone: "+86 138 0013 8000") { name } }`, {}, { tenant });
    expect(byPhone.data!.memberByPhone).toEqual({ name: "Li Si" });
  });

  it("gives clear codes: bad input, forbidden, conflict, unauthenticated, not found as null", async () => {
    const tenant = newTenantId();
    expect(codes(await executeOperation(CREATE, { input: { sourceChannel: "APP", phone: "123" } }, { tenant }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await executeOperation(CREATE, { input: { sourceChannel: "APP" } }, { tenant, role: "ANALYST" }))).toEqual(["FORBIDDEN"]);
    expect(codes(await executeOperation(CREATE, { input: { sourceChannel: "APP" } }, { authorization: null }))).toEqual(["UNAUTHENTICATED"]);
    await executeOperation(CREATE, { input: { sourceChannel: "APP", phone: "13700000000" } }, { tenant });
    expect(codes(await executeOperation(CREATE, { input: { sourceChannel: "APP", phone: "13700000000" } }, { tenant }))).toEqual(["CONFLICT"]);
    expect(codes(await executeOperation(`mutation { mergeMembers(input: { survivorId: "a", duplicateId: "b" }) { member { id } } }`, {}, { tenant, role: "OPERATOR" }))).toEqual(["FORBIDDEN"]);
    expect(codes(await executeOperation(`mutation { redeemPoints(input: { memberId: "nobody", points: 1, requestId: "x" }) { duplicate } }`, {}, { tenant }))).toEqual(["NOT_FOUND"]);
    expect((await executeOperation(`{ member(id: "nobody") { id } }`, {}, { tenant })).data).toEqual({ member: null });
    expect(codes(await executeOperation(`{ members(first: 1000) { edges { cursor } } }`, {}, { tenant }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("cannot read or write another tenant's members, whatever ids it sends", async () => {
    const a = newTenantId();
    const b = newTenantId();
    const m = await createMember(a, { sourceChannel: "APP", phone: "13600000000", identities: [{ channel: "APP", externalId: "shared-id" }] }, { actor: "t" });
    const asB = { tenant: b };
    expect((await executeOperation(`{ member(id: "${m.memberId}") { id } }`, {}, asB)).data).toEqual({ member: null });
    expect((await executeOperation(`{ memberByIdentity(channel: APP, externalId: "shared-id") { id } }`, {}, asB)).data).toEqual({ memberByIdentity: null });
    expect((await executeOperation(`{ memberByPhone(phone: "13600000000") { id } }`, {}, asB)).data).toEqual({ memberByPhone: null });
    expect(codes(await executeOperation(`mutation { recordOrder(input: { id: "x", memberId: "${m.memberId}", channel: APP, amount: 1, occurredAt: "2025-01-01T00:00:00Z" }) { duplicate } }`, {}, asB))).toEqual(["NOT_FOUND"]);
    expect(codes(await executeOperation(`mutation { setMemberTier(input: { memberId: "${m.memberId}", tier: CORE }) { member { id } } }`, {}, asB))).toEqual(["NOT_FOUND"]);
    const pageA = await executeOperation(`{ members(first: 1) { pageInfo { endCursor } } }`, {}, { tenant: a });
    const cursor = pageA.data!.members.pageInfo.endCursor;
    expect(codes(await executeOperation(`query($c: String) { members(first: 1, after: $c) { edges { cursor } } }`, { c: cursor }, asB))).toEqual(["BAD_USER_INPUT"]);
    expect((await executeOperation(`{ members { edges { node { id } } } }`, {}, asB)).data).toEqual({ members: { edges: [] } });
  });

  it("lists 50 members with their referrers in a constant number of DynamoDB calls", async () => {
    const tenant = newTenantId();
    const referrers = await Promise.all(Array.from({ length: 10 }, (_, i) => createMember(tenant, { sourceChannel: "APP", name: `R${i}`, joinedAt: "2024-01-01T00:00:00Z" }, { actor: "t" })));
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => createMember(tenant, { sourceChannel: "APP", tier: "ACTIVE", referrerId: referrers[i % 10]!.memberId, joinedAt: new Date(Date.UTC(2025, 0, 1, i)).toISOString() }, { actor: "t" })),
    );
    const shards = (await getSettings(tenant)).memberListShards; // also warms the settings cache
    const q = `{ members(filter: { tier: ACTIVE }, first: 50) { edges { node { id referrer { name } } } } }`;
    const { result, tally } = await countRequests(() => executeOperation(q, {}, { tenant }));
    expect(result.errors).toBeUndefined();
    expect(result.data!.members.edges).toHaveLength(50);
    expect(new Set(result.data!.members.edges.map((e: { node: { referrer: { name: string } } }) => e.node.referrer.name)).size).toBe(10);
    // One query per shard of the tier list, then one BatchGetItem for all referrers.
    expect(tally.byCommand).toEqual({ QueryCommand: shards, BatchGetItemCommand: 1 });
  });
});

describe("stores and orders through GraphQL", () => {
  it("links orders and stores both ways", async () => {
    const tenant = newTenantId();
    await executeOperation(`mutation { createStore(input: { id: "s1", name: "Jing'an", latitude: 31.2253, longitude: 121.4467 }) { store { id } } }`, {}, { tenant });
    const m = await createMember(tenant, { sourceChannel: "STORE" }, { actor: "t" });
    const rec = await executeOperation(
      `mutation { recordOrder(input: { id: "p1", memberId: "${m.memberId}", channel: STORE, storeId: "s1", amount: 25, occurredAt: "2025-09-01T10:00:00Z" }) { order { store { name totals { orderCount grossSales { minor } } } } } }`,
      {},
      { tenant },
    );
    expect(rec.data!.recordOrder.order.store).toEqual({ name: "Jing'an", totals: { orderCount: 1, grossSales: { minor: 2500 } } });
    const store = await executeOperation(`{ store(id: "s1") { orders(first: 5) { edges { node { id member { id } } } } } }`, {}, { tenant, role: "ANALYST" });
    expect(store.data!.store.orders.edges).toEqual([{ node: { id: "p1", member: { id: m.memberId } } }]);
  });

  it("takes a join time as a DateTime (literal or variable) and stores it in UTC", async () => {
    const tenant = newTenantId();
    const literal = await executeOperation(`mutation { createMember(input: { name: "Ann", sourceChannel: APP, joinedAt: "2026-03-01T08:00:00+08:00" }) { member { joinedAt } } }`, {}, { tenant });
    expect(literal.errors).toBeUndefined();
    expect(literal.data!.createMember.member.joinedAt).toBe("2026-03-01T00:00:00.000Z");
    const variable = await executeOperation(`mutation($at: DateTime!) { createMember(input: { name: "Bob", sourceChannel: APP, joinedAt: $at }) { member { joinedAt } } }`, { at: "2026-03-02T00:30:00+08:00" }, { tenant });
    expect(variable.data!.createMember.member.joinedAt).toBe("2026-03-01T16:30:00.000Z");
  });
});
