import ngeohash from "ngeohash";
import { describe, expect, it } from "vitest";
import { createMember } from "../member/index.js";
import { listStoreOrders, recordOrder, recordRefund } from "../order/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import { cellsCovering, createStore, getStore, getStores, listStores, nearbyStores, netSalesMinor, updateStore } from "./index.js";

const code = async (p: Promise<unknown>) => p.then(() => "OK", (e) => (e as { code?: string }).code ?? String(e));

/**
 * Independent great-circle distance for the assertions: the atan2 form of the haversine
 * formula on the IUGG mean radius, written out here rather than imported from the code under test.
 */
const R = 6371.0088;
function distanceKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const toRad = (d: number) => (d * Math.PI) / 180;
  const a = Math.sin(toRad(lat2 - lat1) / 2) ** 2 + Math.cos(toRad(lat1)) * Math.cos(toRad(lat2)) * Math.sin(toRad(lng2 - lng1) / 2) ** 2;
  return 2 * R * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
}
/** Degrees of latitude that are exactly `km` along a meridian on that sphere. */
const kmNorth = (km: number) => (km / R) * (180 / Math.PI);

// Shanghai landmarks (WGS-84).
const PEOPLES_SQUARE = { latitude: 31.2304, longitude: 121.4737 };
const LUJIAZUI = { latitude: 31.2397, longitude: 121.4998 };
const XUJIAHUI = { latitude: 31.1955, longitude: 121.4368 };
const HONGQIAO = { latitude: 31.1979, longitude: 121.3363 };

