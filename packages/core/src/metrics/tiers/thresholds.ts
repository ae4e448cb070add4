import { ValidationError } from "../../shared/errors.js";

/**
 * A brand's tier thresholds (tenant setting `tierThresholds`). Money in minor units of the
 * brand's currency; windows in local calendar days ending on the as-of date (a window of 30
 * days as of June 30 is June 1-30: recency 0-29). The rules that use them are in `rules.ts`.
 */
export interface TierThresholds {
  core: {
    /** Orders (lifetime, as counted on the member) for CORE by value. */
    minOrders: number;
    /** Net spend (orders minus refunds, lifetime) for CORE by value, minor units. */
    minNetSpendMinor: number;
    /** CORE by value also needs activity within this many days. */
    activeWithinDays: number;
    /** Predicted CLV (the member's `CLV` item) that makes a member CORE on its own, minor units; null = off. */
    minPredictedClvMinor: number | null;
  };
  loyal: {
    /** Orders for LOYAL as a repeat buyer. */
    minOrders: number;
    /** Engagement events for LOYAL by engagement; null = off. */
    minEvents: number | null;
    /** LOYAL needs activity within this many days. */
    activeWithinDays: number;
  };
  active: {
    /** ACTIVE = any order or event within this many days; CORE by prediction needs it too. */
    activeWithinDays: number;
  };
}

/**
 * Defaults, for a brand that never set its own (documented in docs/jobs.md):
 * CORE: ≥ 6 orders, ≥ 500.00 net and active in the last 60 days, or predicted CLV ≥ 500.00
 * (over the CLV job's horizon, 12 months by default) and active in the last 90 days; LOYAL: ≥ 2 orders or ≥ 10 events, active in the last 90
 * days; ACTIVE: any activity in the last 90 days; otherwise SILENT.
 */
export const DEFAULT_TIER_THRESHOLDS: Readonly<TierThresholds> = Object.freeze({
  core: Object.freeze({ minOrders: 6, minNetSpendMinor: 50_000, activeWithinDays: 60, minPredictedClvMinor: 50_000 }),
  loyal: Object.freeze({ minOrders: 2, minEvents: 10, activeWithinDays: 90 }),
  active: Object.freeze({ activeWithinDays: 90 }),
});

export const MAX_WINDOW_DAYS = 3650;
const MAX_COUNT = 1_000_000;
/** 100 million in major units. */
const MAX_MONEY_MINOR = 10_000_000_000;

/** Fields a caller may change; omitted (undefined) keeps the current value, null switches an optional rule off. */
export interface TierThresholdsPatch {
  core?: { minOrders?: number | null; minNetSpendMinor?: number | null; activeWithinDays?: number | null; minPredictedClvMinor?: number | null } | null;
  loyal?: { minOrders?: number | null; minEvents?: number | null; activeWithinDays?: number | null } | null;
  active?: { activeWithinDays?: number | null } | null;
}

const cloneThresholds = (t: Readonly<TierThresholds>): TierThresholds => ({ core: { ...t.core }, loyal: { ...t.loyal }, active: { ...t.active } });

/** A copy of the defaults. */
export const defaultTierThresholds = (): TierThresholds => cloneThresholds(DEFAULT_TIER_THRESHOLDS);

function whole(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) throw new ValidationError(`${field} must be a whole number from ${min} to ${max}`, field);
  return value;
}

