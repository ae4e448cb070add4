import { defineJob, type JobContext, type RawParams } from "../jobs/job.js";
import { ConflictError, ValidationError } from "../shared/errors.js";
import { ACTIVITY_SK, fromActivityItem, KEYED_DAYS, localDayNumber, type Activity } from "./activity.js";
import { evaluationClock, type MemberClvFacts, type MemberFacts, type SegmentMemberFacts } from "./evaluate.js";
import { toMemberFacts } from "./facts.js";
import { assertSegmentId, CLV_SK } from "./keys.js";
import { matchMembers } from "./preview.js";
import { materialise, type RefreshResult } from "./refresh.js";
import { MAX_WINDOW_DAYS } from "./rule.js";
import { allActiveSegments, getSegment } from "./store.js";
import { MEMBER_FACT_FIELDS } from "./evaluate.js";

/**
 * The `segments` job: materialises every active segment of a tenant (or one, `--segment`) from
 * one parallel scan of the tenant's member summaries, the path for brands above the request
 * limit and for the schedule.
 *
 * Scan: MEMBER, ACTIVITY, CLV and IDENTITY items (a member's items land in different scan
 * segments, so the partial is per member: its facts, merged by member id). Finish: the merged
 * facts. Write: loads the segments (their rules are read when writing, so a rule edited since
 * the scan applies), evaluates each, and materialises it exactly as `refreshSegment` does
 * (new version, conditional flip, old version deleted, tags).
 *
 * Clock: rules are evaluated as of the end of the as-of day (`cutoff` - 1 ms) in the brand's
 * zone, so "the last 30 days" are the 30 days ending with the as-of date (yesterday by
 * default). The summaries are read as they are at scan time (they are running totals, not
 * history), so this is not a point-in-time snapshot of the as-of date; a same-day rerun reuses
 * the checkpointed scan (`--fresh` scans again).
 *
 * Memory: per live member, the profile fields rules read plus its ACTIVITY days within the
 * longest window (365 days), per-key counts within 90.
 */
export interface SegmentsParams {
  segment?: string;
}

interface PartialFacts {
  m?: SegmentMemberFacts;
  a?: Activity;
  c?: MemberClvFacts;
  ch?: string[];
}

export type SegmentsPartial = Map<string, PartialFacts>;

export interface SegmentsSnapshot {
  facts: SegmentsPartial;
  /** Filled by `write`: one entry per segment refreshed. */
  results: { segmentId: string; name: string; result: RefreshResult }[];
}

function parseParams(raw: RawParams): SegmentsParams {
  const unknown = Object.keys(raw).filter((k) => k !== "segment" && raw[k] !== undefined);
  if (unknown.length > 0) throw new ValidationError(`segments takes only a segment (got ${unknown.join(", ")})`, "params");
  if (raw.segment === undefined || raw.segment === null || raw.segment === "") return {};
  if (typeof raw.segment !== "string") throw new ValidationError("segment must be a segment id", "segment");
  return { segment: assertSegmentId(raw.segment, "segment") };
}

const clockDay = new WeakMap<object, number>();
/** The evaluation day of a run (the as-of date's day number), computed once per context. */
function runDay(ctx: JobContext<SegmentsParams>): number {
  let day = clockDay.get(ctx);
  if (day === undefined) clockDay.set(ctx, (day = localDayNumber(Date.parse(ctx.cutoff) - 1, ctx.settings.timeZone)));
  return day;
}

/** Keeps only the days a rule can look at from the run's evaluation day. */
function windowed(a: Activity, today: number): Activity {
  const days: Activity["days"] = {};
  for (const [d, b] of Object.entries(a.days)) {
    const day = Number(d);
    if (day <= today - MAX_WINDOW_DAYS) continue;
    if (day <= today - KEYED_DAYS && b.k) {
      const { k: _k, x: _x, ...rest } = b;
      days[d] = rest;
    } else days[d] = b;
  }
  return { tz: a.tz, days };
}

