import { describe, expect, it } from "vitest";
import type { JourneyConfig } from "../campaign/types.js";
import { occurrenceOf } from "./triggers.js";
import type { JourneyFacts } from "./types.js";

const Z = "Asia/Shanghai";
const H = 3_600_000;
const base: JourneyFacts = { memberId: "m1", listShard: "0", joinedAt: "2026-01-01T00:00:00.000Z", tier: "SILENT" };
const j = (trigger: JourneyConfig["trigger"], extra: Partial<JourneyConfig> = {}): JourneyConfig => ({ trigger, contentId: "c", channel: "APP", ...extra });
const at = (iso: string) => Date.parse(iso);

describe("journey triggers", () => {
  it("JOINED and FIRST_PURCHASE fire at the instant, once per member, for 24 hours", () => {
    const f = { ...base, joinedAt: "2026-11-30T10:00:00.000Z", firstOrderAt: "2026-11-30T12:00:00.000Z" };
    expect(occurrenceOf(j("JOINED"), Z, f, at("2026-11-30T09:59:59.999Z"))).toBeUndefined();
    expect(occurrenceOf(j("JOINED"), Z, f, at("2026-11-30T10:00:00.000Z"))).toEqual({ trigger: "JOINED", key: "JOINED", at: "2026-11-30T10:00:00.000Z" });
    expect(occurrenceOf(j("JOINED"), Z, f, at("2026-12-01T09:59:59.999Z"))?.key).toBe("JOINED");
    expect(occurrenceOf(j("JOINED"), Z, f, at("2026-12-01T10:00:00.000Z"))).toBeUndefined();
    expect(occurrenceOf(j("FIRST_PURCHASE"), Z, f, at("2026-11-30T13:00:00.000Z"))).toEqual({ trigger: "FIRST_PURCHASE", key: "FIRST_PURCHASE", at: "2026-11-30T12:00:00.000Z" });
    expect(occurrenceOf(j("FIRST_PURCHASE"), Z, base, at("2026-11-30T13:00:00.000Z"))).toBeUndefined();
  });

  it("CART_ABANDONED: the latest add-to-cart, afterHours later, with no order at or after it", () => {
    const f = { ...base, lastCartAt: "2026-11-30T10:00:00.000Z", lastOrderAt: "2026-11-29T10:00:00.000Z" };
    const cfg = j("CART_ABANDONED", { afterHours: 2 });
    expect(occurrenceOf(cfg, Z, f, at("2026-11-30T11:59:59.999Z"))).toBeUndefined();
    expect(occurrenceOf(cfg, Z, f, at("2026-11-30T12:00:00.000Z"))).toEqual({ trigger: "CART_ABANDONED", key: "CART_ABANDONED:2026-11-30T10:00:00.000Z", at: "2026-11-30T12:00:00.000Z" });
    expect(occurrenceOf(cfg, Z, { ...f, lastOrderAt: "2026-11-30T10:00:00.000Z" }, at("2026-11-30T13:00:00.000Z"))).toBeUndefined();
    expect(occurrenceOf(cfg, Z, { ...f, lastOrderAt: "2026-11-30T15:00:00.000Z" }, at("2026-11-30T16:00:00.000Z"))).toBeUndefined();
    expect(occurrenceOf(cfg, Z, f, at("2026-12-01T12:00:00.000Z"))).toBeUndefined(); // 24 h after it fired
  });

  it("INACTIVE: 09:00 local of the day after N full local days without activity (or since joining)", () => {
    // Last active 1 Dec 23:30 Shanghai (15:30 UTC); 3 days: 2, 3, 4 Dec → fires 5 Dec 09:00 Shanghai = 5 Dec 01:00 UTC.
    const f = { ...base, lastActiveAt: "2026-12-01T15:30:00.000Z" };
    const cfg = j("INACTIVE", { inactiveDays: 3 });
    expect(occurrenceOf(cfg, Z, f, at("2026-12-05T00:59:59.999Z"))).toBeUndefined();
    expect(occurrenceOf(cfg, Z, f, at("2026-12-05T01:00:00.000Z"))).toEqual({ trigger: "INACTIVE", key: "INACTIVE:2026-12-01T15:30:00.000Z", at: "2026-12-05T01:00:00.000Z" });
    expect(occurrenceOf(cfg, Z, { ...base, joinedAt: "2026-12-01T15:30:00.000Z" }, at("2026-12-05T01:00:00.000Z"))?.key).toBe("INACTIVE:2026-12-01T15:30:00.000Z");
    expect(occurrenceOf(cfg, Z, { ...f, lastActiveAt: "2026-12-01T16:00:00.000Z" }, at("2026-12-05T01:00:00.000Z"))).toBeUndefined(); // 2 Dec 00:00 Shanghai: a day later
    // In UTC the same activity is on 1 Dec: fires 5 Dec 09:00 UTC.
    expect(occurrenceOf(cfg, "UTC", f, at("2026-12-05T08:59:59.999Z"))).toBeUndefined();
    expect(occurrenceOf(cfg, "UTC", f, at("2026-12-05T09:00:00.000Z"))?.at).toBe("2026-12-05T09:00:00.000Z");
  });

  it("BIRTHDAY: from 09:00 to the end of the birthday's local day, once a year; 29 February on 28 February in other years", () => {
    const f = { ...base, birthday: "1990-12-02" };
    expect(occurrenceOf(j("BIRTHDAY"), Z, f, at("2026-12-01T15:59:59.999Z"))).toBeUndefined(); // 1 Dec 23:59 Shanghai
    expect(occurrenceOf(j("BIRTHDAY"), Z, f, at("2026-12-02T00:59:59.999Z"))).toBeUndefined(); // 2 Dec 08:59 Shanghai
    expect(occurrenceOf(j("BIRTHDAY"), Z, f, at("2026-12-02T01:00:00.000Z"))).toEqual({ trigger: "BIRTHDAY", key: "BIRTHDAY:2026", at: "2026-12-02T01:00:00.000Z" });
    expect(occurrenceOf(j("BIRTHDAY"), Z, f, at("2026-12-02T15:59:59.999Z"))?.key).toBe("BIRTHDAY:2026");
    expect(occurrenceOf(j("BIRTHDAY"), Z, f, at("2026-12-02T16:00:00.000Z"))).toBeUndefined();
    const leap = { ...base, birthday: "2000-02-29" };
    expect(occurrenceOf(j("BIRTHDAY"), "UTC", leap, at("2027-02-28T12:00:00.000Z"))?.key).toBe("BIRTHDAY:2027");
    expect(occurrenceOf(j("BIRTHDAY"), "UTC", leap, at("2028-02-28T12:00:00.000Z"))).toBeUndefined();
    expect(occurrenceOf(j("BIRTHDAY"), "UTC", leap, at("2028-02-29T12:00:00.000Z"))?.key).toBe("BIRTHDAY:2028");
  });

  it("TIER_CHANGED: the latest change, into toTier when set", () => {
    const f = { ...base, tier: "LOYAL", tierUpdatedAt: "2026-11-30T10:00:00.000Z" };
    expect(occurrenceOf(j("TIER_CHANGED"), Z, f, at("2026-11-30T10:15:00.000Z"))).toEqual({ trigger: "TIER_CHANGED", key: "TIER_CHANGED:2026-11-30T10:00:00.000Z:LOYAL", at: "2026-11-30T10:00:00.000Z" });
    expect(occurrenceOf(j("TIER_CHANGED", { toTier: "LOYAL" }), Z, f, at("2026-11-30T10:15:00.000Z"))?.key).toBe("TIER_CHANGED:2026-11-30T10:00:00.000Z:LOYAL");
    expect(occurrenceOf(j("TIER_CHANGED", { toTier: "CORE" }), Z, f, at("2026-11-30T10:15:00.000Z"))).toBeUndefined();
    expect(occurrenceOf(j("TIER_CHANGED"), Z, base, at("2026-11-30T10:15:00.000Z"))).toBeUndefined(); // never changed
    expect(occurrenceOf(j("TIER_CHANGED"), Z, f, at(new Date(Date.parse(f.tierUpdatedAt) + 24 * H).toISOString()))).toBeUndefined();
  });
});
