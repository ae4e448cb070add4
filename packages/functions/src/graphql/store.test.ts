import { countRequests } from "@growth/core/db";
import { createMember } from "@growth/core/member";
import { getSettings } from "@growth/core/tenant";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

const FIELDS = `id name address city latitude longitude geohash status createdAt updatedAt
  totals { orderCount grossSales { amount minor currency } refunded { amount minor currency } netSales { amount minor currency } }`;
const CREATE = `mutation($input: CreateStoreInput!) { createStore(input: $input) { store { ${FIELDS} } } }`;
const UPDATE = `mutation($input: UpdateStoreInput!) { updateStore(input: $input) { store { ${FIELDS} } } }`;
const STORE = `query($id: ID!) { store(id: $id) { ${FIELDS} } }`;
const STORES = `query($first: Int, $after: String) { stores(first: $first, after: $after) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`;
const NEARBY = `query($lat: Latitude!, $lng: Longitude!, $r: Float, $first: Int, $closed: Boolean) {
  nearbyStores(latitude: $lat, longitude: $lng, radiusKm: $r, first: $first, includeClosed: $closed) { distanceKm store { id name status } } }`;

const codes = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => (r.errors ?? []).map((e) => e.extensions?.code);

const PEOPLES_SQUARE = { latitude: 31.2304, longitude: 121.4737 };
const LUJIAZUI = { latitude: 31.2397, longitude: 121.4998 };
const XUJIAHUI = { latitude: 31.1955, longitude: 121.4368 };

/** Independent haversine (km) for the assertions, on the IUGG mean radius. */
function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const r = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(r(b.latitude - a.latitude) / 2) ** 2 + Math.cos(r(a.latitude)) * Math.cos(r(b.latitude)) * Math.sin(r(b.longitude - a.longitude) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
}

