/**
 * Cohort retention against DynamoDB Local, on a hand-placed fixture in Asia/Shanghai.
 *
 * The expected matrices come from `naiveMatrix` below: plain loops over the fixture with luxon's
 * own week/month arithmetic (not the job's period indexes). A few cells are also checked by hand.
 */
import { DateTime } from "luxon";
import { beforeAll, describe, expect, it } from "vitest";
import { recordEvent } from "../../event/record.js";
import { checkpointedSegments } from "../../jobs/checkpoint.js";
import { getRunRecord, listJobRuns } from "../../jobs/runs.js";
import { runJob, type JobRunResult } from "../../jobs/run.js";
import { jobKeys } from "../../jobs/keys.js";
import { createMember } from "../../member/create.js";
import { eraseMember } from "../../member/erase.js";
import { mergeMembers } from "../../member/merge.js";
import { recordOrder } from "../../order/record.js";
import { actor, newTenantId } from "../../test/tenant.js";
import type { PeriodType } from "../../jobs/periods.js";
import { getRetention } from "./read.js";
import { retentionJob, type RetentionPartial, type RetentionSnapshot } from "./job.js";
import { RETENTION_BASES, RETENTION_MODES, type RetentionBasis, type RetentionCohort, type RetentionMode } from "./types.js";

const ZONE = "Asia/Shanghai";
const AS_OF = "2025-05-14"; // a Wednesday: May and the week of Mon 05-12 are not over

/** A Shanghai wall-clock time as the UTC instant the API stores. */
const sh = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toUTC().toISO()!;

type Kind = "ORDER" | "EVENT";
interface FixtureMember {
  id: string;
  joined: string; // Shanghai wall clock
  activity: [Kind, string][];
}

/**
 * 14 members. Notes per member: what each is there to test.
 * m06 is merged into m07 (its activity moves to m07), m05 is erased (still counted),
 * m12 and m13 join after the as-of date, m10 has an event exactly at the cutoff.
 */
const FIXTURE: FixtureMember[] = [
  // Order exactly at Shanghai midnight of April 1st (2025-03-31T16:00Z: still March in UTC).
  { id: "m01", joined: "2025-01-05T10:00:00", activity: [["ORDER", "2025-01-05T10:05:00"], ["ORDER", "2025-02-10T12:00:00"], ["EVENT", "2025-03-15T09:00:00"], ["ORDER", "2025-04-01T00:00:00"], ["ORDER", "2025-05-02T08:00:00"]] },
  { id: "m02", joined: "2025-01-20T08:00:00", activity: [["EVENT", "2025-01-21T20:00:00"], ["EVENT", "2025-03-02T20:00:00"]] },
  // Joins one second before February (Shanghai); first order exactly at February's midnight (still January in UTC).
  { id: "m03", joined: "2025-01-31T23:59:59", activity: [["ORDER", "2025-02-01T00:00:00"], ["ORDER", "2025-05-13T18:00:00"]] },
  // Joins exactly at February's midnight (UTC: January 31st); event in the last millisecond of April.
  { id: "m04", joined: "2025-02-01T00:00:00", activity: [["ORDER", "2025-02-03T11:00:00"], ["EVENT", "2025-04-30T23:59:59.999"]] },
  // Erased after its activity: still counted.
  { id: "m05", joined: "2025-02-14T14:00:00", activity: [["ORDER", "2025-02-14T15:00:00"], ["ORDER", "2025-03-20T15:00:00"], ["EVENT", "2025-05-01T10:00:00"]] },
  // Merged into m07: left out; its activity counts for m07 (February's is before m07 joined).
  { id: "m06", joined: "2025-02-20T09:00:00", activity: [["ORDER", "2025-02-21T09:00:00"], ["EVENT", "2025-03-05T09:00:00"]] },
  { id: "m07", joined: "2025-03-03T09:00:00", activity: [["ORDER", "2025-03-10T09:00:00"]] },
  // The brief's example: 2025-03-31T16:30Z is April 1st in Shanghai. Next order exactly at Monday midnight.
  { id: "m08", joined: "2025-03-31T23:30:00", activity: [["EVENT", "2025-04-01T00:30:00"], ["ORDER", "2025-04-07T00:00:00"]] },
  { id: "m09", joined: "2025-04-10T10:00:00", activity: [] },
  // Last instant of the as-of day counts; the first instant after it does not.
  { id: "m10", joined: "2025-04-15T10:00:00", activity: [["ORDER", "2025-05-14T23:59:59"], ["EVENT", "2025-05-15T00:00:00"]] },
  { id: "m11", joined: "2025-05-10T10:00:00", activity: [["EVENT", "2025-05-12T10:00:00"]] },
  // Joins at the cutoff: after the as-of date, left out with its activity.
  { id: "m12", joined: "2025-05-15T00:00:00", activity: [["ORDER", "2025-05-16T10:00:00"]] },
  { id: "m13", joined: "2025-06-01T10:00:00", activity: [["EVENT", "2025-06-02T10:00:00"]] },
  { id: "m14", joined: "2025-05-14T12:00:00", activity: [] },
];
const MERGED: Record<string, string> = { m06: "m07" };
const ERASED = new Set(["m05"]);
const FIXTURE_ITEMS = FIXTURE.length + FIXTURE.reduce((n, m) => n + m.activity.length, 0);

