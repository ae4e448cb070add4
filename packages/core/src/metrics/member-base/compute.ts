import { TIERS } from "../../member/types.js";
import { dayNumberOf, dayText } from "../clv-job/local-days.js";
import { AGE_BANDS, MEMBER_BASE_DIMENSIONS, NO_TAG, type MemberBaseDimension } from "./dimensions.js";
import { monthOfDay, type BaseMemberFacts, type BaseMemberState, type BasePartial } from "./partial.js";
import { provinceOf, regionOf, UNKNOWN } from "./regions.js";

/**
 * The member-base snapshot from the merged partial: pure (members visited in id order, so the
 * floating-point CLV sums are the same whatever the segment count). Definitions are in
 * docs/jobs.md ("Member base").
 */

/** One group of a breakdown (e.g. GENDER = FEMALE). Money in minor units. */
export interface MemberBaseGroup {
  key: string;
  members: number;
  /** Members with an order or event in the 30 days ending on the as-of day. */
  activeMembers: number;
  /** Members with at least one order / at least two orders. */
  payingMembers: number;
  repeatMembers: number;
  /** Orders up to the as-of day and their amounts (before refunds). */
  orders: number;
  revenueMinor: number;
  /** Members with a predicted CLV in their CLV item. */
  clvMembers: number;
  /** activeMembers ÷ members. */
  activeShare: number | null;
  /** revenue ÷ orders, rounded to the minor unit; null without orders. */
  aovMinor: number | null;
  /** repeatMembers ÷ payingMembers; null without paying members. */
  repurchaseRate: number | null;
  /** Mean predicted CLV over clvMembers, rounded to the minor unit; null when none has one. */
  averageClvMinor: number | null;
}

/** New members of one local join day, by source channel and by REFERRAL campaign. */
export interface TrafficDay {
  day: string;
  members: number;
  channels: Record<string, number>;
  /** Members who joined through a campaign (today: the REFERRAL campaign of their referral record). */
  campaigns: Record<string, number>;
}

/** Sales of one local day, minor units. */
export interface SalesDayTotals {
  day: string;
  memberMinor: number;
  nonMemberMinor: number;
  /** Non-member sales entries reported for the day (0: the day has no report). */
  nonMemberReports: number;
}

export interface MemberBaseSnapshot {
  tenantId: string;
  asOf: string;
  timeZone: string;
  currency: string;
  computedAt: string;
  /** Members counted (ACTIVE and ERASED who joined by the as-of day). */
  members: number;
  /** The latest as-of day among the CLV items read (null: no CLV item). */
  clvAsOf: string | null;
  dimensions: Record<MemberBaseDimension, MemberBaseGroup[]>;
  /** One entry per local day with new members, oldest first. */
  traffic: TrafficDay[];
  /** One entry per local day with member orders or a non-member report, oldest first. */
  sales: SalesDayTotals[];
}

export interface MemberBaseRunInfo {
  tenantId: string;
  asOf: string;
  timeZone: string;
  currency: string;
  computedAt: string;
}

interface Acc {
  members: number;
  active: number;
  paying: number;
  repeat: number;
  orders: number;
  gross: number;
  clvMembers: number;
  clvSum: number;
}
const newAcc = (): Acc => ({ members: 0, active: 0, paying: 0, repeat: 0, orders: 0, gross: 0, clvMembers: 0, clvSum: 0 });

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const perMinor = (a: number, b: number): number | null => (b === 0 ? null : Math.round(a / b));

/** The group keys of a member in each dimension (TAG: one per tag, or NONE). */
function keysOf(f: BaseMemberFacts): Record<MemberBaseDimension, readonly string[]> {
  return {
    GENDER: [f.gender],
    AGE_BAND: [f.age],
    CITY: [f.city],
    PROVINCE: [provinceOf(f.city)],
    REGION: [regionOf(f.city)],
    SOURCE_CHANNEL: [f.channel],
    TIER: [f.tier],
    TAG: f.tags.length ? f.tags : [NO_TAG],
    JOIN_COHORT: [monthOfDay(f.joinDay)],
  };
}

