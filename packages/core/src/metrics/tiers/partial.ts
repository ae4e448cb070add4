import type { JobContext } from "../../jobs/job.js";
import { TIERS, type Tier } from "../../member/types.js";
import { tierFor, TIER_RULES, type TierAsOf, type TierDecision, type TierMemberFacts, type TierRule } from "./rules.js";
import { storedTierThresholds, type TierThresholds } from "./thresholds.js";

export type TierCounts = Record<Tier, number>;

/** A member whose tier the job will change. */
export interface TierChangePlan {
  memberId: string;
  from: Tier;
  to: Tier;
  rule: TierRule;
}

/** A member whose tier depends on its predicted CLV, which may sit in another segment. */
interface PendingMember {
  from: Tier;
  facts: TierMemberFacts;
}

/**
 * The partial of one or more segments. A member's MEMBER item and its CLV item can land in
 * different segments, but only the CORE_PREDICTED rule reads the CLV item. So a member is
 * decided where its MEMBER item is read (counts, transition, rule, and a change when the target
 * differs from the current tier) unless a large enough predicted CLV would change its tier; such
 * members stay pending with their facts, and CLV items are kept only when at or above the
 * threshold. Merging adds counts and unites lists and maps (keys never collide: each item is in
 * exactly one segment), so any split into segments gives the same snapshot. Memory: the members
 * that change, the pending ones and the high-CLV ones, never orders or events.
 */
export interface TiersPartial {
  /** `FROM>TO` → members (FROM = TO: unchanged), decided members only. */
  transitions: Record<string, number>;
  rules: Record<string, number>;
  changes: TierChangePlan[];
  pending: Map<string, PendingMember>;
  /** memberId → predicted CLV (minor units) for CLV items at or above the CORE threshold. */
  predicted: Map<string, number>;
  skipped: { merged: number; erased: number; joinedAfter: number };
}

export const emptyTiersPartial = (): TiersPartial => ({ transitions: {}, rules: {}, changes: [], pending: new Map(), predicted: new Map(), skipped: { merged: 0, erased: 0, joinedAfter: 0 } });

export const zeroCounts = (): TierCounts => ({ SILENT: 0, ACTIVE: 0, LOYAL: 0, CORE: 0 });

const isTier = (value: unknown): value is Tier => typeof value === "string" && (TIERS as readonly string[]).includes(value);
const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);

interface RunState {
  thresholds: TierThresholds;
  asOf: TierAsOf;
  cutoff: number;
}
const perRun = new WeakMap<object, RunState>();

/** The thresholds a run uses: the tenant's (from the context's settings), completed with the defaults. */
export function thresholdsOf(ctx: JobContext<unknown>): TierThresholds {
  return runState(ctx).thresholds;
}

function runState(ctx: JobContext<unknown>): RunState {
  let state = perRun.get(ctx);
  if (!state) {
    state = { thresholds: storedTierThresholds(ctx.settings.tierThresholds), asOf: { date: ctx.asOf, timeZone: ctx.settings.timeZone }, cutoff: Date.parse(ctx.cutoff) };
    perRun.set(ctx, state);
  }
  return state;
}

/** Counts a decided member and records its change. */
export function countDecision(partial: TiersPartial, memberId: string, from: Tier, decision: TierDecision): void {
  const key = `${from}>${decision.tier}`;
  partial.transitions[key] = (partial.transitions[key] ?? 0) + 1;
  partial.rules[decision.rule] = (partial.rules[decision.rule] ?? 0) + 1;
  if (decision.tier !== from) partial.changes.push({ memberId, from, to: decision.tier, rule: decision.rule });
}