let tenant: string;

async function loadFixture(tenantId: string): Promise<void> {
  for (const m of FIXTURE) {
    await createMember(tenantId, { memberId: m.id, sourceChannel: "MINI_PROGRAM", joinedAt: sh(m.joined) }, actor);
    for (const [i, [kind, at]] of m.activity.entries()) {
      if (kind === "ORDER") await recordOrder(tenantId, { orderId: `${m.id}-o${i}`, memberId: m.id, channel: "WEB", amount: 100, occurredAt: sh(at) }, actor);
      else await recordEvent(tenantId, { eventId: `${m.id}-e${i}`, memberId: m.id, type: "VIEW", channel: "MINI_PROGRAM", occurredAt: sh(at) });
    }
  }
  for (const [duplicate, survivor] of Object.entries(MERGED)) await mergeMembers(tenantId, survivor, duplicate, actor);
  for (const id of ERASED) await eraseMember(tenantId, id, actor);
}

// ---------- the naive implementation: loops over FIXTURE with luxon calendar arithmetic ----------

const unitOf = (period: PeriodType) => (period === "WEEK" ? "week" : "month") as "week" | "month";

function naiveMatrix(period: PeriodType, basis: RetentionBasis, mode: RetentionMode, asOf: string) {
  const unit = unitOf(period);
  const plus = (d: DateTime, n: number) => (unit === "week" ? d.plus({ weeks: n }) : d.plus({ months: n }));
  const startOf = (utc: string) => DateTime.fromISO(utc, { zone: ZONE }).startOf(unit); // luxon weeks start on Monday
  const cutoff = DateTime.fromISO(asOf, { zone: ZONE }).plus({ days: 1 }).startOf("day");
  const lastStart = cutoff.minus({ milliseconds: 1 }).startOf(unit);

  // Activity after merges: a duplicate's orders and events belong to its survivor.
  const owner = (id: string) => MERGED[id] ?? id;
  const activity = new Map<string, [Kind, DateTime][]>();
  for (const m of FIXTURE) {
    for (const [kind, at] of m.activity) {
      const list = activity.get(owner(m.id)) ?? [];
      list.push([kind, DateTime.fromISO(sh(at))]);
      activity.set(owner(m.id), list);
    }
  }
  const members = FIXTURE.filter((m) => !MERGED[m.id] && DateTime.fromISO(sh(m.joined)) < cutoff);
  const cohortStarts = [...new Set(members.map((m) => startOf(sh(m.joined)).toMillis()))].sort((a, b) => a - b);
  const cohorts: RetentionCohort[] = [];
  for (const startMs of cohortStarts) {
    const start = DateTime.fromMillis(startMs, { zone: ZONE });
    const inCohort = members.filter((m) => startOf(sh(m.joined)).toMillis() === startMs);
    const cells = [];
    for (let k = 0; plus(start, k) <= lastStart; k++) {
      const p = plus(start, k);
      let retained = 0;
      for (const m of inCohort) {
        const hit = (activity.get(m.id) ?? []).some(([kind, at]) => {
          if (basis === "PURCHASE" && kind !== "ORDER") return false;
          if (at >= cutoff) return false;
          const ap = startOf(at.toISO()!);
          return mode === "ON" ? ap.toMillis() === p.toMillis() : ap >= p;
        });
        if (hit) retained++;
      }
      cells.push({ k, retained, rate: retained / inCohort.length, complete: plus(p, 1) <= cutoff });
    }
    cohorts.push({ start: start.toISODate()!, size: inCohort.length, cells });
  }
  const longest = Math.max(...cohorts.map((c) => c.cells.length));
  const average = [];
  for (let k = 0; k < longest; k++) {
    const reached = cohorts.filter((c) => c.cells[k]);
    const done = reached.filter((c) => c.cells[k]!.complete);
    const retained = done.reduce((n, c) => n + c.cells[k]!.retained, 0);
    const size = done.reduce((n, c) => n + c.size, 0);
    average.push({ k, rate: done.length ? retained / size : null, complete: done.length > 0 && done.length === reached.length, cohortsIncluded: done.length });
  }
  return { members: members.length, cohorts, average };
}

