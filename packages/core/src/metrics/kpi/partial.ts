import type { JobContext } from "../../jobs/job.js";
import { mergeByKey } from "../../jobs/merge.js";
import { dayNumberOf, LocalDays, runDays } from "../clv-job/local-days.js";
import type { SurveyFact, TicketFact } from "../../service/metrics.js";

/**
 * The KPI job's partial result. A member's MEMBER item, orders, refunds and events land in
 * different scan segments, so per-member facts are kept per member id and combined by
 * `mergeByKey` (flags OR, counts add, first/last activity min/max): exact in any order. Spend,
 * orders by order channel and campaign revenue are group sums (they need no member facts).
 * Memory: members + channels + campaigns, never orders or events.
 */

/** Activity window bits: on D, in D−6..D, in D−29..D, in D−59..D−30 (the previous 30 days). */
export const W_DAY = 1, W_7 = 2, W_30 = 4, W_PREV30 = 8;

/** Profile fields counted by completeness. */
export const PROFILE_FIELDS = ["name", "phone", "email", "gender", "birthday", "city"] as const;

export interface MemberFacts {
  /** A = ACTIVE, E = ERASED, M = MERGED. */
  status: "A" | "E" | "M";
  /** Local day number of joinedAt (days since 1970-01-01 in the tenant's zone). */
  joinDay: number;
  channel: string;
  referrerId: string | null;
  mergedInto: string | null;
  /** Profile fields filled (0..6; gender UNKNOWN counts as empty). */
  profile: number;
  /** Local day of updatedAt. */
  updatedDay: number;
}

export interface KpiMemberState {
  facts: MemberFacts | null;
  /** Activity window bits (W_*), OR-ed. */
  windows: number;
  /** First and last local day with an order or event before the cutoff. */
  first: number | null;
  last: number | null;
  /** Orders before the cutoff and their amounts (minor), all time and in the last 30 days. */
  orders: number;
  gross: number;
  orders30: number;
  gross30: number;
  /** Refunds recorded before the cutoff under this member id (minor). */
  refunds: number;
  /** SURVEY_SCORE events: [responses, promoters, detractors] in the last 30 days, then all time. */
  survey: [number, number, number, number, number, number];
}

/** [orders in 30 days, gross in 30 days, orders, gross]. */
export type OrderSums = [number, number, number, number];

export interface KpiPartial {
  members: Map<string, KpiMemberState>;
  /** Spend by `channel\u0000campaignId` ("" = none): [minor in the last 30 days, minor up to D]. */
  spend: Map<string, [number, number]>;
  /** Orders by the channel they were placed in (every order of the tenant before the cutoff). */
  orderChannels: Map<string, OrderSums>;
  /** Orders carrying a campaign id, by campaign. */
  campaigns: Map<string, OrderSums>;
  /**
   * Service tickets opened and survey answers given in D−29..D (service metrics, docs/service.md):
   * one compact fact each, since medians need every duration. Bounded by a month's tickets.
   * Optional only so partials built by hand (tests) need not spell it out.
   */
  service?: ServicePartial;
}

export interface ServicePartial {
  tickets: TicketFact[];
  surveys: SurveyFact[];
}

export const emptyKpiPartial = (): KpiPartial => ({ members: new Map(), spend: new Map(), orderChannels: new Map(), campaigns: new Map(), service: { tickets: [], surveys: [] } });

const emptyMember = (): KpiMemberState => ({ facts: null, windows: 0, first: null, last: null, orders: 0, gross: 0, orders30: 0, gross30: 0, refunds: 0, survey: [0, 0, 0, 0, 0, 0] });

