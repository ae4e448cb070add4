import { defineJob, type JobContext } from "../../jobs/job.js";
import { TIERS, type Tier } from "../../member/types.js";
import {
  addTierItem,
  countDecision,
  decodeTiersPartial,
  emptyTiersPartial,
  encodeTiersPartial,
  mergeTiersPartials,
  thresholdsOf,
  zeroCounts,
  type TierChangePlan,
  type TierCounts,
  type TiersPartial,
} from "./partial.js";
import { TIER_RANK, TIER_RULES, tierFor, type TierRule } from "./rules.js";
import { writeTiersRun, type TierApplyStats } from "./store.js";
import type { TierThresholds } from "./thresholds.js";

/** The pyramid snapshot as stored (`T#t#METRIC#TIERS` / `<asOf>`). */
export interface TierPyramidSnapshot {
  tenantId: string;
  asOf: string;
  timeZone: string;
  currency: string;
  computedAt: string;
  /** Members tiered: ACTIVE-status members who joined by the as-of date. */
  members: number;
  /** Tiers as the job found them. */
  before: TierCounts;
  /** Tiers the rules give: the pyramid after the run. */
  after: TierCounts;
  /** Members whose tier the run changes (= Σ transitions with from ≠ to). */
  changes: number;
  upgrades: number;
  downgrades: number;
  /** Every (from, to) pair with members, unchanged ones (from = to) included; SILENT → CORE order. */
  transitions: { from: Tier; to: Tier; members: number }[];
  /** Members per deciding rule, in rule order (zeros included). */
  rules: { rule: TierRule; members: number }[];
  /** Members not tiered: merged duplicates, erased members, members who joined after the as-of date. */
  skipped: { merged: number; erased: number; joinedAfter: number };
  /** The thresholds the run used. */
  thresholds: TierThresholds;
  /** False for a backfill (a snapshot of a later date existed): the changes were not applied. Set by `write`. */
  changesApplied: boolean;
}

/** What `finish` hands to `write`: the snapshot, and the changes to apply (member id order). */
export interface TiersRun {
  snapshot: TierPyramidSnapshot;
  changes: TierChangePlan[];
  /** Filled by `write` (not stored: a resumed run finds some changes already applied). */
  applied?: TierApplyStats;
}

/** The snapshot and change list from a fully merged partial. Pure but for `computedAt`. */
export function finishTiers(merged: TiersPartial, ctx: JobContext<unknown>, computedAt = new Date().toISOString()): TiersRun {
  const thresholds = thresholdsOf(ctx);
  const asOf = { date: ctx.asOf, timeZone: ctx.settings.timeZone };
  // Members waiting for their CLV item: decide them now that every segment is in.
  const all: TiersPartial = { ...merged, transitions: { ...merged.transitions }, rules: { ...merged.rules }, changes: [...merged.changes] };
  for (const [memberId, p] of merged.pending) {
    const predicted = merged.predicted.get(memberId);
    countDecision(all, memberId, p.from, tierFor(p.facts, predicted === undefined ? null : { predictedClvMinor: predicted }, thresholds, asOf));
  }
  const before = zeroCounts();
  const after = zeroCounts();
  const transitions: TierPyramidSnapshot["transitions"] = [];
  let upgrades = 0;
  let downgrades = 0;
  for (const from of TIERS) {
    for (const to of TIERS) {
      const members = all.transitions[`${from}>${to}`] ?? 0;
      if (members === 0) continue;
      before[from] += members;
      after[to] += members;
      transitions.push({ from, to, members });
      if (TIER_RANK[to] > TIER_RANK[from]) upgrades += members;
      else if (TIER_RANK[to] < TIER_RANK[from]) downgrades += members;
    }
  }
  const changes = all.changes.sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const members = TIERS.reduce((n, t) => n + before[t], 0);
  return {
    snapshot: {
      tenantId: ctx.tenantId,
      asOf: ctx.asOf,
      timeZone: ctx.settings.timeZone,
      currency: ctx.settings.currency,
      computedAt,
      members,
      before,
      after,
      changes: changes.length,
      upgrades,
      downgrades,
      transitions,
      rules: TIER_RULES.map((rule) => ({ rule, members: all.rules[rule] ?? 0 })),
      skipped: { ...merged.skipped },
      thresholds,
      changesApplied: true,
    },
    changes,
  };
}

/**
 * Tier recomputation as a job (registry name `tiers`, GraphQL `TIERS`).
 *
 * Reads MEMBER items (status, join time, current tier, last activity, order count, spend,
 * refunds, event count) and the members' predictive CLV items (`sk = CLV`). Each member's
 * target tier comes from `tierFor` with the tenant's thresholds (settings `tierThresholds`,
 * defaults otherwise) as of the end of the as-of day. Partial: pyramid counts and the members
 * whose target differs from their tier (see `partial.ts`). Finish: before/after counts,
 * transitions, members per rule, the change list. Write: every change through `setTier` (actor
 * `job:tiers`, reason `RULE:<rule>`, bounded concurrency), then the pyramid snapshot. Rerunning
 * changes nothing more: members already at their target are left alone by `setTier`.
 */
export const tiersJob = defineJob<TiersPartial, TiersRun, unknown>({
  name: "tiers",
  description: "Member pyramid: recomputes every member's tier (SILENT, ACTIVE, LOYAL, CORE) from the brand's thresholds, records each change, writes pyramid counts.",
  kinds: ["MEMBER", "CLV"],
  projection: ["memberId", "status", "joinedAt", "tier", "lastActiveAt", "orderCount", "grossSpendMinor", "refundedMinor", "eventCount", "predictedClvMinor"],

  init: () => emptyTiersPartial(),
  add: addTierItem,
  merge: mergeTiersPartials,
  encode: encodeTiersPartial,
  decode: decodeTiersPartial,
  finish: (merged, ctx) => finishTiers(merged, ctx),

  async write(run) {
    await writeTiersRun(run);
  },

  summarize: ({ snapshot: s, applied }) => {
    const rank = TIERS.map((t) => `${t} ${s.before[t]}→${s.after[t]}`).join(", ");
    const done = !s.changesApplied
      ? "not applied (a later snapshot exists: backfill)"
      : applied
        ? `${applied.applied} applied, ${applied.alreadyApplied} already applied, ${applied.skipped} skipped`
        : "applied";
    return `tiers as of ${s.asOf}: ${s.members} members (${rank}); ${s.changes} changes (${s.upgrades} up, ${s.downgrades} down), ${done}`;
  },
});
