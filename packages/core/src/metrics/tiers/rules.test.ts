/**
 * The tier rules, table-driven, at every boundary: recency windows (r = W - 1 in, r = W out,
 * cut at local midnight in the brand's zone, DST), order / spend / event / predicted CLV
 * thresholds (exactly at the threshold counts), rule order, optional rules switched off.
 */
import { describe, expect, it } from "vitest";
import { recencyDays, tierFor, type TierClvFacts, type TierMemberFacts, type TierRule } from "./rules.js";
import { DEFAULT_TIER_THRESHOLDS, patchTierThresholds, storedTierThresholds, validateTierThresholds, type TierThresholds } from "./thresholds.js";

/** CORE: ≥ 5 orders, ≥ 500.00 net, r < 30; or predicted ≥ 1,000.00 and r < 90. LOYAL: ≥ 2 orders or ≥ 10 events, r < 60. ACTIVE: r < 90. */
const T: TierThresholds = {
  core: { minOrders: 5, minNetSpendMinor: 50_000, activeWithinDays: 30, minPredictedClvMinor: 100_000 },
  loyal: { minOrders: 2, minEvents: 10, activeWithinDays: 60 },
  active: { activeWithinDays: 90 },
};
const AS_OF = { date: "2026-06-30", timeZone: "Asia/Shanghai" };

/** Shanghai wall clock → the instant stored on the member. */
const sh = (local: string) => new Date(`${local}+08:00`).toISOString();
const m = (lastActive: string | null, orderCount = 0, netSpendMinor = 0, eventCount = 0): TierMemberFacts => ({ lastActiveAt: lastActive === null ? null : sh(lastActive), orderCount, netSpendMinor, eventCount });

// As of 2026-06-30: r = 0 on 06-30, 29 on 06-01, 30 on 05-31, 59 on 05-02, 60 on 05-01, 89 on 04-02, 90 on 04-01.
const CASES: [name: string, member: TierMemberFacts, clv: TierClvFacts | null, rule: TierRule, recency: number | null][] = [
  ["never active, even with spend on record", m(null, 9, 900_000, 50), { predictedClvMinor: 900_000 }, "SILENT_INACTIVE", null],
  ["CORE by value exactly at every threshold, r = 29", m("2026-06-01T00:00:00", 5, 50_000), null, "CORE_VALUE", 29],
  ["CORE by value on the as-of day at 23:59:59", m("2026-06-30T23:59:59", 5, 50_000), null, "CORE_VALUE", 0],
  ["activity after the as-of date counts as r = 0", m("2026-07-03T10:00:00", 5, 50_000), null, "CORE_VALUE", 0],
  ["r = 30 is outside the CORE window: LOYAL", m("2026-05-31T23:59:59", 5, 50_000), null, "LOYAL_REPEAT", 30],
  ["one order short of CORE: LOYAL", m("2026-06-01T00:00:00", 4, 1_000_000), null, "LOYAL_REPEAT", 29],
  ["one fen short of CORE: LOYAL", m("2026-06-01T00:00:00", 5, 49_999), null, "LOYAL_REPEAT", 29],
  ["CORE by value wins over CORE by prediction (rule order)", m("2026-06-20T09:00:00", 6, 60_000), { predictedClvMinor: 500_000 }, "CORE_VALUE", 10],
  ["CORE by prediction exactly at the threshold, r = 89", m("2026-04-02T00:00:00", 1, 3_000), { predictedClvMinor: 100_000 }, "CORE_PREDICTED", 89],
  ["predicted CLV just under the threshold: ACTIVE", m("2026-06-20T09:00:00", 1, 3_000), { predictedClvMinor: 99_999.99 }, "ACTIVE_RECENT", 10],
  ["a high prediction does not lift a member inactive for 90 days", m("2026-04-01T23:59:59", 1, 3_000), { predictedClvMinor: 500_000 }, "SILENT_INACTIVE", 90],
  ["no CLV item (or no prediction): rules without it", m("2026-06-20T09:00:00", 1, 3_000), { predictedClvMinor: null }, "ACTIVE_RECENT", 10],
  ["LOYAL by repeat purchase, r = 59", m("2026-05-02T00:00:00", 2, 100), null, "LOYAL_REPEAT", 59],
  ["r = 60 is outside the LOYAL window: ACTIVE", m("2026-05-01T23:59:59", 2, 100), null, "ACTIVE_RECENT", 60],
  ["LOYAL by engagement exactly at 10 events", m("2026-05-02T00:00:00", 1, 100, 10), null, "LOYAL_ENGAGED", 59],
  ["9 events are not enough: ACTIVE", m("2026-05-02T00:00:00", 1, 100, 9), null, "ACTIVE_RECENT", 59],
  ["repeat purchase is tried before engagement", m("2026-06-29T12:00:00", 3, 100, 40), null, "LOYAL_REPEAT", 1],
  ["ACTIVE on events alone, r = 89", m("2026-04-02T00:00:00", 0, 0, 1), null, "ACTIVE_RECENT", 89],
  ["r = 90: SILENT", m("2026-04-01T23:59:59", 0, 0, 1), null, "SILENT_INACTIVE", 90],
  ["a big spender inactive for a year: SILENT", m("2025-06-30T12:00:00", 40, 5_000_000, 100), { predictedClvMinor: 2 }, "SILENT_INACTIVE", 365],
];

