/**
 * The tiers partial without DynamoDB: any split of the items into segments (a member's MEMBER
 * and CLV items apart or together), merged in any order through JSON, finishes into the same
 * snapshot as `tierFor` applied to each member directly.
 */
import { describe, expect, it } from "vitest";
import { asOfCutoff } from "../../jobs/periods.js";
import type { JobContext } from "../../jobs/job.js";
import { DEFAULT_SETTINGS } from "../../tenant/settings.js";
import { TIERS, type Tier } from "../../member/types.js";
import { finishTiers, tiersJob } from "./job.js";
import { tierFor, TIER_RANK } from "./rules.js";
import { DEFAULT_TIER_THRESHOLDS, type TierThresholds } from "./thresholds.js";
import type { TiersPartial } from "./partial.js";

const AS_OF = "2026-06-30";
const ZONE = "Asia/Shanghai";
const ctx = (thresholds: TierThresholds | undefined): JobContext<unknown> => ({
  tenantId: "t",
  asOf: AS_OF,
  cutoff: asOfCutoff(AS_OF, ZONE),
  settings: { tenantId: "t", name: "t", ...DEFAULT_SETTINGS, tierThresholds: thresholds },
  params: {},
  jobId: "tiers",
});

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function items(seed: number, n: number): Record<string, unknown>[] {
  const r = rng(seed);
  const out: Record<string, unknown>[] = [];
  const cutoff = Date.parse(asOfCutoff(AS_OF, ZONE));
  for (let i = 0; i < n; i++) {
    const memberId = `m${String(i).padStart(4, "0")}`;
    const active = r() < 0.85;
    const status = r() < 0.03 ? "MERGED" : r() < 0.03 ? "ERASED" : "ACTIVE";
    out.push({
      pk: `T#t#M#${memberId}`,
      sk: "MEMBER",
      memberId,
      status,
      joinedAt: new Date(cutoff - (r() < 0.02 ? -3_600_000 : 400 * 86_400_000)).toISOString(),
      tier: TIERS[Math.floor(r() * 4)],
      ...(active ? { lastActiveAt: new Date(cutoff - r() * 200 * 86_400_000).toISOString() } : {}),
      orderCount: active ? Math.floor(r() * 10) : 0,
      grossSpendMinor: Math.floor(r() * 120_000),
      refundedMinor: Math.floor(r() * 5_000),
      eventCount: Math.floor(r() * 15),
    });
    if (r() < 0.5) out.push({ pk: `T#t#M#${memberId}`, sk: "CLV", memberId, predictedClvMinor: r() * 250_000 });
  }
  return out;
}

/** Folds the items split over `segments` at random, each partial through JSON, merged in a shuffled order. */
function runSplit(all: Record<string, unknown>[], segments: number, seed: number, c: JobContext<unknown>) {
  const r = rng(seed);
  const parts: TiersPartial[] = Array.from({ length: segments }, () => tiersJob.init(c));
  for (const item of all) {
    const s = Math.floor(r() * segments);
    parts[s] = tiersJob.add(parts[s]!, item, c);
  }
  const decoded = parts.map((p) => tiersJob.decode(JSON.parse(JSON.stringify(tiersJob.encode(p)))));
  decoded.sort(() => r() - 0.5);
  return finishTiers(decoded.reduce((a, b) => tiersJob.merge(a, b)), c, "fixed");
}

describe("tiers partial", () => {
  for (const [name, thresholds] of [
    ["default thresholds", DEFAULT_TIER_THRESHOLDS],
    ["no thresholds in settings (the defaults)", undefined],
    ["prediction rule off", { ...DEFAULT_TIER_THRESHOLDS, core: { ...DEFAULT_TIER_THRESHOLDS.core, minPredictedClvMinor: null } }],
  ] as const) {
    it(`gives the direct per-member answer for any split (${name})`, () => {
      const c = ctx(thresholds as TierThresholds | undefined);
      const all = items(7, 600);
      const t = (thresholds ?? DEFAULT_TIER_THRESHOLDS) as TierThresholds;
      // Direct: tierFor per member with its CLV item.
      const clv = new Map(all.filter((i) => i.sk === "CLV").map((i) => [i.memberId as string, i.predictedClvMinor as number]));
      const before: Record<Tier, number> = { SILENT: 0, ACTIVE: 0, LOYAL: 0, CORE: 0 };
      const after: Record<Tier, number> = { SILENT: 0, ACTIVE: 0, LOYAL: 0, CORE: 0 };
      const changes: { memberId: string; from: Tier; to: Tier; rule: string }[] = [];
      let up = 0;
      for (const m of all) {
        if (m.sk !== "MEMBER" || m.status !== "ACTIVE" || Date.parse(m.joinedAt as string) >= Date.parse(c.cutoff)) continue;
        const d = tierFor(
          { lastActiveAt: m.lastActiveAt as string | undefined, orderCount: m.orderCount as number, netSpendMinor: (m.grossSpendMinor as number) - (m.refundedMinor as number), eventCount: m.eventCount as number },
          clv.has(m.memberId as string) ? { predictedClvMinor: clv.get(m.memberId as string)! } : null,
          t,
          { date: AS_OF, timeZone: ZONE },
        );
        const from = m.tier as Tier;
        before[from]++;
        after[d.tier]++;
        if (d.tier !== from) changes.push({ memberId: m.memberId as string, from, to: d.tier, rule: d.rule });
        if (TIER_RANK[d.tier] > TIER_RANK[from]) up++;
      }
      const one = runSplit(all, 1, 1, c);
      expect(one.snapshot).toMatchObject({ before, after, changes: changes.length, upgrades: up, thresholds: t });
      expect(one.changes).toEqual(changes);
      if (t.core.minPredictedClvMinor !== null) expect(one.snapshot.rules.find((r) => r.rule === "CORE_PREDICTED")!.members).toBeGreaterThan(0);
      for (const [segments, seed] of [[4, 2], [16, 3], [16, 4], [64, 5]] as const) expect(runSplit(all, segments, seed, c)).toEqual(one);
    });
  }

  it("refuses a partial of another version", () => {
    expect(() => tiersJob.decode({ v: 2 })).toThrow(/tiers partial/);
  });
});
