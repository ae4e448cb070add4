import { dayParts, localDayNumber, keyedKey, type Activity } from "./activity.js";
import type { ComparisonOp, SegmentCondition, SegmentField, SegmentRule, SegmentValue } from "./types.js";

/**
 * Evaluation of a rule for one member: a pure function of the member's summaries (member item,
 * ACTIVITY, CLV, the channels it has identities on) and a clock (now, time zone). No reads, no
 * clock of its own: preview, refresh and the job all call it, and tests pin it down.
 *
 * Semantics (docs/segments.md):
 * - a value the member does not have (no city, no birthday, no orders for DAYS_SINCE_LAST_ORDER
 *   or AOV, no CLV item) fails every comparison, NEQ and NOT_IN included; only IS_NOT_SET
 *   matches it. Use `not` for "everyone but".
 * - days are local calendar days in the brand's zone: "in the last N days" is today and the
 *   N - 1 days before it (anything later, e.g. an order dated tomorrow, is included too);
 *   DAYS_SINCE_* is today's day number minus the day of the instant (0 = today, never negative).
 * - money is compared in minor units: NET_SPEND ≥ 99.5 is net ≥ 9950 fen; AOV is
 *   round(net ÷ orders) fen, as the API shows it.
 */

/** The member fields rules read (the projection of member items for preview, refresh and the job). */
export const MEMBER_FACT_FIELDS = [
  "memberId",
  "status",
  "gender",
  "birthday",
  "city",
  "sourceChannel",
  "joinedAt",
  "tier",
  "tags",
  "marketingConsent",
  "partnerSharingConsent",
  "pointsBalance",
  "orderCount",
  "grossSpendMinor",
  "refundedMinor",
  "lastOrderAt",
  "lastActiveAt",
] as const;

export interface SegmentMemberFacts {
  memberId: string;
  status: string;
  gender: string;
  birthday?: string;
  city?: string;
  sourceChannel: string;
  joinedAt: string;
  tier: string;
  tags: readonly string[];
  marketingConsent: boolean;
  partnerSharingConsent: boolean;
  pointsBalance: number;
  orderCount: number;
  grossSpendMinor: number;
  refundedMinor: number;
  lastOrderAt?: string;
  lastActiveAt?: string;
}

export interface MemberClvFacts {
  predictedClvMinor?: number;
  pAlive?: number;
}

export interface MemberFacts {
  member: SegmentMemberFacts;
  activity?: Activity;
  clv?: MemberClvFacts;
  /** Channels the member has at least one identity on. */
  channels?: readonly string[];
}

export interface EvaluationClock {
  now: number;
  zone: string;
  /** Local day number of `now`. */
  today: number;
  year: number;
  month: number;
  day: number;
}

export function evaluationClock(now: Date | number | string, zone: string): EvaluationClock {
  const ms = now instanceof Date ? now.getTime() : typeof now === "number" ? now : Date.parse(now);
  const today = localDayNumber(ms, zone);
  return { now: ms, zone, today, ...dayParts(today) };
}

/** Only live members belong to segments (merged duplicates and erased members never do). */
export const isEligible = (facts: MemberFacts) => facts.member.status === "ACTIVE";

type Predicate = (facts: MemberFacts, clock: EvaluationClock) => boolean;

const compiled = new WeakMap<SegmentRule, Predicate>();

/** Whether a member matches a (validated) rule. */
export function evaluateRule(rule: SegmentRule, facts: MemberFacts, clock: EvaluationClock): boolean {
  let predicate = compiled.get(rule);
  if (!predicate) compiled.set(rule, (predicate = compileRule(rule)));
  return predicate(facts, clock);
}

/** Turns a validated rule into a predicate once (values parsed, money in minor units). */
export function compileRule(rule: SegmentRule): Predicate {
  if ("all" in rule) {
    const parts = rule.all.map(compileRule);
    return (f, c) => parts.every((p) => p(f, c));
  }
  if ("any" in rule) {
    const parts = rule.any.map(compileRule);
    return (f, c) => parts.some((p) => p(f, c));
  }
  if ("not" in rule) {
    const inner = compileRule(rule.not);
    return (f, c) => !inner(f, c);
  }
  return compileCondition(rule.condition);
}

type Getter = (facts: MemberFacts, clock: EvaluationClock) => SegmentValue | readonly string[] | undefined;

const daysSince = (instant: string | undefined, clock: EvaluationClock) => (instant ? Math.max(0, clock.today - localDayNumber(instant, clock.zone)) : undefined);

/** Sums a per-day figure over the window's days. */
function windowSum(activity: Activity | undefined, clock: EvaluationClock, days: number, pick: (b: Activity["days"][string]) => number | undefined): number {
  if (!activity) return 0;
  const from = clock.today - days + 1;
  let sum = 0;
  for (const [d, b] of Object.entries(activity.days)) if (Number(d) >= from) sum += pick(b) ?? 0;
  return sum;
}

function age(birthday: string | undefined, clock: EvaluationClock): number | undefined {
  if (!birthday) return undefined;
  const [y, m, d] = birthday.split("-").map(Number) as [number, number, number];
  const before = clock.month < m || (clock.month === m && clock.day < d);
  return clock.year - y - (before ? 1 : 0);
}

