/**
 * `npm start`'s metrics jobs: the demo's snapshots (real jobs on a small tenant, once per day)
 * and the local scheduler (timers faked, runs stubbed).
 */
import { createMember } from "@growth/core/member";
import { recordOrder } from "@growth/core/order";
import type { JobRunResult } from "@growth/core/jobs";
import { getKpiSnapshot } from "@growth/core/metrics/kpi";
import { getTierSnapshot } from "@growth/core/metrics/tiers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { runDemoJobs, startLocalSchedules, type LocalRunner } from "./metrics-jobs.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("runDemoJobs", () => {
  it("runs retention WEEK and MONTH, predictive CLV, tiers and KPIs for the latest complete day (and KPIs for the demo data's last day) once, one line each", { timeout: 120_000 }, async () => {
    const tenant = newTenantId("demojobs");
    for (const [id, days] of [["d1", [40, 20, 3]], ["d2", [100]], ["d3", []]] as const) {
      await createMember(tenant, { memberId: id, name: id, sourceChannel: "APP", joinedAt: new Date(Date.now() - 200 * 86_400_000).toISOString() }, { actor: "t" });
      for (const [i, d] of days.entries()) await recordOrder(tenant, { orderId: `${id}-${i}`, memberId: id, channel: "APP", amount: 88, occurredAt: new Date(Date.now() - d * 86_400_000).toISOString() }, { actor: "t" });
    }
    const lines: string[] = [];
    const first = await runDemoJobs(tenant, (l) => lines.push(l));
    expect(first).toMatchObject({ ran: 8, failed: 0 });
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(new RegExp(`^Metrics {9}weekly retention as of ${first.asOf}: 3 members in \\d+ cohorts, 4 matrices written \\(\\d+\\.\\d s\\)$`));
    expect(lines[1]).toMatch(new RegExp(`^Metrics {9}monthly retention as of ${first.asOf}: 3 members`));
    expect(lines[2]).toMatch(new RegExp(`^Metrics {9}CLV as of ${first.asOf}: 3 members, 2 customers fitted`));
    expect(lines[3]).toMatch(new RegExp(`^Metrics {9}tiers as of ${first.asOf}: 3 members \\(.*\\); \\d+ changes`));
    expect(lines[4]).toMatch(new RegExp(`^Metrics {9}KPIs as of ${first.asOf}: 3 members, \\d+ active in 30 days, conversion 66\\.7%, 1 channel, 44 metrics per scope written \\(\\d+\\.\\d s\\)$`));
    // The demo's data ends at DEMO_ANCHOR (2026-11-01 00:00 Shanghai): the second KPI run is as of 2026-10-31.
    expect(lines[5]).toMatch(/^Metrics {9}KPIs as of 2026-10-31: /);
    expect(lines[6]).toMatch(new RegExp(`^Metrics {9}member base as of ${first.asOf}: 3 members, 1 city, 1 tag group, \\d+ join days?, 0 days of non-member sales \\(\\d+\\.\\d s\\)$`));
    expect(lines[7]).toMatch(/^Metrics {9}member base as of 2026-10-31: 3 members/);
    expect(await getTierSnapshot(tenant, first.asOf)).toMatchObject({ members: 3 });
    expect(await getKpiSnapshot(tenant, { asOf: first.asOf })).toMatchObject({ scopes: { ALL: { MEMBERS: 3, PAYING_MEMBERS: 2 } } });

    const again: string[] = [];
    expect(await runDemoJobs(tenant, (l) => again.push(l))).toMatchObject({ ran: 0, failed: 0 });
    expect(again).toEqual([`Metrics         snapshots as of ${first.asOf} already computed (retention, predictive-clv, tiers, kpi, member-base, segments)`]);
  });

  it("reports a failed job in one line and goes on with the next", async () => {
    const tenant = newTenantId("demofail");
    const lines: string[] = [];
    const run: LocalRunner = async (job) => {
      if (job === "predictive-clv") throw new Error("boom");
      return { jobId: job, asOf: "2026-01-01", summary: "ok", ms: 100 } as JobRunResult;
    };
    expect(await runDemoJobs(tenant, (l) => lines.push(l), { run })).toMatchObject({ ran: 7, failed: 1 });
    expect(lines[2]).toMatch(/^Metrics {9}predictive-clv as of \d{4}-\d{2}-\d{2} failed: boom \(npm run jobs -- predictive-clv --tenant demofail\w+ resumes it\)$/);
    expect(lines[3]).toBe("Metrics         ok (0.1 s)");
  });
});