/** The window bits of a local day, as of day `asOfDay`. */
export function windowsOf(day: number, asOfDay: number): number {
  const age = asOfDay - day;
  if (age < 0) return 0;
  return (age === 0 ? W_DAY : 0) | (age < 7 ? W_7 : 0) | (age < 30 ? W_30 : 0) | (age >= 30 && age < 60 ? W_PREV30 : 0);
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const filled = (item: Record<string, unknown>) =>
  PROFILE_FIELDS.filter((f) => (f === "gender" ? item.gender !== undefined && item.gender !== "UNKNOWN" : typeof item[f] === "string" && item[f] !== "")).length;

function addSums(map: Map<string, OrderSums>, key: string, in30: boolean, amount: number): void {
  let sums = map.get(key);
  if (!sums) map.set(key, (sums = [0, 0, 0, 0]));
  if (in30) {
    sums[0]++;
    sums[1] += amount;
  }
  sums[2]++;
  sums[3] += amount;
}

function activity(state: KpiMemberState, day: number, asOfDay: number): void {
  state.windows |= windowsOf(day, asOfDay);
  if (state.first === null || day < state.first) state.first = day;
  if (state.last === null || day > state.last) state.last = day;
}

/** Folds one MEMBER, ORDER, REFUND, EVENT or SPEND item into the partial. Reads only the item and the context. */
export function addKpiItem(partial: KpiPartial, item: Record<string, unknown>, ctx: JobContext<unknown>): KpiPartial {
  const { days, cutoff, asOfDay } = runDays(ctx);
  if (item.sk === "TICKET" || item.sk === "TICKET_SURVEY") return addServiceItem(partial, item, days, cutoff, asOfDay);
  if (item.sk === "SPEND") {
    const date = item.date as string;
    if (typeof date !== "string" || date > ctx.asOf) return partial;
    const key = `${String(item.channel)}\u0000${typeof item.campaignId === "string" ? item.campaignId : ""}`;
    const sums = partial.spend.get(key) ?? [0, 0];
    const amount = num(item.amountMinor);
    if (asOfDay - dayNumberOf(date) < 30) sums[0] += amount;
    sums[1] += amount;
    partial.spend.set(key, sums);
    return partial;
  }
  const memberId = item.memberId;
  if (typeof memberId !== "string") return partial;
  let state = partial.members.get(memberId);
  if (!state) partial.members.set(memberId, (state = emptyMember()));
  if (item.sk === "MEMBER") {
    const status = item.status === "MERGED" ? "M" : item.status === "ERASED" ? "E" : "A";
    const joinedAt = item.joinedAt as string;
    state.facts = {
      status,
      // A member joined at or after the cutoff gets a join day after D and is left out in finish.
      joinDay: Date.parse(joinedAt) >= cutoff ? asOfDay + 1 : days.dayOf(joinedAt),
      channel: String(item.sourceChannel ?? "UNKNOWN"),
      referrerId: typeof item.referrerId === "string" ? item.referrerId : null,
      mergedInto: typeof item.mergedInto === "string" ? item.mergedInto : null,
      profile: filled(item),
      updatedDay: typeof item.updatedAt === "string" ? days.dayOf(item.updatedAt) : asOfDay,
    };
    return partial;
  }
  const occurredAt = item.occurredAt;
  if (typeof occurredAt !== "string") return partial;
  const at = Date.parse(occurredAt);
  if (!(at < cutoff)) return partial;
  const day = days.dayOf(at);
  const in30 = asOfDay - day < 30;
  if (item.sk === "REFUND") {
    state.refunds += num(item.amountMinor);
    return partial;
  }
  activity(state, day, asOfDay);
  if (item.sk === "ORDER") {
    const amount = num(item.amountMinor);
    state.orders++;
    state.gross += amount;
    if (in30) {
      state.orders30++;
      state.gross30 += amount;
    }
    addSums(partial.orderChannels, String(item.channel), in30, amount);
    if (typeof item.campaignId === "string") addSums(partial.campaigns, item.campaignId, in30, amount);
  } else if (item.type === "SURVEY_SCORE" && typeof item.score === "number") {
    const kind = item.score >= 9 ? 1 : item.score <= 6 ? 2 : 0;
    for (const offset of in30 ? [0, 3] : [3]) {
      state.survey[offset]!++;
      if (kind) state.survey[offset + kind]!++;
    }
  }
  return partial;
}

const instant = (v: unknown): number | null => (typeof v === "string" ? Date.parse(v) : null);

/** A ticket opened, or a survey answered, in D−29..D (before the cutoff) becomes one fact. */
function addServiceItem(partial: KpiPartial, item: Record<string, unknown>, days: LocalDays, cutoff: number, asOfDay: number): KpiPartial {
  const at = instant(item.sk === "TICKET" ? item.createdAt : item.answeredAt);
  if (at === null || !(at < cutoff) || asOfDay - days.dayOf(at) >= 30) return partial;
  partial.service ??= { tickets: [], surveys: [] };
  const channel = String(item.channel);
  const assigneeStaffId = typeof item.assigneeStaffId === "string" ? item.assigneeStaffId : null;
  if (item.sk === "TICKET_SURVEY") {
    partial.service.surveys.push({ channel, assigneeStaffId, score: num(item.score), answeredAt: at });
    return partial;
  }
  partial.service.tickets.push({
    channel,
    assigneeStaffId,
    createdAt: at,
    dueAt: instant(item.firstResponseDueAt) ?? at,
    firstResponseAt: instant(item.firstResponseAt),
    firstResponseMs: typeof item.firstResponseMs === "number" ? item.firstResponseMs : null,
    slaBreached: item.slaBreached === true,
    resolvedAt: instant(item.resolvedAt),
    resolutionMs: typeof item.resolutionMs === "number" ? item.resolutionMs : null,
  });
  return partial;
}

function mergeMember(t: KpiMemberState, s: KpiMemberState): void {
  t.facts ??= s.facts;
  t.windows |= s.windows;
  if (s.first !== null && (t.first === null || s.first < t.first)) t.first = s.first;
  if (s.last !== null && (t.last === null || s.last > t.last)) t.last = s.last;
  t.orders += s.orders;
  t.gross += s.gross;
  t.orders30 += s.orders30;
  t.gross30 += s.gross30;
  t.refunds += s.refunds;
  s.survey.forEach((v, i) => (t.survey[i]! += v));
}

const addArrays = <T extends number[]>(t: T, s: T) => s.forEach((v, i) => (t[i]! += v));

export function mergeKpiPartials(a: KpiPartial, b: KpiPartial): KpiPartial {
  return {
    members: mergeByKey(a.members, b.members, mergeMember),
    spend: mergeByKey(a.spend, b.spend, addArrays),
    orderChannels: mergeByKey(a.orderChannels, b.orderChannels, addArrays),
    campaigns: mergeByKey(a.campaigns, b.campaigns, addArrays),
    service: { tickets: [...(a.service?.tickets ?? []), ...(b.service?.tickets ?? [])], surveys: [...(a.service?.surveys ?? []), ...(b.service?.surveys ?? [])] },
  };
}

type EncodedFacts = [MemberFacts["status"], number, string, string | null, string | null, number, number];
type EncodedMember = [string, EncodedFacts | null, number, number | null, number | null, number, number, number, number, number, KpiMemberState["survey"]];

export function encodeKpiPartial(p: KpiPartial): unknown {
  const members: EncodedMember[] = [];
  for (const [id, s] of p.members) {
    const f = s.facts;
    members.push([id, f ? [f.status, f.joinDay, f.channel, f.referrerId, f.mergedInto, f.profile, f.updatedDay] : null, s.windows, s.first, s.last, s.orders, s.gross, s.orders30, s.gross30, s.refunds, s.survey]);
  }
  return { v: 1, members, spend: [...p.spend], orderChannels: [...p.orderChannels], campaigns: [...p.campaigns], service: p.service ?? { tickets: [], surveys: [] } };
}

export function decodeKpiPartial(encoded: unknown): KpiPartial {
  const d = encoded as { v: number; members: EncodedMember[]; spend: [string, [number, number]][]; orderChannels: [string, OrderSums][]; campaigns: [string, OrderSums][]; service?: ServicePartial };
  if (d?.v !== 1 || !Array.isArray(d.members)) throw new Error("not a kpi partial (version 1)");
  const members = new Map<string, KpiMemberState>();
  for (const [id, f, windows, first, last, orders, gross, orders30, gross30, refunds, survey] of d.members) {
    const facts = f ? { status: f[0], joinDay: f[1], channel: f[2], referrerId: f[3], mergedInto: f[4], profile: f[5], updatedDay: f[6] } : null;
    members.set(id, { facts, windows, first, last, orders, gross, orders30, gross30, refunds, survey });
  }
  // Checkpoints written before service metrics existed have no `service`: none were read then.
  return { members, spend: new Map(d.spend), orderChannels: new Map(d.orderChannels), campaigns: new Map(d.campaigns), service: d.service ?? { tickets: [], surveys: [] } };
}
