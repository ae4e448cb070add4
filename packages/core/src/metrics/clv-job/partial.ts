import type { JobContext } from "../../jobs/job.js";
import { mergeByKey } from "../../jobs/merge.js";
import { dayText, LocalDays } from "./local-days.js";
import type { ClvParams } from "./params.js";

/**
 * The predictive CLV job's partial result: per member, what its MEMBER item says (status, join
 * month, channel, tier, stored order stats) and its net order amount per local day up to the
 * as-of date. A member's MEMBER item and orders land in different scan segments, so merging
 * adds the day amounts (integers in minor units: exact, in any order) and keeps the one MEMBER
 * item seen. Memory: members × days with orders, never orders.
 */
export interface MemberInfo {
  /** ACTIVE or ERASED (erasure keeps aggregates). */
  status: string;
  /** Join month `YYYY-MM` in the tenant's zone: the cohort of the historical averages. */
  cohort: string;
  /** Source channel. */
  channel: string;
  /** Tier on the member item when scanned (the current tier, not the tier as of the as-of date). */
  tier: string;
  /** The member item's own order count and net spend (gross − refunded), all time: checked against the orders. */
  orderCount: number;
  netSpendMinor: number;
}

export interface MemberState {
  /** From the MEMBER item; null until it is seen (orders of a member never seen are ignored). */
  info: MemberInfo | null;
  /** Left out: MERGED (its orders moved to the survivor), or joined after the as-of date. */
  out: boolean;
  /** Local day numbers (days since 1970-01-01 in the tenant's zone) with orders before the cutoff... */
  days: number[];
  /** ...and the net amount (amount − refunded, minor units) of that day's orders. */
  nets: number[];
  /** Every order of the member, before or after the cutoff: count and net amount (the stats check). */
  allOrders: number;
  allNetMinor: number;
}

export type ClvPartial = Map<string, MemberState>;

type EncodedInfo = [status: string, cohort: string, channel: string, tier: string, orderCount: number, netSpendMinor: number];
type EncodedMember = [id: string, info: EncodedInfo | null, out: 0 | 1, days: number[], nets: number[], allOrders: number, allNetMinor: number];

export const emptyState = (): MemberState => ({ info: null, out: false, days: [], nets: [], allOrders: 0, allNetMinor: 0 });

/** Adds `net` to day `day` of a member (a member has few days: a linear search beats a Map per member). */
function addDay(state: MemberState, day: number, net: number): void {
  const i = state.days.indexOf(day);
  if (i >= 0) state.nets[i] = (state.nets[i] as number) + net;
  else {
    state.days.push(day);
    state.nets.push(net);
  }
}

const perRun = new WeakMap<object, { days: LocalDays; cutoff: number }>();
function runState(ctx: JobContext<ClvParams>) {
  let state = perRun.get(ctx);
  if (!state) perRun.set(ctx, (state = { days: new LocalDays(ctx.settings.timeZone), cutoff: Date.parse(ctx.cutoff) }));
  return state;
}

const int = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);

/** Folds one MEMBER or ORDER item into the partial. */
export function addItem(partial: ClvPartial, item: Record<string, unknown>, ctx: JobContext<ClvParams>): ClvPartial {
  const memberId = item.memberId;
  if (typeof memberId !== "string") return partial;
  const { days, cutoff } = runState(ctx);
  let state = partial.get(memberId);
  if (!state) partial.set(memberId, (state = emptyState()));
  if (item.sk === "MEMBER") {
    const joinedAt = item.joinedAt;
    if (item.status === "MERGED" || typeof joinedAt !== "string" || !(Date.parse(joinedAt) < cutoff)) {
      state.out = true;
      return partial;
    }
    state.info = {
      status: String(item.status ?? "ACTIVE"),
      cohort: dayText(days.dayOf(joinedAt)).slice(0, 7),
      channel: String(item.sourceChannel ?? "UNKNOWN"),
      tier: String(item.tier ?? "UNKNOWN"),
      orderCount: int(item.orderCount),
      netSpendMinor: int(item.grossSpendMinor) - int(item.refundedMinor),
    };
    return partial;
  }
  if (item.sk !== "ORDER") return partial;
  const occurredAt = item.occurredAt;
  if (typeof occurredAt !== "string" || state.out) return partial;
  const net = int(item.amountMinor) - int(item.refundedMinor);
  state.allOrders++;
  state.allNetMinor += net;
  const at = Date.parse(occurredAt);
  if (at < cutoff) addDay(state, days.dayOf(at), net);
  return partial;
}

/** Merges two partials: day amounts and order totals add, the MEMBER item's facts are kept. Reuses the larger map. */
export function mergePartials(a: ClvPartial, b: ClvPartial): ClvPartial {
  return mergeByKey(a, b, (t, s) => {
    t.info ??= s.info;
    t.out ||= s.out;
    s.days.forEach((day, i) => addDay(t, day, s.nets[i] as number));
    t.allOrders += s.allOrders;
    t.allNetMinor += s.allNetMinor;
  });
}

export function encodePartial(partial: ClvPartial): unknown {
  const m: EncodedMember[] = [];
  for (const [id, s] of partial) {
    const info: EncodedInfo | null = s.info ? [s.info.status, s.info.cohort, s.info.channel, s.info.tier, s.info.orderCount, s.info.netSpendMinor] : null;
    m.push([id, info, s.out ? 1 : 0, s.days, s.nets, s.allOrders, s.allNetMinor]);
  }
  return { v: 1, m };
}

export function decodePartial(encoded: unknown): ClvPartial {
  const data = encoded as { v: number; m: EncodedMember[] };
  if (data?.v !== 1 || !Array.isArray(data.m)) throw new Error("not a predictive-clv partial (version 1)");
  return new Map(
    data.m.map(([id, info, out, days, nets, allOrders, allNetMinor]) => [
      id,
      {
        info: info ? { status: info[0], cohort: info[1], channel: info[2], tier: info[3], orderCount: info[4], netSpendMinor: info[5] } : null,
        out: out === 1,
        days,
        nets,
        allOrders,
        allNetMinor,
      },
    ]),
  );
}
