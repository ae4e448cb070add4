import type { JobContext } from "../../jobs/job.js";
import { mergeByKey } from "../../jobs/merge.js";
import { dayNumberOf, dayText, runDays } from "../clv-job/local-days.js";
import { W_30, windowsOf } from "../kpi/partial.js";
import { ageAt, ageBand } from "./dimensions.js";
import { cityKey, UNKNOWN } from "./regions.js";

/**
 * The member-base job's partial result. A member's MEMBER, CLV and REFERRAL items, orders and
 * events land in different scan segments, so facts are kept per member id and combined by
 * `mergeByKey` (facts taken from whichever partial has them, the active flag OR-ed, counts and
 * sums added). Member and non-member sales are sums per local day. Memory: members + days.
 */

export interface BaseMemberFacts {
  /** A = ACTIVE, E = ERASED, M = MERGED. */
  status: "A" | "E" | "M";
  /** Local day number of joinedAt; after the as-of day for a member who joined at or after the cutoff. */
  joinDay: number;
  gender: string;
  /** Age band at the as-of day (dimensions.ts). */
  age: string;
  /** Normalised city (regions.ts `cityKey`). */
  city: string;
  channel: string;
  tier: string;
  tags: string[];
}

export interface BaseMemberState {
  facts: BaseMemberFacts | null;
  /** An order or event in the 30 local days ending on the as-of day (the KPI job's ACTIVE_MEMBERS_30D). */
  active: boolean;
  /** Orders before the cutoff and their amounts (minor). */
  orders: number;
  gross: number;
  /** Predicted CLV of the member's CLV item (minor, unrounded), and that item's as-of day. */
  clv: number | null;
  clvAsOf: string | null;
  /** The REFERRAL campaign the member joined through (the referral record's campaign). */
  campaign: string | null;
}

/** Per local day: [member sales (orders, minor), non-member sales reported (minor), non-member reports]. */
export type SalesDay = [number, number, number];

export interface BasePartial {
  members: Map<string, BaseMemberState>;
  sales: Map<number, SalesDay>;
}

export const emptyBasePartial = (): BasePartial => ({ members: new Map(), sales: new Map() });
const emptyMember = (): BaseMemberState => ({ facts: null, active: false, orders: 0, gross: 0, clv: null, clvAsOf: null, campaign: null });

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const text = (v: unknown): string => (typeof v === "string" && v !== "" ? v : UNKNOWN);

function salesOf(partial: BasePartial, day: number): SalesDay {
  let sums = partial.sales.get(day);
  if (!sums) partial.sales.set(day, (sums = [0, 0, 0]));
  return sums;
}

function stateOf(partial: BasePartial, memberId: string): BaseMemberState {
  let state = partial.members.get(memberId);
  if (!state) partial.members.set(memberId, (state = emptyMember()));
  return state;
}