describe("stores: create, read, list, update", () => {
  it("creates stores with client or generated ids, validates input and refuses a taken id", async () => {
    const t = newTenantId();
    const a = await createStore(t, { storeId: "SH-001", name: "  People's Square  ", address: "1 Nanjing Rd", city: "Shanghai", ...PEOPLES_SQUARE });
    expect(a).toMatchObject({
      tenantId: t,
      storeId: "SH-001",
      name: "People's Square",
      address: "1 Nanjing Rd",
      city: "Shanghai",
      ...PEOPLES_SQUARE,
      geohash: ngeohash.encode(PEOPLES_SQUARE.latitude, PEOPLES_SQUARE.longitude, 9),
      geoCell: ngeohash.encode(PEOPLES_SQUARE.latitude, PEOPLES_SQUARE.longitude, 4),
      status: "OPEN",
      orderCount: 0,
      grossSalesMinor: 0,
      refundedMinor: 0,
    });
    expect(a.geohash).toHaveLength(9);
    expect(a.geohash.startsWith(a.geoCell)).toBe(true);
    const b = await createStore(t, { name: "Lujiazui", status: "CLOSED", ...LUJIAZUI });
    expect(b.storeId).toMatch(/^s_[0-9A-Z]{26}$/);
    expect(b.status).toBe("CLOSED");
    expect(await getStore(t, "SH-001")).toEqual(a);

    expect(await code(createStore(t, { storeId: "SH-001", name: "Again", ...LUJIAZUI }))).toBe("CONFLICT");
    const base = { name: "X", ...PEOPLES_SQUARE };
    expect(await code(createStore(t, { ...base, latitude: 90.0001 }))).toBe("BAD_USER_INPUT");
    expect(await code(createStore(t, { ...base, latitude: -91 }))).toBe("BAD_USER_INPUT");
    expect(await code(createStore(t, { ...base, longitude: 180.5 }))).toBe("BAD_USER_INPUT");
    expect(await code(createStore(t, { ...base, longitude: Number.NaN }))).toBe("BAD_USER_INPUT");
    expect(await code(createStore(t, { ...base, name: "   " }))).toBe("BAD_USER_INPUT");
    expect(await code(createStore(t, { ...base, name: "n".repeat(101) }))).toBe("BAD_USER_INPUT");
    expect(await code(createStore(t, { ...base, name: "n".repeat(100) }))).toBe("OK");
    expect(await code(createStore(t, { ...base, status: "GONE" }))).toBe("BAD_USER_INPUT");
    expect(await code(createStore(t, { ...base, storeId: "has#hash" }))).toBe("BAD_USER_INPUT");
    // The extremes are valid locations.
    expect(await code(createStore(t, { name: "Pole", latitude: 90, longitude: 180 }))).toBe("OK");
  });

  it("reads stores by id (aligned batch), and NOT_FOUND for a missing or malformed id", async () => {
    const t = newTenantId();
    const a = await createStore(t, { storeId: "a", name: "A", ...PEOPLES_SQUARE });
    const c = await createStore(t, { storeId: "c", name: "C", ...LUJIAZUI });
    expect(await getStores(t, ["c", "missing", "a", "bad#id", "c"])).toEqual([c, undefined, a, undefined, c]);
    expect(await code(getStore(t, "missing"))).toBe("NOT_FOUND");
    expect(await code(getStore(t, "bad#id"))).toBe("NOT_FOUND");
  });

  it("lists a brand's stores by name, A to Z, page by page", async () => {
    const t = newTenantId();
    const names = ["Xujiahui", "Jing'an", "Hongqiao", "🍵 Tea Corner", "Lujiazui", "Bund"];
    for (const [i, name] of names.entries()) await createStore(t, { storeId: `s${i}`, name, ...PEOPLES_SQUARE });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await listStores(t, { first: 2, after });
      pages++;
      seen.push(...page.items.map((s) => s.name));
      expect(page.cursors).toHaveLength(page.items.length);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    // DynamoDB orders by UTF-8 bytes: the emoji (4 bytes, 0xF0...) sorts after every letter.
    expect(seen).toEqual(["Bund", "Hongqiao", "Jing'an", "Lujiazui", "Xujiahui", "🍵 Tea Corner"]);
    expect(pages).toBe(3);
    const all = await listStores(t, { first: 6 });
    expect(all.hasNextPage).toBe(false);
    const other = newTenantId();
    expect(await code(listStores(other, { first: 2, after: all.cursors[0] }))).toBe("BAD_USER_INPUT");
    expect((await listStores(other, {})).items).toEqual([]);
  });

  it("updates only what changed: rename moves it in the list, a move recomputes its cell", async () => {
    const t = newTenantId();
    await createStore(t, { storeId: "m", name: "Alpha", address: "Old address", city: "Shanghai", ...PEOPLES_SQUARE });
    await createStore(t, { storeId: "n", name: "Beta", ...PEOPLES_SQUARE });

    const renamed = await updateStore(t, "m", { name: "Zeta", address: null, city: "  " });
    expect(renamed).toMatchObject({ name: "Zeta", ...PEOPLES_SQUARE });
    expect(renamed).not.toHaveProperty("address");
    expect(renamed).not.toHaveProperty("city");
    expect((await listStores(t, {})).items.map((s) => s.name)).toEqual(["Beta", "Zeta"]);

    const moved = await updateStore(t, "m", { latitude: LUJIAZUI.latitude, longitude: LUJIAZUI.longitude });
    expect(moved).toMatchObject({ ...LUJIAZUI, geohash: ngeohash.encode(LUJIAZUI.latitude, LUJIAZUI.longitude, 9), name: "Zeta" });
    expect(Date.parse(moved.updatedAt)).toBeGreaterThanOrEqual(Date.parse(renamed.updatedAt));
    // Found at the new place, gone from the old one.
    expect((await nearbyStores(t, { ...LUJIAZUI, radiusKm: 0.5 })).map((n) => n.store.storeId)).toEqual(["m"]);
    expect((await nearbyStores(t, { ...PEOPLES_SQUARE, radiusKm: 0.5 })).map((n) => n.store.storeId)).toEqual(["n"]);

    // Only one coordinate: the other is kept.
    const north = await updateStore(t, "m", { latitude: 31.3 });
    expect(north).toMatchObject({ latitude: 31.3, longitude: LUJIAZUI.longitude, geohash: ngeohash.encode(31.3, LUJIAZUI.longitude, 9) });

    // Nothing to change: nothing written.
    expect(await updateStore(t, "m", { name: "Zeta", status: null })).toEqual(north);
    expect(await code(updateStore(t, "missing", { name: "x" }))).toBe("NOT_FOUND");
    expect(await code(updateStore(t, "m", { longitude: 200 }))).toBe("BAD_USER_INPUT");
    expect(await code(updateStore(t, "m", { name: "" }))).toBe("BAD_USER_INPUT");
  });
});