describe("tierFor", () => {
  it.each(CASES)("%s", (_name, member, clv, rule, recency) => {
    const decision = tierFor(member, clv, T, AS_OF);
    expect(decision).toEqual({ tier: { CORE_VALUE: "CORE", CORE_PREDICTED: "CORE", LOYAL_REPEAT: "LOYAL", LOYAL_ENGAGED: "LOYAL", ACTIVE_RECENT: "ACTIVE", SILENT_INACTIVE: "SILENT" }[rule], rule, recencyDays: recency });
  });

  it("switches the optional rules off with null thresholds", () => {
    const off: TierThresholds = { ...T, core: { ...T.core, minPredictedClvMinor: null }, loyal: { ...T.loyal, minEvents: null } };
    expect(tierFor(m("2026-06-20T09:00:00", 1, 3_000), { predictedClvMinor: 10_000_000 }, off, AS_OF).rule).toBe("ACTIVE_RECENT");
    expect(tierFor(m("2026-06-20T09:00:00", 1, 100, 500), null, off, AS_OF).rule).toBe("ACTIVE_RECENT");
  });

  it("counts days in the brand's zone, not in UTC", () => {
    // 2026-04-01T16:30Z is April 2nd 00:30 in Shanghai (r = 89, ACTIVE) but April 1st in UTC and London (r = 90).
    const member: TierMemberFacts = { lastActiveAt: "2026-04-01T16:30:00.000Z", orderCount: 0, netSpendMinor: 0, eventCount: 1 };
    expect(tierFor(member, null, T, AS_OF)).toMatchObject({ tier: "ACTIVE", recencyDays: 89 });
    expect(tierFor(member, null, T, { date: "2026-06-30", timeZone: "UTC" })).toMatchObject({ tier: "SILENT", recencyDays: 90 });
  });

  it("cuts days at local midnight across a DST change (New York, 2026-03-08)", () => {
    const ny = { date: "2026-03-08", timeZone: "America/New_York" };
    expect(recencyDays("2026-03-08T05:00:00.000Z", ny)).toBe(0); // 00:00 EST on the 8th
    expect(recencyDays("2026-03-08T04:59:59.000Z", ny)).toBe(1); // 23:59:59 EST on the 7th
    expect(recencyDays("2026-03-09T03:59:59.000Z", ny)).toBe(0); // 23:59:59 EDT on the 8th
    expect(recencyDays("2026-03-09T04:00:00.000Z", ny)).toBe(0); // the 9th: after the as-of date, clamped
    expect(recencyDays(null, ny)).toBeNull();
  });

  it("gives every member of the default thresholds a tier consistent with the pyramid", () => {
    // Defaults keep W_core ≤ W_loyal ≤ W_active: anyone above SILENT was active within W_active.
    const d = DEFAULT_TIER_THRESHOLDS;
    for (const r of [0, 59, 60, 89, 90, 400]) {
      const day = new Date(Date.parse("2026-06-30T12:00:00+08:00") - r * 86_400_000).toISOString();
      const decision = tierFor({ lastActiveAt: day, orderCount: 8, netSpendMinor: 80_000, eventCount: 12 }, { predictedClvMinor: 200_000 }, d, AS_OF);
      expect(decision.recencyDays).toBe(r);
      expect(decision.tier === "SILENT").toBe(r >= d.active.activeWithinDays);
    }
  });
});

describe("tier thresholds", () => {
  it("patches onto the current values: undefined keeps, null switches an optional rule off", () => {
    const next = patchTierThresholds(DEFAULT_TIER_THRESHOLDS, { core: { minOrders: 8, minPredictedClvMinor: null }, loyal: { minEvents: undefined }, active: { activeWithinDays: 120 } });
    expect(next).toEqual({
      core: { minOrders: 8, minNetSpendMinor: 50_000, activeWithinDays: 60, minPredictedClvMinor: null },
      loyal: { minOrders: 2, minEvents: 10, activeWithinDays: 90 },
      active: { activeWithinDays: 120 },
    });
    // null on a required field keeps it.
    expect(patchTierThresholds(next, { core: { minOrders: null } }).core.minOrders).toBe(8);
    expect(DEFAULT_TIER_THRESHOLDS.core.minOrders).toBe(6); // the defaults are untouched
  });

  it.each([
    [{ core: { minOrders: 0 } }, "core.minOrders"],
    [{ core: { minNetSpendMinor: -1 } }, "core.minNetSpend"],
    [{ core: { minPredictedClvMinor: 0 } }, "core.minPredictedClv"],
    [{ loyal: { minOrders: 1.5 } }, "loyal.minOrders"],
    [{ loyal: { minEvents: 0 } }, "loyal.minEvents"],
    [{ active: { activeWithinDays: 3651 } }, "active.activeWithinDays"],
    [{ core: { activeWithinDays: 91 } }, "core.activeWithinDays"],
    [{ active: { activeWithinDays: 80 } }, "loyal.activeWithinDays"],
  ])("refuses %j (field %s)", (patch, field) => {
    expect(() => patchTierThresholds(DEFAULT_TIER_THRESHOLDS, patch)).toThrow(expect.objectContaining({ code: "BAD_USER_INPUT", details: { field } }));
  });

  it("reads stored thresholds with defaults for anything missing, and keeps stored nulls", () => {
    expect(storedTierThresholds(undefined)).toEqual(DEFAULT_TIER_THRESHOLDS);
    expect(storedTierThresholds({ core: { minOrders: 9, minPredictedClvMinor: null }, loyal: { minEvents: "x" } })).toEqual({
      ...DEFAULT_TIER_THRESHOLDS,
      core: { ...DEFAULT_TIER_THRESHOLDS.core, minOrders: 9, minPredictedClvMinor: null },
    });
    expect(validateTierThresholds(storedTierThresholds(null))).toEqual(DEFAULT_TIER_THRESHOLDS);
  });
});