const withoutTime = (s: RetentionSnapshot) => ({ ...s, computedAt: "-" });
const cellsOf = (c: RetentionCohort) => c.cells.map((x) => `${x.retained}${x.complete ? "" : "*"}`).join(" ");

beforeAll(async () => {
  tenant = newTenantId("ret");
  await loadFixture(tenant);
}, 120_000);

describe("retention job: matrices equal the naive computation", () => {
  const runs: Partial<Record<PeriodType, JobRunResult<RetentionSnapshot>>> = {};
  beforeAll(async () => {
    for (const period of ["MONTH", "WEEK"] as const) runs[period] = await runJob<RetentionSnapshot>("retention", { tenantId: tenant, asOf: AS_OF, params: { period }, segments: 4, workers: 1 });
  });

  for (const period of ["MONTH", "WEEK"] as const) {
    for (const basis of RETENTION_BASES) {
      for (const mode of RETENTION_MODES) {
        it(`${period} ${basis} ${mode}`, async () => {
          const matrix = await getRetention(tenant, { period, basis, mode, asOf: AS_OF });
          const expected = naiveMatrix(period, basis, mode, AS_OF);
          expect(matrix).not.toBeNull();
          expect({ members: matrix!.members, cohorts: matrix!.cohorts, average: matrix!.average }).toEqual(expected);
          expect(matrix).toMatchObject({ tenantId: tenant, period, basis, mode, asOf: AS_OF, timeZone: ZONE });
        });
      }
    }
  }

  it("reads every fixture item exactly once and nothing of other tenants", () => {
    expect(runs.MONTH!.snapshotItemsRead).toBe(FIXTURE_ITEMS);
    expect(runs.MONTH!.itemsRead).toBe(FIXTURE_ITEMS);
    expect(runs.MONTH!.segmentsRun).toEqual([0, 1, 2, 3]);
    expect(runs.MONTH!.summary).toBe("monthly retention as of 2025-05-14: 11 members in 5 cohorts, 4 matrices written");
  });

  it("monthly, by hand: cohorts, midnight boundaries, merged/erased/late members, incomplete May", async () => {
    const any = (await getRetention(tenant, { period: "MONTH", basis: "ANY_ACTIVITY", mode: "ON", asOf: AS_OF }))!;
    // Jan: m01, m02, m03 (m03 joined 23:59:59 on Jan 31st). Feb: m04 (joined at Feb 1st 00:00 =
    // Jan 31st 16:00Z) and the erased m05; m06 is merged away. Mar: m07 (survivor) and m08
    // (23:30 on Mar 31st). Apr: m09, m10. May: m11, m14; m12 joined at the cutoff, m13 in June.
    expect(any.cohorts.map((c) => [c.start, c.size])).toEqual([["2025-01-01", 3], ["2025-02-01", 2], ["2025-03-01", 2], ["2025-04-01", 2], ["2025-05-01", 2]]);
    // Jan, ON, any activity: k0 m01 (order) + m02 (event) = 2 (m03's first order is Feb 1st 00:00
    // in Shanghai); k1 m01 + m03 = 2; k2 m01 (event) + m02 = 2; k3 only m01, by its order at
    // Apr 1st 00:00 Shanghai (still March in UTC) = 1; k4 = May, m01 + m03 = 2 so far, incomplete.
    expect(cellsOf(any.cohorts[0]!)).toBe("2 2 2 1 2*");
    expect(any.cohorts[0]!.cells[4]).toEqual({ k: 4, retained: 2, rate: 2 / 3, complete: false });
    // Feb: k0 m04 + m05 = 2; k1 m05 (erased, still counted) = 1; k2 m04's event at Apr 30th
    // 23:59:59.999 = 1; k3 May: m05's event = 1 so far.
    expect(cellsOf(any.cohorts[1]!)).toBe("2 1 1 1*");
    // Mar: k0 only m07: its own order and m06's moved event (m06's February order is before m07 joined);
    // k1 m08 (Apr 1st 00:30 = the brief's 2025-03-31T16:30Z); k2 nobody so far.
    expect(cellsOf(any.cohorts[2]!)).toBe("1 1 0*");
    // Apr: m10's order at 23:59:59 on the as-of day counts; its event at the cutoff does not.
    expect(cellsOf(any.cohorts[3]!)).toBe("0 1*");
    expect(cellsOf(any.cohorts[4]!)).toBe("1*");
    // Average over complete cells, weighted by size: k0 (2+2+1+0)/(3+2+2+2) = 5/9 (May left out);
    // k1 (2+1+1)/(3+2+2) = 4/7 (April's k1 is May: left out); k2 (2+1)/(3+2); k3 1/3; k4 none.
    expect(any.average).toEqual([
      { k: 0, rate: 5 / 9, complete: false, cohortsIncluded: 4 },
      { k: 1, rate: 4 / 7, complete: false, cohortsIncluded: 3 },
      { k: 2, rate: 3 / 5, complete: false, cohortsIncluded: 2 },
      { k: 3, rate: 1 / 3, complete: false, cohortsIncluded: 1 },
      { k: 4, rate: null, complete: false, cohortsIncluded: 0 },
    ]);

    const buy = (await getRetention(tenant, { period: "MONTH", basis: "PURCHASE", mode: "ON", asOf: AS_OF }))!;
    // Jan, purchases only: k0 m01; k1 m01 + m03; k2 none (only events in March); k3 m01; k4 m01 + m03.
    expect(cellsOf(buy.cohorts[0]!)).toBe("1 2 0 1 2*");
    const after = (await getRetention(tenant, { period: "MONTH", basis: "ANY_ACTIVITY", mode: "ON_OR_AFTER", asOf: AS_OF }))!;
    // Jan, active in k or later: k0..k2 all three (m02's last is March, m03's May); k3, k4 m01 + m03.
    expect(cellsOf(after.cohorts[0]!)).toBe("3 3 3 2 2*");
    const latest = await getRetention(tenant, { period: "MONTH", basis: "ANY_ACTIVITY" });
    expect(latest?.asOf).toBe(AS_OF);
  });

  it("weekly, by hand: Monday midnight and the brief's 16:30Z example", async () => {
    const any = (await getRetention(tenant, { period: "WEEK", basis: "ANY_ACTIVITY", mode: "ON", asOf: AS_OF }))!;
    // m08 joined Mon 2025-03-31 23:30 (week of 03-31); its event at 2025-03-31T16:30Z is Tue
    // 00:30 in Shanghai, same week (k0); its order at Mon 2025-04-07 00:00 is the next week (k1).
    const w = any.cohorts.find((c) => c.start === "2025-03-31")!;
    expect(w.size).toBe(1);
    expect(w.cells.slice(0, 2).map((c) => c.retained)).toEqual([1, 1]);
    // The week of Mon 05-12 holds the as-of date (Wed 05-14): every row's last cell is incomplete.
    expect(any.cohorts.every((c) => c.cells.at(-1)!.complete === false && c.cells.slice(0, -1).every((x) => x.complete))).toBe(true);
    // m11 joined Sat 05-10 (week of 05-05) and was active Mon 05-12: k1, incomplete.
    expect(any.cohorts.find((c) => c.start === "2025-05-05")!.cells).toEqual([
      { k: 0, retained: 0, rate: 0, complete: true },
      { k: 1, retained: 1, rate: 1, complete: false },
    ]);
  });

  it("an as-of date at a month's end leaves no cell incomplete", async () => {
    await runJob("retention", { tenantId: tenant, asOf: "2025-04-30", params: { period: "MONTH" }, segments: 2, workers: 1 });
    for (const mode of RETENTION_MODES) {
      const m = (await getRetention(tenant, { period: "MONTH", basis: "PURCHASE", mode, asOf: "2025-04-30" }))!;
      expect({ members: m.members, cohorts: m.cohorts, average: m.average }).toEqual(naiveMatrix("MONTH", "PURCHASE", mode, "2025-04-30"));
      expect(m.cohorts.flatMap((c) => c.cells).every((c) => c.complete)).toBe(true);
    }
    // The latest snapshot is still 2025-05-14 (sort key order), not the one written last.
    expect((await getRetention(tenant, { period: "MONTH", basis: "PURCHASE" }))?.asOf).toBe(AS_OF);
  });

  it("returns null for a matrix never computed", async () => {
    expect(await getRetention(tenant, { period: "MONTH", basis: "PURCHASE", asOf: "2024-01-01" })).toBeNull();
    expect(await getRetention(newTenantId("none"), { period: "WEEK", basis: "ANY_ACTIVITY" })).toBeNull();
  });
});