describe("nearbyStores", () => {
  it("returns stores within the radius, nearest first, with haversine distances", async () => {
    const t = newTenantId();
    await createStore(t, { storeId: "lujiazui", name: "Lujiazui", ...LUJIAZUI });
    await createStore(t, { storeId: "xujiahui", name: "Xujiahui", ...XUJIAHUI });
    await createStore(t, { storeId: "hongqiao", name: "Hongqiao", ...HONGQIAO });
    await createStore(t, { storeId: "closed", name: "Closed", status: "CLOSED", latitude: 31.231, longitude: 121.4737 });

    const dLujiazui = distanceKm(PEOPLES_SQUARE.latitude, PEOPLES_SQUARE.longitude, LUJIAZUI.latitude, LUJIAZUI.longitude);
    const dXujiahui = distanceKm(PEOPLES_SQUARE.latitude, PEOPLES_SQUARE.longitude, XUJIAHUI.latitude, XUJIAHUI.longitude);
    const dHongqiao = distanceKm(PEOPLES_SQUARE.latitude, PEOPLES_SQUARE.longitude, HONGQIAO.latitude, HONGQIAO.longitude);
    // Pinned from the formula above: 2.688 km, 5.232 km and 13.557 km.
    expect(dLujiazui).toBeCloseTo(2.688, 3);
    expect(dXujiahui).toBeCloseTo(5.232, 3);
    expect(dHongqiao).toBeCloseTo(13.557, 3);

    const within6 = await nearbyStores(t, { ...PEOPLES_SQUARE, radiusKm: 6 });
    expect(within6.map((n) => n.store.storeId)).toEqual(["lujiazui", "xujiahui"]);
    expect(within6[0]!.distanceKm).toBeCloseTo(dLujiazui, 9);
    expect(within6[1]!.distanceKm).toBeCloseTo(dXujiahui, 9);

    // Default radius 5 km: Xujiahui (5.232 km) is just outside.
    expect((await nearbyStores(t, PEOPLES_SQUARE)).map((n) => n.store.storeId)).toEqual(["lujiazui"]);
    // The radius is inclusive to the metre either side of the exact distance.
    expect((await nearbyStores(t, { ...PEOPLES_SQUARE, radiusKm: dLujiazui - 0.001 })).map((n) => n.store.storeId)).toEqual([]);
    expect((await nearbyStores(t, { ...PEOPLES_SQUARE, radiusKm: dLujiazui + 0.001 })).map((n) => n.store.storeId)).toEqual(["lujiazui"]);

    const wide = await nearbyStores(t, { ...PEOPLES_SQUARE, radiusKm: 50, includeClosed: true });
    expect(wide.map((n) => n.store.storeId)).toEqual(["closed", "lujiazui", "xujiahui", "hongqiao"]);
    expect(wide[0]!.distanceKm).toBeCloseTo(distanceKm(PEOPLES_SQUARE.latitude, PEOPLES_SQUARE.longitude, 31.231, 121.4737), 9);
    expect(wide[3]!.distanceKm).toBeCloseTo(dHongqiao, 9);
    expect((await nearbyStores(t, { ...PEOPLES_SQUARE, radiusKm: 50, first: 2 })).map((n) => n.store.storeId)).toEqual(["lujiazui", "xujiahui"]);
  });

  it("excludes a store 10 m beyond the radius and includes one 10 m inside it", async () => {
    const t = newTenantId();
    const { latitude, longitude } = PEOPLES_SQUARE;
    // Due north along the meridian, so the distance is exactly the latitude difference.
    await createStore(t, { storeId: "in", name: "In", latitude: latitude + kmNorth(4.99), longitude });
    await createStore(t, { storeId: "out", name: "Out", latitude: latitude + kmNorth(5.01), longitude });
    const found = await nearbyStores(t, { latitude, longitude, radiusKm: 5 });
    expect(found.map((n) => n.store.storeId)).toEqual(["in"]);
    expect(found[0]!.distanceKm).toBeCloseTo(4.99, 6);
    expect((await nearbyStores(t, { latitude, longitude, radiusKm: 5.02 })).map((n) => [n.store.storeId, Number(n.distanceKm.toFixed(6))])).toEqual([
      ["in", 4.99],
      ["out", 5.01],
    ]);
  });

  it("finds a store in the neighbouring geohash cell across a cell boundary", async () => {
    const t = newTenantId();
    // Precision-4 cells are 0.17578125 deg of latitude tall; 31.2890625 is a boundary.
    const boundary = -90 + 690 * 0.17578125;
    expect(boundary).toBe(31.2890625);
    const center = { latitude: boundary - 0.001, longitude: 121.4737 };
    const across = { latitude: boundary + 0.001, longitude: 121.4737 };
    const store = await createStore(t, { storeId: "across", name: "Across", ...across });
    const centerCell = ngeohash.encode(center.latitude, center.longitude, 4);
    expect(store.geoCell).not.toBe(centerCell);
    expect(store.geoCell).toBe(ngeohash.neighbor(centerCell, [1, 0]));
    expect(cellsCovering(center, 1)).toEqual([centerCell, store.geoCell].sort());
    const found = await nearbyStores(t, { ...center, radiusKm: 1 });
    expect(found.map((n) => n.store.storeId)).toEqual(["across"]);
    expect(found[0]!.distanceKm).toBeCloseTo(distanceKm(center.latitude, center.longitude, across.latitude, across.longitude), 9);
    expect(found[0]!.distanceKm).toBeCloseTo(0.2224, 4); // 0.002 deg of latitude
  });

  it("works across the antimeridian and refuses searches that would fan out near a pole", async () => {
    const t = newTenantId();
    await createStore(t, { storeId: "east", name: "East", latitude: -16.5, longitude: 179.99 });
    await createStore(t, { storeId: "west", name: "West", latitude: -16.5, longitude: -179.99 });
    const center = { latitude: -16.5, longitude: 179.999 };
    const found = await nearbyStores(t, { ...center, radiusKm: 5 });
    // East is 0.009 deg of longitude away, west 0.011 deg (across 180).
    expect(found.map((n) => n.store.storeId)).toEqual(["east", "west"]);
    expect(found[0]!.distanceKm).toBeCloseTo(distanceKm(-16.5, 179.999, -16.5, 179.99), 9);
    expect(found[1]!.distanceKm).toBeCloseTo(distanceKm(-16.5, 179.999, -16.5, -179.99), 9);
    expect(found[0]!.distanceKm).toBeCloseTo(0.9595, 4);
    expect(found[1]!.distanceKm).toBeCloseTo(1.1728, 4);

    // The pole inside the circle spans every longitude: refused rather than 1024+ queries.
    expect(await code(nearbyStores(t, { latitude: 90, longitude: 0, radiusKm: 1 }))).toBe("BAD_USER_INPUT");
    expect(await code(nearbyStores(t, { latitude: 89.99, longitude: 0, radiusKm: 1 }))).toBe("BAD_USER_INPUT");
    // High latitudes still work: Longyearbyen, Svalbard (78.2 deg N) at the full radius.
    await createStore(t, { storeId: "arctic", name: "Arctic", latitude: 78.2232, longitude: 15.6267 });
    expect((await nearbyStores(t, { latitude: 78.2, longitude: 15.5, radiusKm: 50 })).map((n) => n.store.storeId)).toEqual(["arctic"]);
  });

  it("rejects bad arguments with BAD_USER_INPUT", async () => {
    const t = newTenantId();
    expect(await code(nearbyStores(t, { ...PEOPLES_SQUARE, radiusKm: 50.01 }))).toBe("BAD_USER_INPUT");
    expect(await code(nearbyStores(t, { ...PEOPLES_SQUARE, radiusKm: 0 }))).toBe("BAD_USER_INPUT");
    expect(await code(nearbyStores(t, { ...PEOPLES_SQUARE, radiusKm: -1 }))).toBe("BAD_USER_INPUT");
    expect(await code(nearbyStores(t, { ...PEOPLES_SQUARE, radiusKm: Number.POSITIVE_INFINITY }))).toBe("BAD_USER_INPUT");
    expect(await code(nearbyStores(t, { ...PEOPLES_SQUARE, first: 51 }))).toBe("BAD_USER_INPUT");
    expect(await code(nearbyStores(t, { ...PEOPLES_SQUARE, first: 0 }))).toBe("BAD_USER_INPUT");
    expect(await code(nearbyStores(t, { latitude: 91, longitude: 0 }))).toBe("BAD_USER_INPUT");
    expect(await code(nearbyStores(t, { latitude: 0, longitude: -181 }))).toBe("BAD_USER_INPUT");
    expect(await code(nearbyStores(t, { ...PEOPLES_SQUARE, radiusKm: 50 }))).toBe("OK");
  });

  it("never shows another brand's stores", async () => {
    const a = newTenantId("a");
    const b = newTenantId("b");
    await createStore(a, { storeId: "same-id", name: "A's store", ...PEOPLES_SQUARE });
    await createStore(b, { storeId: "b-only", name: "B's store", ...PEOPLES_SQUARE });
    await createStore(b, { storeId: "same-id", name: "B's own same-id", ...LUJIAZUI });
    expect((await nearbyStores(a, { ...PEOPLES_SQUARE, radiusKm: 10 })).map((n) => n.store.name)).toEqual(["A's store"]);
    expect((await listStores(a, {})).items.map((s) => s.storeId)).toEqual(["same-id"]);
    expect(await code(getStore(a, "b-only"))).toBe("NOT_FOUND");
    expect((await getStore(b, "same-id")).name).toBe("B's own same-id");
    expect(await getStores(a, ["b-only"])).toEqual([undefined]);
  });
});