/** Checks a complete set of thresholds; throws ValidationError naming the field. */
export function validateTierThresholds(t: TierThresholds): TierThresholds {
  whole(t.core.minOrders, "core.minOrders", 1, MAX_COUNT);
  whole(t.core.minNetSpendMinor, "core.minNetSpend", 0, MAX_MONEY_MINOR);
  whole(t.core.activeWithinDays, "core.activeWithinDays", 1, MAX_WINDOW_DAYS);
  if (t.core.minPredictedClvMinor !== null) whole(t.core.minPredictedClvMinor, "core.minPredictedClv", 1, MAX_MONEY_MINOR);
  whole(t.loyal.minOrders, "loyal.minOrders", 1, MAX_COUNT);
  if (t.loyal.minEvents !== null) whole(t.loyal.minEvents, "loyal.minEvents", 1, MAX_COUNT);
  whole(t.loyal.activeWithinDays, "loyal.activeWithinDays", 1, MAX_WINDOW_DAYS);
  whole(t.active.activeWithinDays, "active.activeWithinDays", 1, MAX_WINDOW_DAYS);
  // The pyramid: every tier above SILENT is active (within the ACTIVE window).
  if (t.core.activeWithinDays > t.active.activeWithinDays) throw new ValidationError("core.activeWithinDays must not exceed active.activeWithinDays (a CORE member is active)", "core.activeWithinDays");
  if (t.loyal.activeWithinDays > t.active.activeWithinDays) throw new ValidationError("loyal.activeWithinDays must not exceed active.activeWithinDays (a LOYAL member is active)", "loyal.activeWithinDays");
  return t;
}

/** Applies a patch onto thresholds (a copy) and validates the result. */
export function patchTierThresholds(base: Readonly<TierThresholds>, patch: TierThresholdsPatch): TierThresholds {
  const next = cloneThresholds(base);
  const pick = <T>(current: T, value: T | null | undefined, nullable: boolean): T => (value === undefined ? current : value === null ? (nullable ? (null as T) : current) : value);
  if (patch.core) {
    next.core.minOrders = pick(next.core.minOrders, patch.core.minOrders, false);
    next.core.minNetSpendMinor = pick(next.core.minNetSpendMinor, patch.core.minNetSpendMinor, false);
    next.core.activeWithinDays = pick(next.core.activeWithinDays, patch.core.activeWithinDays, false);
    next.core.minPredictedClvMinor = pick(next.core.minPredictedClvMinor, patch.core.minPredictedClvMinor, true);
  }
  if (patch.loyal) {
    next.loyal.minOrders = pick(next.loyal.minOrders, patch.loyal.minOrders, false);
    next.loyal.minEvents = pick(next.loyal.minEvents, patch.loyal.minEvents, true);
    next.loyal.activeWithinDays = pick(next.loyal.activeWithinDays, patch.loyal.activeWithinDays, false);
  }
  if (patch.active) next.active.activeWithinDays = pick(next.active.activeWithinDays, patch.active.activeWithinDays, false);
  return validateTierThresholds(next);
}

/**
 * Thresholds as stored on the settings item, completed with the defaults (a stored value that
 * is missing or not a number falls back to its default). Never throws: a bad stored value must
 * not break settings reads.
 */
export function storedTierThresholds(stored: unknown): TierThresholds {
  const t = defaultTierThresholds();
  if (!stored || typeof stored !== "object") return t;
  const s = stored as Record<string, Record<string, unknown> | undefined>;
  const num = (group: string, key: string, fallback: number): number => (typeof s[group]?.[key] === "number" ? (s[group]![key] as number) : fallback);
  const nullable = (group: string, key: string, fallback: number | null): number | null =>
    s[group] && key in s[group]! && s[group]![key] === null ? null : typeof s[group]?.[key] === "number" ? (s[group]![key] as number) : fallback;
  t.core.minOrders = num("core", "minOrders", t.core.minOrders);
  t.core.minNetSpendMinor = num("core", "minNetSpendMinor", t.core.minNetSpendMinor);
  t.core.activeWithinDays = num("core", "activeWithinDays", t.core.activeWithinDays);
  t.core.minPredictedClvMinor = nullable("core", "minPredictedClvMinor", t.core.minPredictedClvMinor);
  t.loyal.minOrders = num("loyal", "minOrders", t.loyal.minOrders);
  t.loyal.minEvents = nullable("loyal", "minEvents", t.loyal.minEvents);
  t.loyal.activeWithinDays = num("loyal", "activeWithinDays", t.loyal.activeWithinDays);
  t.active.activeWithinDays = num("active", "activeWithinDays", t.active.activeWithinDays);
  return t;
}