/** Folds one MEMBER, ORDER, EVENT, CLV, REFERRAL or NONMEMBER_SALES item. Reads only the item and the context. */
export function addBaseItem(partial: BasePartial, item: Record<string, unknown>, ctx: JobContext<unknown>): BasePartial {
  const { days, cutoff, asOfDay } = runDays(ctx);
  switch (item.sk) {
    case "NONMEMBER_SALES": {
      const date = item.date;
      if (typeof date !== "string" || date > ctx.asOf) return partial;
      const sums = salesOf(partial, dayNumberOf(date));
      sums[1] += num(item.amountMinor);
      sums[2]++;
      return partial;
    }
    case "REFERRAL": {
      if (typeof item.inviteeId === "string" && typeof item.campaignId === "string") stateOf(partial, item.inviteeId).campaign = item.campaignId;
      return partial;
    }
    case "CLV": {
      if (typeof item.memberId !== "string") return partial;
      const state = stateOf(partial, item.memberId);
      state.clv = typeof item.predictedClvMinor === "number" ? item.predictedClvMinor : null;
      state.clvAsOf = typeof item.asOf === "string" ? item.asOf : null;
      return partial;
    }
    case "MEMBER": {
      if (typeof item.memberId !== "string") return partial;
      const joinedAt = item.joinedAt as string;
      const status = item.status === "MERGED" ? "M" : item.status === "ERASED" ? "E" : "A";
      stateOf(partial, item.memberId).facts = {
        status,
        joinDay: Date.parse(joinedAt) >= cutoff ? asOfDay + 1 : days.dayOf(joinedAt),
        gender: text(item.gender),
        age: ageBand(ageAt(item.birthday, ctx.asOf)),
        city: cityKey(item.city),
        channel: text(item.sourceChannel),
        tier: text(item.tier),
        tags: Array.isArray(item.tags) ? [...new Set(item.tags.filter((t): t is string => typeof t === "string" && t !== ""))].sort() : [],
      };
      return partial;
    }
    case "ORDER":
    case "EVENT": {
      if (typeof item.memberId !== "string" || typeof item.occurredAt !== "string") return partial;
      const at = Date.parse(item.occurredAt);
      if (!(at < cutoff)) return partial;
      const day = days.dayOf(at);
      const state = stateOf(partial, item.memberId);
      if (windowsOf(day, asOfDay) & W_30) state.active = true;
      if (item.sk === "ORDER") {
        const amount = num(item.amountMinor);
        state.orders++;
        state.gross += amount;
        salesOf(partial, day)[0] += amount;
      }
      return partial;
    }
    default:
      return partial;
  }
}

function mergeMember(t: BaseMemberState, s: BaseMemberState): void {
  t.facts ??= s.facts;
  t.active ||= s.active;
  t.orders += s.orders;
  t.gross += s.gross;
  if (s.clvAsOf !== null || s.clv !== null) {
    t.clv = s.clv;
    t.clvAsOf = s.clvAsOf;
  }
  t.campaign ??= s.campaign;
}

const addArrays = (t: SalesDay, s: SalesDay) => s.forEach((v, i) => (t[i]! += v));

export function mergeBasePartials(a: BasePartial, b: BasePartial): BasePartial {
  return { members: mergeByKey(a.members, b.members, mergeMember), sales: mergeByKey(a.sales, b.sales, addArrays) };
}

type EncodedFacts = [BaseMemberFacts["status"], number, string, string, string, string, string, string[]];
type EncodedMember = [string, EncodedFacts | null, 0 | 1, number, number, number | null, string | null, string | null];

export function encodeBasePartial(p: BasePartial): unknown {
  const members: EncodedMember[] = [];
  for (const [id, s] of p.members) {
    const f = s.facts;
    members.push([id, f ? [f.status, f.joinDay, f.gender, f.age, f.city, f.channel, f.tier, f.tags] : null, s.active ? 1 : 0, s.orders, s.gross, s.clv, s.clvAsOf, s.campaign]);
  }
  return { v: 1, members, sales: [...p.sales] };
}

export function decodeBasePartial(encoded: unknown): BasePartial {
  const d = encoded as { v: number; members: EncodedMember[]; sales: [number, SalesDay][] };
  if (d?.v !== 1 || !Array.isArray(d.members)) throw new Error("not a member-base partial (version 1)");
  const members = new Map<string, BaseMemberState>();
  for (const [id, f, active, orders, gross, clv, clvAsOf, campaign] of d.members) {
    const facts = f ? { status: f[0], joinDay: f[1], gender: f[2], age: f[3], city: f[4], channel: f[5], tier: f[6], tags: f[7] } : null;
    members.set(id, { facts, active: active === 1, orders, gross, clv, clvAsOf, campaign });
  }
  return { members, sales: new Map(d.sales) };
}

/** `YYYY-MM` of a local day number: the join cohort. */
export const monthOfDay = (day: number): string => dayText(day).slice(0, 7);