function mergeFacts(into: PartialFacts, from: PartialFacts): PartialFacts {
  if (from.m) into.m = from.m;
  if (from.a) into.a = from.a;
  if (from.c) into.c = from.c;
  if (from.ch) into.ch = [...new Set([...(into.ch ?? []), ...from.ch])].sort();
  return into;
}

export const segmentsJob = defineJob<SegmentsPartial, SegmentsSnapshot, SegmentsParams>({
  name: "segments",
  description: "Materialise segment membership (every active segment, or --segment <id>): new version, atomic flip, tags",
  kinds: ["MEMBER", ACTIVITY_SK, CLV_SK, "IDENTITY"],
  projection: [...new Set([...MEMBER_FACT_FIELDS, "tz", "days", "predictedClvMinor", "pAlive", "channel"])],
  options: { segment: { description: "Only this segment id" } },
  variants: [{}],
  parseParams,
  paramsKey: (p) => p.segment ?? "",
  init: () => new Map(),
  add(partial, item, ctx) {
    const memberId = item.memberId as string | undefined;
    if (!memberId) return partial;
    let p = partial.get(memberId);
    if (!p) partial.set(memberId, (p = {}));
    switch (item.sk) {
      case "MEMBER":
        if (item.status === "ACTIVE") p.m = toMemberFacts(item);
        break;
      case ACTIVITY_SK:
        p.a = windowed(fromActivityItem(item)!, runDay(ctx));
        break;
      case CLV_SK:
        p.c = { predictedClvMinor: item.predictedClvMinor as number | undefined, pAlive: item.pAlive as number | undefined };
        break;
      case "IDENTITY":
        p.ch = mergeFacts(p, { ch: [item.channel as string] }).ch;
        break;
    }
    return partial;
  },
  merge(a, b) {
    const [big, small] = a.size >= b.size ? [a, b] : [b, a];
    for (const [id, f] of small) {
      const into = big.get(id);
      big.set(id, into ? mergeFacts(into, f) : f);
    }
    return big;
  },
  encode: (partial) => [...partial.entries()],
  decode: (encoded) => new Map(encoded as [string, PartialFacts][]),
  finish: (merged) => ({ facts: merged, results: [] }),
  async write(snapshot, ctx) {
    const { tenantId, params } = ctx;
    let segments = params.segment ? [await getSegment(tenantId, params.segment, true)] : await allActiveSegments(tenantId);
    if (params.segment && segments[0]!.status !== "ACTIVE") throw new ConflictError(`segment ${params.segment} is archived`);
    segments = segments.sort((x, y) => x.createdAt.localeCompare(y.createdAt));
    const facts: MemberFacts[] = [];
    for (const f of snapshot.facts.values()) if (f.m) facts.push({ member: f.m, activity: f.a, clv: f.c, channels: f.ch });
    const clock = evaluationClock(Date.parse(ctx.cutoff) - 1, ctx.settings.timeZone);
    for (const segment of segments) {
      const startedAt = performance.now();
      const fresh = await getSegment(tenantId, segment.segmentId, true);
      if (fresh.status !== "ACTIVE") continue;
      const matched = matchMembers(fresh.rule, facts, clock).map((f) => ({ memberId: f.member.memberId, tags: f.member.tags }));
      const result = await materialise(tenantId, fresh, matched, { via: "JOB", startedAt, shards: ctx.settings.memberListShards });
      snapshot.results.push({ segmentId: fresh.segmentId, name: fresh.name, result });
    }
  },
  summarize(snapshot, ctx) {
    const live = [...snapshot.facts.values()].filter((f) => f.m).length;
    const parts = snapshot.results.map(({ name, result: r }) =>
      r.applied ? `${name} ${r.size} (+${r.entered} -${r.left}${r.tagsAdded || r.tagsRemoved ? `, tag +${r.tagsAdded} -${r.tagsRemoved}` : ""})` : `${name} skipped (another refresh landed first)`,
    );
    return `segments for ${ctx.tenantId} as of ${ctx.asOf}: ${live} live members, ${snapshot.results.length} segment(s)${parts.length ? `: ${parts.join("; ")}` : ""}`;
  },
});