describe("store totals", () => {
  it("equal the hand sums of the store's orders and refunds, and survive updates", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "STORE" }, actor);
    await createStore(t, { storeId: "st-1", name: "Flagship", ...PEOPLES_SQUARE });
    await createStore(t, { storeId: "st-2", name: "Other", ...LUJIAZUI });
    const order = (orderId: string, amount: number, storeId?: string) =>
      recordOrder(t, { orderId, memberId: m.memberId, channel: storeId ? "STORE" : "APP", storeId, amount, occurredAt: `2025-05-0${orderId.slice(-1)}T10:00:00Z` }, actor);
    await order("o1", 88.5, "st-1");
    await order("o2", 11.99, "st-1");
    await order("o3", 20, "st-2");
    await order("o4", 300); // online: no store
    await order("o1", 88.5, "st-1"); // resent: counted once
    await recordRefund(t, { refundId: "rf1", orderId: "o1", amount: 30, occurredAt: "2025-05-05T00:00:00Z" }, actor);
    await recordRefund(t, { refundId: "rf2", orderId: "o2", amount: 11.99, occurredAt: "2025-05-05T00:00:00Z" }, actor);
    await recordRefund(t, { refundId: "rf3", orderId: "o4", amount: 100, occurredAt: "2025-05-05T00:00:00Z" }, actor);

    // st-1: 8850 + 1199 = 10049 gross; refunds 3000 + 1199 = 4199; net 5850.
    const s1 = await getStore(t, "st-1");
    expect(s1).toMatchObject({ orderCount: 2, grossSalesMinor: 10049, refundedMinor: 4199 });
    expect(netSalesMinor(s1)).toBe(5850);
    expect(await getStore(t, "st-2")).toMatchObject({ orderCount: 1, grossSalesMinor: 2000, refundedMinor: 0 });
    expect((await listStoreOrders(t, "st-1", {})).items.map((o) => o.orderId)).toEqual(["o2", "o1"]);

    // Updates (and concurrent orders) never clobber the running totals.
    await Promise.all([
      updateStore(t, "st-1", { name: "Flagship (renovated)" }),
      order("o5", 5, "st-1"),
      updateStore(t, "st-1", { latitude: XUJIAHUI.latitude, longitude: XUJIAHUI.longitude }),
    ]);
    const after = await getStore(t, "st-1");
    expect(after).toMatchObject({ name: "Flagship (renovated)", ...XUJIAHUI, orderCount: 3, grossSalesMinor: 10549, refundedMinor: 4199 });
    expect((await nearbyStores(t, { ...XUJIAHUI, radiusKm: 0.1 }))[0]?.store).toEqual(after);
  });
});