/** Group order: AGE_BAND and TIER in their own order, the rest by key; UNKNOWN and NONE last. */
function orderKeys(dimension: MemberBaseDimension, keys: string[]): string[] {
  const fixed = dimension === "AGE_BAND" ? (AGE_BANDS as readonly string[]) : dimension === "TIER" ? (TIERS as readonly string[]) : null;
  const rank = (k: string) => (k === UNKNOWN || k === NO_TAG ? 2 : 1);
  return keys.sort((a, b) => {
    if (fixed && fixed.includes(a) && fixed.includes(b)) return fixed.indexOf(a) - fixed.indexOf(b);
    return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
  });
}

function count(acc: Acc, s: BaseMemberState): void {
  acc.members++;
  if (s.active) acc.active++;
  if (s.orders >= 1) acc.paying++;
  if (s.orders >= 2) acc.repeat++;
  acc.orders += s.orders;
  acc.gross += s.gross;
  if (s.clv !== null) {
    acc.clvMembers++;
    acc.clvSum += s.clv;
  }
}

const group = (key: string, a: Acc): MemberBaseGroup => ({
  key,
  members: a.members,
  activeMembers: a.active,
  payingMembers: a.paying,
  repeatMembers: a.repeat,
  orders: a.orders,
  revenueMinor: a.gross,
  clvMembers: a.clvMembers,
  activeShare: ratio(a.active, a.members),
  aovMinor: perMinor(a.gross, a.orders),
  repurchaseRate: ratio(a.repeat, a.paying),
  averageClvMinor: a.clvMembers === 0 ? null : Math.round(a.clvSum / a.clvMembers),
});

const bump = (record: Record<string, number>, key: string) => (record[key] = (record[key] ?? 0) + 1);

export function computeMemberBase(partial: BasePartial, info: MemberBaseRunInfo): MemberBaseSnapshot {
  const asOfDay = dayNumberOf(info.asOf);
  const accs = Object.fromEntries(MEMBER_BASE_DIMENSIONS.map((d) => [d, new Map<string, Acc>()])) as Record<MemberBaseDimension, Map<string, Acc>>;
  const traffic = new Map<number, TrafficDay>();
  let members = 0;
  let clvAsOf: string | null = null;
  for (const id of [...partial.members.keys()].sort()) {
    const s = partial.members.get(id)!;
    const f = s.facts;
    // Orders and events of an id without a MEMBER item, merged duplicates and members who joined after D are left out.
    if (!f || f.status === "M" || f.joinDay > asOfDay) continue;
    members++;
    if (s.clvAsOf !== null && (clvAsOf === null || s.clvAsOf > clvAsOf)) clvAsOf = s.clvAsOf;
    const keys = keysOf(f);
    for (const dimension of MEMBER_BASE_DIMENSIONS) {
      for (const key of keys[dimension]) {
        let acc = accs[dimension].get(key);
        if (!acc) accs[dimension].set(key, (acc = newAcc()));
        count(acc, s);
      }
    }
    let day = traffic.get(f.joinDay);
    if (!day) traffic.set(f.joinDay, (day = { day: dayText(f.joinDay), members: 0, channels: {}, campaigns: {} }));
    day.members++;
    bump(day.channels, f.channel);
    if (s.campaign) bump(day.campaigns, s.campaign);
  }
  const dimensions = Object.fromEntries(
    MEMBER_BASE_DIMENSIONS.map((d) => [d, orderKeys(d, [...accs[d].keys()]).map((key) => group(key, accs[d].get(key)!))]),
  ) as Record<MemberBaseDimension, MemberBaseGroup[]>;
  const sortRecord = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    ...info,
    members,
    clvAsOf,
    dimensions,
    traffic: [...traffic.keys()].sort((a, b) => a - b).map((d) => {
      const t = traffic.get(d)!;
      return { ...t, channels: sortRecord(t.channels), campaigns: sortRecord(t.campaigns) };
    }),
    sales: [...partial.sales.keys()]
      .sort((a, b) => a - b)
      .map((d) => {
        const [memberMinor, nonMemberMinor, nonMemberReports] = partial.sales.get(d)!;
        return { day: dayText(d), memberMinor, nonMemberMinor, nonMemberReports };
      }),
  };
}