/** Folds one MEMBER or CLV item. */
export function addTierItem(partial: TiersPartial, item: Record<string, unknown>, ctx: JobContext<unknown>): TiersPartial {
  const memberId = item.memberId;
  if (typeof memberId !== "string") return partial;
  const { thresholds, asOf, cutoff } = runState(ctx);
  if (item.sk === "CLV") {
    const w = thresholds.core.minPredictedClvMinor;
    const predicted = item.predictedClvMinor;
    if (w !== null && typeof predicted === "number" && predicted >= w) partial.predicted.set(memberId, predicted);
    return partial;
  }
  if (item.sk !== "MEMBER") return partial;
  // Merged duplicates live on in their survivor; erased members cannot be changed (and are not
  // reachable); members who joined after the as-of date are tiered by a later run.
  if (item.status === "MERGED") {
    partial.skipped.merged++;
    return partial;
  }
  if (item.status === "ERASED") {
    partial.skipped.erased++;
    return partial;
  }
  const joinedAt = typeof item.joinedAt === "string" ? Date.parse(item.joinedAt) : Number.NaN;
  if (!(joinedAt < cutoff)) {
    partial.skipped.joinedAfter++;
    return partial;
  }
  const from: Tier = isTier(item.tier) ? item.tier : "SILENT";
  const facts: TierMemberFacts = {
    lastActiveAt: typeof item.lastActiveAt === "string" ? item.lastActiveAt : null,
    orderCount: num(item.orderCount),
    netSpendMinor: num(item.grossSpendMinor) - num(item.refundedMinor),
    eventCount: num(item.eventCount),
  };
  const base = tierFor(facts, null, thresholds, asOf);
  if (thresholds.core.minPredictedClvMinor !== null && base.tier !== "CORE") {
    // Would a high enough predicted CLV change the answer? Then wait for the CLV item.
    const withClv = tierFor(facts, { predictedClvMinor: Number.MAX_VALUE }, thresholds, asOf);
    if (withClv.rule !== base.rule) {
      partial.pending.set(memberId, { from, facts });
      return partial;
    }
  }
  countDecision(partial, memberId, from, base);
  return partial;
}

const addInto = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

export function mergeTiersPartials(a: TiersPartial, b: TiersPartial): TiersPartial {
  addInto(a.transitions, b.transitions);
  addInto(a.rules, b.rules);
  for (const c of b.changes) a.changes.push(c);
  for (const [id, p] of b.pending) a.pending.set(id, p);
  for (const [id, v] of b.predicted) a.predicted.set(id, v);
  a.skipped.merged += b.skipped.merged;
  a.skipped.erased += b.skipped.erased;
  a.skipped.joinedAfter += b.skipped.joinedAfter;
  return a;
}

/** Tier as a digit in the encoding. */
const T = (tier: Tier) => TIERS.indexOf(tier);
const R = (rule: TierRule) => TIER_RULES.indexOf(rule);

interface EncodedTiers {
  v: 1;
  t: Record<string, number>;
  r: Record<string, number>;
  /** [memberId, from, to, rule] */
  c: [string, number, number, number][];
  /** [memberId, from, lastActiveAt, orders, net, events] */
  p: [string, number, string | null, number, number, number][];
  q: [string, number][];
  s: [number, number, number];
}

export function encodeTiersPartial(p: TiersPartial): EncodedTiers {
  return {
    v: 1,
    t: p.transitions,
    r: p.rules,
    c: p.changes.map((c) => [c.memberId, T(c.from), T(c.to), R(c.rule)]),
    p: [...p.pending].map(([id, m]) => [id, T(m.from), m.facts.lastActiveAt ?? null, m.facts.orderCount, m.facts.netSpendMinor, m.facts.eventCount]),
    q: [...p.predicted],
    s: [p.skipped.merged, p.skipped.erased, p.skipped.joinedAfter],
  };
}

export function decodeTiersPartial(encoded: unknown): TiersPartial {
  const e = encoded as EncodedTiers;
  if (e?.v !== 1 || !Array.isArray(e.c) || !Array.isArray(e.p) || !Array.isArray(e.q)) throw new Error("not a tiers partial (version 1)");
  return {
    transitions: { ...e.t },
    rules: { ...e.r },
    changes: e.c.map(([memberId, from, to, rule]) => ({ memberId, from: TIERS[from]!, to: TIERS[to]!, rule: TIER_RULES[rule]! })),
    pending: new Map(e.p.map(([id, from, lastActiveAt, orderCount, netSpendMinor, eventCount]) => [id, { from: TIERS[from]!, facts: { lastActiveAt, orderCount, netSpendMinor, eventCount } }])),
    predicted: new Map(e.q),
    skipped: { merged: e.s[0], erased: e.s[1], joinedAfter: e.s[2] },
  };
}