describe("startLocalSchedules", () => {
  it("runs each schedule's variants for each tenant at its cron time, one at a time, and stops", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-23T17:59:00Z") });
    const calls: string[] = [];
    const run: LocalRunner = async (job, tenantId, params) => {
      calls.push(`${job}${Object.values(params).map((v) => `.${v}`).join("")}@${tenantId}@${new Date().toISOString()}`);
      return { jobId: [job, ...Object.values(params)].join("."), asOf: "2026-11-23", summary: "done", ms: 1500 } as JobRunResult;
    };
    const lines: string[] = [];
    const schedules = startLocalSchedules({
      tenants: ["demo", "b2"],
      out: (l) => lines.push(l),
      run,
      tasks: [],
      schedules: [
        { job: "retention", cron: "cron(0 18 * * ? *)", description: "daily at 02:00 Asia/Shanghai", variants: [{ period: "WEEK" }, { period: "MONTH" }] },
        { job: "tiers", cron: "cron(0 19 * * ? *)", description: "daily at 03:00 Asia/Shanghai", variants: [{}] },
      ],
    });
    expect(schedules.upcoming().map((u) => [u.job, u.at?.toISOString()])).toEqual([
      ["retention", "2026-11-23T18:00:00.000Z"],
      ["tiers", "2026-11-23T19:00:00.000Z"],
    ]);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    await schedules.idle();
    expect(calls).toEqual([
      "retention.WEEK@demo@2026-11-23T18:00:00.000Z",
      "retention.MONTH@demo@2026-11-23T18:00:00.000Z",
      "retention.WEEK@b2@2026-11-23T18:00:00.000Z",
      "retention.MONTH@b2@2026-11-23T18:00:00.000Z",
    ]);
    expect(lines[0]).toBe("Schedule        demo: done (retention.WEEK, 1.5 s)");
    expect(schedules.upcoming()[0]!.at?.toISOString()).toBe("2026-11-24T18:00:00.000Z");
    await vi.advanceTimersByTimeAsync(3_600_000);
    await schedules.idle();
    expect(calls.slice(4)).toEqual(["tiers@demo@2026-11-23T19:00:00.000Z", "tiers@b2@2026-11-23T19:00:00.000Z"]);
    schedules.stop();
    await vi.advanceTimersByTimeAsync(2 * 86_400_000);
    expect(calls).toHaveLength(6);
  });

  it("reports a failed run and keeps the schedule", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-23T18:59:30Z") });
    const lines: string[] = [];
    const schedules = startLocalSchedules({
      tenants: ["demo"],
      out: (l) => lines.push(l),
      run: async () => {
        throw new Error("table missing");
      },
      tasks: [],
      schedules: [{ job: "tiers", cron: "cron(0 19 * * ? *)", description: "daily", variants: [{}] }],
    });
    await vi.advanceTimersByTimeAsync(30_000);
    await schedules.idle();
    expect(lines).toEqual(["Schedule        tiers for demo failed: table missing"]);
    expect(schedules.upcoming()[0]!.at?.toISOString()).toBe("2026-11-24T19:00:00.000Z");
    schedules.stop();
  });

  it("runs tasks every minute per tenant, printing only runs that changed something, and passes fresh to jobs that ask for it", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-23T10:04:30Z") });
    const lines: string[] = [];
    const tasks: string[] = [];
    const jobs: string[] = [];
    let n = 0;
    const schedules = startLocalSchedules({
      tenants: ["demo"],
      out: (l) => lines.push(l),
      run: async (job, _tenant, _params, _asOf, options) => {
        jobs.push(`${job} fresh=${options?.fresh === true}`);
        return { jobId: job, asOf: "2026-11-22", summary: "segments refreshed", ms: 100 } as JobRunResult;
      },
      runTask: async (task, tenantId) => {
        tasks.push(`${task}@${tenantId}@${new Date().toISOString()}`);
        n++;
        return { task, tenantId, changed: n === 2, summary: `${task} for ${tenantId}: ${n === 2 ? 1 : 0} published`, ms: 3 };
      },
      schedules: [{ job: "segments", cron: "cron(5 * * * ? *)", description: "hourly", variants: [{}], fresh: true }],
      tasks: [{ task: "content-publish", cron: "rate(1 minute)", description: "every minute" }],
    });
    expect(schedules.upcoming().map((u) => [u.kind, u.job])).toEqual([["job", "segments"], ["task", "content-publish"]]);
    await vi.advanceTimersByTimeAsync(150_000);
    await schedules.idle();
    expect(tasks).toEqual(["content-publish@demo@2026-11-23T10:05:30.000Z", "content-publish@demo@2026-11-23T10:06:30.000Z"]);
    expect(jobs).toEqual(["segments fresh=true"]);
    expect(lines).toEqual(["Schedule        demo: segments refreshed (segments, 0.1 s)", "Schedule        content-publish for demo: 1 published (0.0 s)"]);
    schedules.stop();
  });
});