describe("stores through GraphQL", () => {
  it("creates a store, reads it back with its totals in the brand's currency, and updates it", async () => {
    const tenant = newTenantId();
    const created = await executeOperation(
      CREATE,
      { input: { id: "SH-001", name: "People's Square", address: "1 Nanjing Rd", city: "Shanghai", ...PEOPLES_SQUARE } },
      { tenant, role: "OPERATOR" },
    );
    expect(created.errors).toBeUndefined();
    const zero = { amount: 0, minor: 0, currency: "CNY" };
    expect(created.data!.createStore.store).toMatchObject({
      id: "SH-001",
      name: "People's Square",
      address: "1 Nanjing Rd",
      city: "Shanghai",
      ...PEOPLES_SQUARE,
      geohash: "wtw3sjq6q",
      status: "OPEN",
      totals: { orderCount: 0, grossSales: zero, refunded: zero, netSales: zero },
    });

    // Orders and a refund at the store move its totals: 88.50 + 11.99 = 100.49, minus 30.
    const member = await createMember(tenant, { sourceChannel: "STORE" }, { actor: "test" });
    const order = `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { duplicate } }`;
    for (const [id, amount] of [["o1", 88.5], ["o2", 11.99]] as const) {
      const r = await executeOperation(order, { input: { id, memberId: member.memberId, channel: "STORE", storeId: "SH-001", amount, occurredAt: "2025-08-01T12:00:00+08:00" } }, { tenant });
      expect(r.errors).toBeUndefined();
    }
    const refund = await executeOperation(`mutation { recordRefund(input: { id: "rf1", orderId: "o1", amount: 30, occurredAt: "2025-08-02T00:00:00Z" }) { duplicate } }`, {}, { tenant });
    expect(refund.errors).toBeUndefined();

    const read = await executeOperation(STORE, { id: "SH-001" }, { tenant, role: "ANALYST" });
    expect(read.errors).toBeUndefined();
    expect(read.data!.store.totals).toEqual({
      orderCount: 2,
      grossSales: { amount: 100.49, minor: 10049, currency: "CNY" },
      refunded: { amount: 30, minor: 3000, currency: "CNY" },
      netSales: { amount: 70.49, minor: 7049, currency: "CNY" },
    });

    const updated = await executeOperation(UPDATE, { input: { id: "SH-001", name: "Lujiazui", address: null, ...LUJIAZUI } }, { tenant, role: "OPERATOR" });
    expect(updated.errors).toBeUndefined();
    expect(updated.data!.updateStore.store).toMatchObject({ id: "SH-001", name: "Lujiazui", address: null, city: "Shanghai", ...LUJIAZUI, geohash: "wtw3sz12q" });
    expect(updated.data!.updateStore.store.totals).toEqual(read.data!.store.totals);

    // Generated ids.
    const generated = await executeOperation(CREATE, { input: { name: "No code", ...XUJIAHUI } }, { tenant });
    expect(generated.data!.createStore.store.id).toMatch(/^s_[0-9A-Z]{26}$/);
  });

  it("pages the brand's stores by name", async () => {
    const tenant = newTenantId();
    for (const name of ["Cedar", "Alder", "Birch", "Elm", "Dogwood"]) {
      const r = await executeOperation(CREATE, { input: { name, ...PEOPLES_SQUARE } }, { tenant });
      expect(r.errors).toBeUndefined();
    }
    const first = await executeOperation(STORES, { first: 2 }, { tenant, role: "ANALYST" });
    expect(first.errors).toBeUndefined();
    expect(first.data!.stores.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(["Alder", "Birch"]);
    expect(first.data!.stores.pageInfo.hasNextPage).toBe(true);
    // Continue from an edge cursor or from endCursor: the same.
    const fromEdge = await executeOperation(STORES, { first: 2, after: first.data!.stores.edges[1].cursor }, { tenant });
    const second = await executeOperation(STORES, { first: 2, after: first.data!.stores.pageInfo.endCursor }, { tenant });
    expect(fromEdge.data).toEqual(second.data);
    expect(second.data!.stores.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(["Cedar", "Dogwood"]);
    const third = await executeOperation(STORES, { first: 2, after: second.data!.stores.pageInfo.endCursor }, { tenant });
    expect(third.data!.stores.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(["Elm"]);
    expect(third.data!.stores.pageInfo.hasNextPage).toBe(false);

    // A cursor of this list does not work for another tenant.
    const other = await executeOperation(STORES, { first: 2, after: first.data!.stores.pageInfo.endCursor }, { tenant: newTenantId() });
    expect(codes(other)).toEqual(["BAD_USER_INPUT"]);
  });

  it("finds the nearest stores with haversine distances", async () => {
    const tenant = newTenantId();
    await executeOperation(CREATE, { input: { id: "lujiazui", name: "Lujiazui", ...LUJIAZUI } }, { tenant });
    await executeOperation(CREATE, { input: { id: "xujiahui", name: "Xujiahui", ...XUJIAHUI } }, { tenant });
    await executeOperation(CREATE, { input: { id: "closed", name: "Closed", status: "CLOSED", ...PEOPLES_SQUARE } }, { tenant });

    const near = await executeOperation(NEARBY, { lat: PEOPLES_SQUARE.latitude, lng: PEOPLES_SQUARE.longitude, r: 6 }, { tenant, role: "ANALYST" });
    expect(near.errors).toBeUndefined();
    const list = near.data!.nearbyStores as { distanceKm: number; store: { id: string } }[];
    expect(list.map((n) => n.store.id)).toEqual(["lujiazui", "xujiahui"]);
    expect(list[0]!.distanceKm).toBeCloseTo(distanceKm(PEOPLES_SQUARE, LUJIAZUI), 9);
    expect(list[0]!.distanceKm).toBeCloseTo(2.688, 3);
    expect(list[1]!.distanceKm).toBeCloseTo(distanceKm(PEOPLES_SQUARE, XUJIAHUI), 9);
    expect(list[1]!.distanceKm).toBeCloseTo(5.232, 3);

    // Default radius 5 km; first; closed stores on request.
    const byDefault = await executeOperation(NEARBY, { lat: PEOPLES_SQUARE.latitude, lng: PEOPLES_SQUARE.longitude }, { tenant });
    expect(byDefault.data!.nearbyStores.map((n: { store: { id: string } }) => n.store.id)).toEqual(["lujiazui"]);
    const withClosed = await executeOperation(NEARBY, { lat: PEOPLES_SQUARE.latitude, lng: PEOPLES_SQUARE.longitude, r: 50, first: 2, closed: true }, { tenant });
    expect(withClosed.data!.nearbyStores).toEqual([
      { distanceKm: 0, store: { id: "closed", name: "Closed", status: "CLOSED" } },
      { distanceKm: list[0]!.distanceKm, store: { id: "lujiazui", name: "Lujiazui", status: "OPEN" } },
    ]);
  });

  it("rejects bad input with BAD_USER_INPUT, a taken id with CONFLICT and a missing store with NOT_FOUND", async () => {
    const tenant = newTenantId();
    const at = { lat: PEOPLES_SQUARE.latitude, lng: PEOPLES_SQUARE.longitude };
    const tooFar = await executeOperation(NEARBY, { ...at, r: 60 }, { tenant });
    expect(tooFar.errors?.[0]).toMatchObject({ path: ["nearbyStores"], extensions: { code: "BAD_USER_INPUT", field: "radiusKm" } });
    expect(codes(await executeOperation(NEARBY, { ...at, r: 0 }, { tenant }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await executeOperation(NEARBY, { ...at, first: 51 }, { tenant }))).toEqual(["BAD_USER_INPUT"]);
    // Out-of-range coordinates fail scalar coercion before any resolver runs.
    expect(codes(await executeOperation(NEARBY, { lat: 91, lng: 0 }, { tenant }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await executeOperation(CREATE, { input: { name: "X", latitude: 0, longitude: 181 } }, { tenant }))).toEqual(["BAD_USER_INPUT"]);

    const blank = await executeOperation(CREATE, { input: { name: "  ", ...PEOPLES_SQUARE } }, { tenant });
    expect(blank.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "name" });
    const badId = await executeOperation(CREATE, { input: { id: "a#b", name: "X", ...PEOPLES_SQUARE } }, { tenant });
    expect(badId.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "storeId" });

    expect((await executeOperation(CREATE, { input: { id: "dup", name: "X", ...PEOPLES_SQUARE } }, { tenant })).errors).toBeUndefined();
    expect(codes(await executeOperation(CREATE, { input: { id: "dup", name: "Y", ...PEOPLES_SQUARE } }, { tenant }))).toEqual(["CONFLICT"]);
    expect(codes(await executeOperation(UPDATE, { input: { id: "missing", name: "Y" } }, { tenant }))).toEqual(["NOT_FOUND"]);
  });

  it("lets analysts read but not write, and keeps tenants apart", async () => {
    const tenant = newTenantId("a");
    const other = newTenantId("b");
    const denied = await executeOperation(CREATE, { input: { name: "X", ...PEOPLES_SQUARE } }, { tenant, role: "ANALYST" });
    expect(codes(denied)).toEqual(["FORBIDDEN"]);
    expect(denied.data).toBeNull();
    await executeOperation(CREATE, { input: { id: "mine", name: "Mine", ...PEOPLES_SQUARE } }, { tenant, role: "OPERATOR" });
    expect(codes(await executeOperation(UPDATE, { input: { id: "mine", name: "Hijacked" } }, { tenant, role: "ANALYST" }))).toEqual(["FORBIDDEN"]);

    const foreign = await executeOperation(STORE, { id: "mine" }, { tenant: other, role: "ADMIN" });
    expect(foreign.errors).toBeUndefined();
    expect(foreign.data).toEqual({ store: null });
    expect(codes(await executeOperation(UPDATE, { input: { id: "mine", name: "Hijacked" } }, { tenant: other }))).toEqual(["NOT_FOUND"]);
    const nearby = await executeOperation(NEARBY, { lat: PEOPLES_SQUARE.latitude, lng: PEOPLES_SQUARE.longitude }, { tenant: other });
    expect(nearby.data).toEqual({ nearbyStores: [] });
    expect((await executeOperation(STORES, {}, { tenant: other })).data!.stores.edges).toEqual([]);

    const own = await executeOperation(STORE, { id: "mine" }, { tenant, role: "ANALYST" });
    expect(own.data!.store).toMatchObject({ id: "mine", name: "Mine" });
  });

  it("loads several stores of one request with a single BatchGetItem", async () => {
    const tenant = newTenantId();
    for (const id of ["a", "b", "c"]) await executeOperation(CREATE, { input: { id, name: id, ...PEOPLES_SQUARE } }, { tenant });
    await getSettings(tenant); // warm the settings cache the totals read
    const q = `{ a: store(id: "a") { id totals { orderCount } } b: store(id: "b") { id } c: store(id: "c") { id } again: store(id: "a") { name } none: store(id: "zzz") { id } }`;
    const { result, tally } = await countRequests(() => executeOperation(q, {}, { tenant, role: "ANALYST" }));
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ a: { id: "a", totals: { orderCount: 0 } }, b: { id: "b" }, c: { id: "c" }, again: { name: "a" }, none: null });
    expect(tally.byCommand).toEqual({ BatchGetItemCommand: 1 });
  });
});
