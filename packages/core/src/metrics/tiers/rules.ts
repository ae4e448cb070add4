import type { Tier } from "../../member/types.js";
import { dayNumberOf, LocalDays } from "../clv-job/local-days.js";
import type { TierThresholds } from "./thresholds.js";

/**
 * The tier rules, tried in this order; the first that holds gives the tier and is recorded as
 * the change's reason (`RULE:<name>`). r = recency in days (below), W_x = `<tier>.activeWithinDays`.
 *
 *   CORE_VALUE      r < W_core   and orders ≥ core.minOrders and net spend ≥ core.minNetSpend
 *   CORE_PREDICTED  r < W_active and predicted CLV ≥ core.minPredictedClv (rule off when null)
 *   LOYAL_REPEAT    r < W_loyal  and orders ≥ loyal.minOrders
 *   LOYAL_ENGAGED   r < W_loyal  and events ≥ loyal.minEvents (rule off when null)
 *   ACTIVE_RECENT   r < W_active
 *   SILENT_INACTIVE otherwise (never active, or not within W_active)
 *
 * Recency r = the as-of date minus the local date (brand's zone) of the member's last activity
 * (`lastActiveAt`: its latest order or event), in days: 0 = active on the as-of day itself, so
 * "r < 30" means "active in the 30 days ending on the as-of date". Activity recorded after the
 * as-of date counts as r = 0. A member who was never active has no recency and is SILENT.
 * Orders, net spend (gross minus refunds) and events are the member's lifetime counters.
 * Validation keeps W_core and W_loyal ≤ W_active, so every tier above SILENT is active.
 */
export const TIER_RULES = ["CORE_VALUE", "CORE_PREDICTED", "LOYAL_REPEAT", "LOYAL_ENGAGED", "ACTIVE_RECENT", "SILENT_INACTIVE"] as const;
export type TierRule = (typeof TIER_RULES)[number];

export const TIER_OF_RULE: Readonly<Record<TierRule, Tier>> = Object.freeze({
  CORE_VALUE: "CORE",
  CORE_PREDICTED: "CORE",
  LOYAL_REPEAT: "LOYAL",
  LOYAL_ENGAGED: "LOYAL",
  ACTIVE_RECENT: "ACTIVE",
  SILENT_INACTIVE: "SILENT",
});

/** What the rules read from a member (the MEMBER item's stats). */
export interface TierMemberFacts {
  /** UTC instant of the last order or event; absent when never active. */
  lastActiveAt?: string | null;
  orderCount: number;
  /** Gross spend minus refunds, minor units. */
  netSpendMinor: number;
  eventCount: number;
}

/** What the rules read from the member's predictive CLV item (`sk = CLV`), when there is one. */
export interface TierClvFacts {
  predictedClvMinor?: number | null;
}

/** The day the tiers are computed for: a local date and the brand's zone. */
export interface TierAsOf {
  date: string;
  timeZone: string;
}

export interface TierDecision {
  tier: Tier;
  rule: TierRule;
  /** Days since the last activity (0 = on the as-of day); null when never active. */
  recencyDays: number | null;
}

const localDays = new Map<string, LocalDays>();
const asOfDays = new Map<string, number>();

/** Recency in days as of `asOf` (≥ 0), or null without activity. */
export function recencyDays(lastActiveAt: string | null | undefined, asOf: TierAsOf): number | null {
  if (!lastActiveAt) return null;
  let days = localDays.get(asOf.timeZone);
  if (!days) localDays.set(asOf.timeZone, (days = new LocalDays(asOf.timeZone)));
  let today = asOfDays.get(asOf.date);
  if (today === undefined) {
    today = dayNumberOf(asOf.date);
    if (!Number.isInteger(today)) throw new RangeError(`asOf must be YYYY-MM-DD (got ${asOf.date})`);
    if (asOfDays.size > 10_000) asOfDays.clear();
    asOfDays.set(asOf.date, today);
  }
  return Math.max(0, today - days.dayOf(lastActiveAt));
}

/** The tier a member should hold as of a day, and the rule that gives it. Pure. */
export function tierFor(member: TierMemberFacts, clv: TierClvFacts | null | undefined, t: TierThresholds, asOf: TierAsOf): TierDecision {
  const r = recencyDays(member.lastActiveAt, asOf);
  const decide = (rule: TierRule): TierDecision => ({ tier: TIER_OF_RULE[rule], rule, recencyDays: r });
  if (r === null) return decide("SILENT_INACTIVE");
  if (r < t.core.activeWithinDays && member.orderCount >= t.core.minOrders && member.netSpendMinor >= t.core.minNetSpendMinor) return decide("CORE_VALUE");
  const predicted = clv?.predictedClvMinor;
  if (t.core.minPredictedClvMinor !== null && typeof predicted === "number" && predicted >= t.core.minPredictedClvMinor && r < t.active.activeWithinDays) return decide("CORE_PREDICTED");
  if (r < t.loyal.activeWithinDays && member.orderCount >= t.loyal.minOrders) return decide("LOYAL_REPEAT");
  if (t.loyal.minEvents !== null && r < t.loyal.activeWithinDays && member.eventCount >= t.loyal.minEvents) return decide("LOYAL_ENGAGED");
  if (r < t.active.activeWithinDays) return decide("ACTIVE_RECENT");
  return decide("SILENT_INACTIVE");
}

/** Position in the pyramid, for upgrade / downgrade counts. */
export const TIER_RANK: Readonly<Record<Tier, number>> = Object.freeze({ SILENT: 0, ACTIVE: 1, LOYAL: 2, CORE: 3 });