describe("segment invariance", () => {
  it("1, 4 and 16 segments (in-process and on worker threads) give identical snapshots", async () => {
    const asOf = "2025-05-13";
    const params = { period: "WEEK" };
    const one = await runJob<RetentionSnapshot>("retention", { tenantId: tenant, asOf, params, segments: 1, workers: 1 });
    const four = await runJob<RetentionSnapshot>("retention", { tenantId: tenant, asOf, params, segments: 4, workers: 2 });
    const sixteen = await runJob<RetentionSnapshot>("retention", { tenantId: tenant, asOf, params, segments: 16, workers: 2, pageLimit: 5 });
    expect(four.workers).toBe(2);
    expect(sixteen.workers).toBe(2);
    expect(withoutTime(four.snapshot)).toEqual(withoutTime(one.snapshot));
    expect(withoutTime(sixteen.snapshot)).toEqual(withoutTime(one.snapshot));
    for (const r of [one, four, sixteen]) expect(r.itemsRead).toBe(FIXTURE_ITEMS);
    // And the naive matrices hold for this date too.
    const m = (await getRetention(tenant, { period: "WEEK", basis: "PURCHASE", mode: "ON_OR_AFTER", asOf }))!;
    expect({ members: m.members, cohorts: m.cohorts, average: m.average }).toEqual(naiveMatrix("WEEK", "PURCHASE", "ON_OR_AFTER", asOf));
  });

  it("merge is commutative and associative on partials", () => {
    const part = (entries: [string, number | null, boolean, number[], number[]][]): RetentionPartial =>
      new Map(entries.map(([id, j, x, a, p]) => [id, { j, x, a: [...a], p: [...p] }]));
    const parts = () => [
      part([["a", 5, false, [5, 7], [7]], ["b", null, false, [6], []]]),
      part([["a", null, false, [8], [8]], ["b", 6, false, [], []], ["c", null, true, [], []]]),
      part([["c", null, false, [9], [9]], ["a", null, false, [7, 5], []]]),
    ];
    const canonical = (p: RetentionPartial) =>
      [...p].map(([id, s]) => [id, s.j, s.x, [...s.a].sort(), [...s.p].sort()]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    const m = retentionJob.merge;
    const [a1, b1, c1] = parts();
    const left = canonical(m(m(a1!, b1!), c1!));
    const [a2, b2, c2] = parts();
    const right = canonical(m(a2!, m(c2!, b2!)));
    expect(right).toEqual(left);
    const [a3, b3, c3] = parts();
    const viaJson = canonical(retentionJob.decode(JSON.parse(JSON.stringify(retentionJob.encode(m(c3!, m(b3!, a3!)))))));
    expect(viaJson).toEqual(left);
  });
});

describe("resumability", () => {
  it("a run killed after 2 of 4 segments resumes without re-reading them and writes the same snapshot", async () => {
    const asOf = "2025-05-12";
    const params = { period: "MONTH" };
    const partition = jobKeys.runPartition(tenant, "retention.MONTH", asOf, 4);
    await expect(
      runJob("retention", {
        tenantId: tenant,
        asOf,
        params,
        segments: 4,
        workers: 1,
        concurrency: 1, // one segment after another: exactly segments 0 and 1 finish
        afterSegment: (_stats, done) => {
          if (done === 2) throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    const failed = await getRunRecord(partition);
    expect(failed).toMatchObject({ status: "FAILED", error: "killed", attempts: 1 });
    const saved = await checkpointedSegments(partition);
    expect([...saved.keys()].sort()).toEqual([0, 1]);
    const readBefore = saved.get(0)!.itemsRead + saved.get(1)!.itemsRead;

    const resumed = await runJob<RetentionSnapshot>("retention", { tenantId: tenant, asOf, params, segments: 4, workers: 1, concurrency: 1 });
    expect(resumed.segmentsSkipped).toEqual([0, 1]);
    expect(resumed.segmentsRun).toEqual([2, 3]);
    // Only segments 2 and 3 were scanned: together with the checkpointed ones, every item once.
    const after = await checkpointedSegments(partition);
    expect(resumed.itemsRead).toBe(after.get(2)!.itemsRead + after.get(3)!.itemsRead);
    expect(resumed.itemsRead + readBefore).toBe(FIXTURE_ITEMS);
    expect(resumed.snapshotItemsRead).toBe(FIXTURE_ITEMS);

    const clean = await runJob<RetentionSnapshot>("retention", { tenantId: tenant, asOf, params, segments: 2, workers: 1 });
    expect(withoutTime(resumed.snapshot)).toEqual(withoutTime(clean.snapshot));

    // Running again reads nothing (every segment is checkpointed) and writes the same snapshot.
    const again = await runJob<RetentionSnapshot>("retention", { tenantId: tenant, asOf, params, segments: 4, workers: 1 });
    expect(again.itemsRead).toBe(0);
    expect(again.segmentsSkipped).toEqual([0, 1, 2, 3]);
    expect(withoutTime(again.snapshot)).toEqual(withoutTime(clean.snapshot));
    expect(await getRunRecord(partition)).toMatchObject({ status: "SUCCEEDED", attempts: 3, itemsRead: FIXTURE_ITEMS, segmentsRun: 0, segmentsSkipped: 4 });
    const runs = await listJobRuns(tenant, 50);
    expect(runs.some((r) => r.jobId === "retention.MONTH" && r.asOf === asOf && r.segments === 4)).toBe(true);

    // --fresh drops the checkpoints and scans everything again.
    const fresh = await runJob<RetentionSnapshot>("retention", { tenantId: tenant, asOf, params, segments: 4, workers: 1, fresh: true });
    expect(fresh.itemsRead).toBe(FIXTURE_ITEMS);
    expect(withoutTime(fresh.snapshot)).toEqual(withoutTime(clean.snapshot));
  });

  it("a run killed while worker threads are scanning resumes from whatever was checkpointed", async () => {
    const asOf = "2025-05-11";
    const params = { period: "WEEK" };
    const partition = jobKeys.runPartition(tenant, "retention.WEEK", asOf, 8);
    await expect(
      runJob("retention", {
        tenantId: tenant,
        asOf,
        params,
        segments: 8,
        workers: 2,
        afterSegment: (_stats, done) => {
          if (done === 3) throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    // The threads are terminated mid-segment: their torn checkpoints (if any) do not count.
    const saved = await checkpointedSegments(partition);
    expect(saved.size).toBeGreaterThanOrEqual(3);
    expect(saved.size).toBeLessThan(8);
    const readBefore = [...saved.values()].reduce((n, s) => n + s.itemsRead, 0);
    const resumed = await runJob<RetentionSnapshot>("retention", { tenantId: tenant, asOf, params, segments: 8, workers: 2 });
    expect(resumed.segmentsSkipped).toEqual([...saved.keys()].sort((a, b) => a - b));
    expect(resumed.itemsRead + readBefore).toBe(FIXTURE_ITEMS);
    const clean = await runJob<RetentionSnapshot>("retention", { tenantId: tenant, asOf, params, segments: 1, workers: 1 });
    expect(withoutTime(resumed.snapshot)).toEqual(withoutTime(clean.snapshot));
  });
});