function getter(c: SegmentCondition): Getter {
  const w = c.window?.inLastDays;
  const field: SegmentField = c.field;
  switch (field) {
    case "CITY":
      return ({ member }) => member.city?.toLowerCase();
    case "GENDER":
      return ({ member }) => member.gender;
    case "AGE":
      return ({ member }, clock) => age(member.birthday, clock);
    case "SOURCE_CHANNEL":
      return ({ member }) => member.sourceChannel;
    case "JOINED_AT":
      return ({ member }) => member.joinedAt;
    case "DAYS_SINCE_JOINED":
      return ({ member }, clock) => daysSince(member.joinedAt, clock);
    case "TIER":
      return ({ member }) => member.tier;
    case "POINTS_BALANCE":
      return ({ member }) => member.pointsBalance ?? 0;
    case "HAS_TAG":
      return ({ member }) => member.tags ?? [];
    case "HAS_IDENTITY_ON":
      return ({ channels }) => channels ?? [];
    case "MARKETING_CONSENT":
      return ({ member }) => member.marketingConsent === true;
    case "PARTNER_SHARING_CONSENT":
      return ({ member }) => member.partnerSharingConsent === true;
    case "DAYS_SINCE_LAST_ORDER":
      return ({ member }, clock) => daysSince(member.lastOrderAt, clock);
    case "DAYS_SINCE_LAST_ACTIVITY":
      return ({ member }, clock) => daysSince(member.lastActiveAt, clock);
    case "ORDER_COUNT":
      return w ? ({ activity }, clock) => windowSum(activity, clock, w, (b) => b.o) : ({ member }) => member.orderCount ?? 0;
    case "NET_SPEND":
      return w
        ? ({ activity }, clock) => windowSum(activity, clock, w, (b) => b.n)
        : ({ member }) => (member.grossSpendMinor ?? 0) - (member.refundedMinor ?? 0);
    case "AOV":
      return w
        ? ({ activity }, clock) => {
            const n = windowSum(activity, clock, w, (b) => b.o);
            return n > 0 ? Math.round(windowSum(activity, clock, w, (b) => b.n) / n) : undefined;
          }
        : ({ member }) => (member.orderCount > 0 ? Math.round(((member.grossSpendMinor ?? 0) - (member.refundedMinor ?? 0)) / member.orderCount) : undefined);
    case "EVENT_COUNT": {
      const e = c.event!;
      const key = e.contentId ? keyedKey("c", e.contentId, e.type) : e.campaignId ? keyedKey("g", e.campaignId, e.type) : undefined;
      return ({ activity }, clock) => windowSum(activity, clock, w!, key ? (b) => b.k?.[key] : (b) => b.e?.[e.type]);
    }
    case "PREDICTED_CLV":
      return ({ clv }) => clv?.predictedClvMinor;
    case "P_ALIVE":
      return ({ clv }) => clv?.pAlive;
  }
}

const MONEY_FIELDS = new Set<SegmentField>(["NET_SPEND", "AOV", "PREDICTED_CLV"]);

function compileCondition(c: SegmentCondition): Predicate {
  const get = getter(c);
  const norm = (v: SegmentValue): SegmentValue => (MONEY_FIELDS.has(c.field) ? Math.round((v as number) * 100) : c.field === "CITY" ? (v as string).toLowerCase() : v);
  const value = c.value === undefined ? undefined : norm(c.value);
  const values = c.values?.map(norm);
  const test = comparator(c.op, value, values);
  return (facts, clock) => test(get(facts, clock));
}

function comparator(op: ComparisonOp, value: SegmentValue | undefined, values: SegmentValue[] | undefined): (actual: SegmentValue | readonly string[] | undefined) => boolean {
  const set = new Set(values ?? []);
  switch (op) {
    case "IS_SET":
      return (a) => a !== undefined;
    case "IS_NOT_SET":
      return (a) => a === undefined;
    case "EQ":
      return (a) => a !== undefined && a === value;
    case "NEQ":
      return (a) => a !== undefined && a !== value;
    case "GT":
      return (a) => a !== undefined && (a as SegmentValue) > value!;
    case "GTE":
      return (a) => a !== undefined && (a as SegmentValue) >= value!;
    case "LT":
      return (a) => a !== undefined && (a as SegmentValue) < value!;
    case "LTE":
      return (a) => a !== undefined && (a as SegmentValue) <= value!;
    case "BETWEEN":
      return (a) => a !== undefined && (a as SegmentValue) >= values![0]! && (a as SegmentValue) <= values![1]!;
    case "IN":
      return (a) => a !== undefined && set.has(a as SegmentValue);
    case "NOT_IN":
      return (a) => a !== undefined && !set.has(a as SegmentValue);
    case "ANY_OF":
      return (a) => (a as readonly string[]).some((x) => set.has(x));
    case "ALL_OF":
      return (a) => {
        const have = new Set(a as readonly string[]);
        return [...set].every((x) => have.has(x as string));
      };
    case "NONE_OF":
      return (a) => !(a as readonly string[]).some((x) => set.has(x));
  }
}
