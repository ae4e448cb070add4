import { defaultAsOf, localDate, runJob, type JobRunResult, type RawParams } from "@growth/core/jobs";
import { DEMO_ANCHOR } from "@growth/core/demo";
import { getClvSnapshot } from "@growth/core/metrics/clv-job";
import { getKpiSnapshot } from "@growth/core/metrics/kpi";
import { getMemberBaseBreakdown } from "@growth/core/metrics/member-base";
import { getRetention } from "@growth/core/metrics/retention";
import { getTierSnapshot } from "@growth/core/metrics/tiers";
import { listSegments } from "@growth/core/segment";
import { JOB_SCHEDULES, nextFire, parseSchedule, TASK_SCHEDULES, type JobSchedule, type Schedule, type TaskSchedule } from "@growth/core/schedules";
import { runTask, type TaskResult } from "@growth/core/tasks";
import { getSettings } from "@growth/core/tenant";

/**
 * Metrics jobs on this machine, for `npm start`: the demo's snapshots after its load, and the
 * cloud schedules on in-process timers (`--schedules`). Jobs run in this thread (one worker:
 * DynamoDB Local is the bottleneck, not the CPU), one at a time.
 */

/** How a local run is started (tests pass a stub). */
export type LocalRunner = (job: string, tenantId: string, params: RawParams, asOf?: string, options?: { fresh?: boolean }) => Promise<JobRunResult>;

export const runLocally: LocalRunner = (job, tenantId, params, asOf, options) => runJob(job, { tenantId, params, asOf, segments: 4, workers: 1, fresh: options?.fresh });

/** How a local task run is started (tests pass a stub). */
export type LocalTaskRunner = (task: string, tenantId: string) => Promise<TaskResult>;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The demo's snapshots, in order (tiers read the CLV items the CLV job writes), each with how to tell it exists. */
const DEMO_JOBS: { job: string; params: RawParams; exists: (tenantId: string, asOf: string) => Promise<unknown>; dataEnd?: true }[] = [
  { job: "retention", params: { period: "WEEK" }, exists: (t, d) => getRetention(t, { period: "WEEK", basis: "ANY_ACTIVITY", asOf: d }) },
  { job: "retention", params: { period: "MONTH" }, exists: (t, d) => getRetention(t, { period: "MONTH", basis: "ANY_ACTIVITY", asOf: d }) },
  { job: "predictive-clv", params: {}, exists: (t, d) => getClvSnapshot(t, d) },
  { job: "tiers", params: {}, exists: (t, d) => getTierSnapshot(t, d) },
  { job: "kpi", params: {}, exists: (t, d) => getKpiSnapshot(t, { asOf: d }) },
  // The demo's data stops at DEMO_ANCHOR: its last day's KPIs have 7- and 30-day windows full of
  // activity (yesterday's are mostly quiet), so `metricsOverview(range: …October 2026)` shows them.
  { job: "kpi", params: {}, exists: (t, d) => getKpiSnapshot(t, { asOf: d }), dataEnd: true },
  // After CLV (average CLV) and as the KPIs: yesterday (traffic sources and sales share of every day) and the data's last day (active shares).
  { job: "member-base", params: {}, exists: (t, d) => getMemberBaseBreakdown(t, "GENDER", d) },
  { job: "member-base", params: {}, exists: (t, d) => getMemberBaseBreakdown(t, "GENDER", d), dataEnd: true },
  // After CLV (segments on predicted CLV); materialising also counts content penetration.
  { job: "segments", params: {}, exists: (t) => allSegmentsComputed(t) },
];

/** True when every active segment (of the first 100) has a membership; vacuously when there are none. */
async function allSegmentsComputed(tenantId: string): Promise<true | undefined> {
  const { items } = await listSegments(tenantId, "ACTIVE", { first: 100 });
  return items.every((s) => s.computedAt) ? true : undefined;
}

export interface DemoJobsResult {
  asOf: string;
  ran: number;
  failed: number;
  ms: number;
}

/**
 * Runs retention (WEEK, MONTH), predictive CLV, tiers, the KPI snapshot, the member base and segments for a tenant
 * as of its latest complete day (yesterday in its zone), and the KPI and member-base snapshots of the demo data's
 * last day, each only if its snapshot for that day is missing (for segments: while a saved
 * segment has never been computed), with one line
 * per run (or one line when all are there). A failed job is reported and the next one runs.
 */
export async function runDemoJobs(tenantId: string, out: (line: string) => void, opts: { run?: LocalRunner; now?: Date; stopping?: () => boolean } = {}): Promise<DemoJobsResult> {
  const started = performance.now();
  const run = opts.run ?? runLocally;
  const { timeZone } = await getSettings(tenantId);
  const asOf = defaultAsOf(timeZone, opts.now);
  let ran = 0;
  let failed = 0;
  const dataEnd = localDate(Date.parse(DEMO_ANCHOR) - 1, timeZone);
  for (const { job, params, exists, dataEnd: atDataEnd } of DEMO_JOBS) {
    if (opts.stopping?.()) break;
    const day = atDataEnd ? dataEnd : asOf;
    if ((atDataEnd && dataEnd >= asOf) || (await exists(tenantId, day))) continue;
    const name = [job, ...Object.values(params)].join(".");
    try {
      const r = await run(job, tenantId, params, day);
      // Summaries name their job and as-of date ("weekly retention as of …", "tiers as of …").
      out(`Metrics         ${r.summary} (${seconds(r.ms)})`);
      ran++;
    } catch (error) {
      if (opts.stopping?.()) break;
      failed++;
      out(`Metrics         ${name} as of ${day} failed: ${(error as Error).message} (npm run jobs -- ${job} --tenant ${tenantId} resumes it)`);
    }
  }
  if (ran === 0 && failed === 0 && !opts.stopping?.()) out(`Metrics         snapshots as of ${asOf} already computed (retention, predictive-clv, tiers, kpi, member-base, segments)`);
  return { asOf, ran, failed, ms: Math.round(performance.now() - started) };
}

export interface LocalSchedulesOptions {
  tenants: string[];
  out: (line: string) => void;
  schedules?: readonly JobSchedule[];
  tasks?: readonly TaskSchedule[];
  run?: LocalRunner;
  runTask?: LocalTaskRunner;
  /** The clock (tests). */
  now?: () => Date;
}

export interface LocalSchedules {
  /** When each schedule fires next. */
  upcoming(): { job: string; kind: "job" | "task"; description: string; cron: string; at: Date | null }[];
  /** Resolves when the runs started so far have finished. */
  idle(): Promise<void>;
  stop(): void;
}

/** setTimeout's limit (~24.8 days): longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The cloud schedules (`JOB_SCHEDULES`, the same cron expressions as the EventBridge rules, in
 * UTC) on timers in this process: when a schedule fires, each variant runs for each tenant, as
 * of yesterday in the tenant's zone, one run at a time (a run still going delays the next, it
 * never overlaps). One line per run; tasks (`TASK_SCHEDULES`, e.g. the content publisher every
 * minute) print a line only when they changed something. Missed times (the machine asleep, the server stopped) are
 * not caught up: the next start's demo jobs fill in the demo's latest day.
 */
export function startLocalSchedules(opts: LocalSchedulesOptions): LocalSchedules {
  const now = opts.now ?? (() => new Date());
  const run = opts.run ?? runLocally;
  const started = now();
  let stopped = false;
  let queue: Promise<void> = Promise.resolve();
  const task = opts.runTask ?? ((name: string, tenantId: string) => runTask(name, tenantId));
  const schedules = [
    ...(opts.schedules ?? JOB_SCHEDULES).map((s) => ({ name: s.job, kind: "job" as const, cron: s.cron, description: s.description, fire: () => enqueueJob(s) })),
    ...(opts.tasks ?? TASK_SCHEDULES).map((s) => ({ name: s.task, kind: "task" as const, cron: s.cron, description: s.description, fire: () => enqueueTask(s) })),
  ];
  const entries = schedules.map((s) => ({ s, parsed: parseSchedule(s.cron) as Schedule, at: null as Date | null, timer: undefined as NodeJS.Timeout | undefined }));

  const enqueueTask = (s: TaskSchedule) => {
    for (const tenantId of opts.tenants) {
      queue = queue.then(async () => {
        if (stopped) return;
        try {
          const r = await task(s.task, tenantId);
          if (!stopped && r.changed) out(`${r.summary} (${seconds(r.ms)})`);
        } catch (error) {
          if (!stopped) out(`${s.task} for ${tenantId} failed: ${(error as Error).message}`);
        }
      });
    }
  };
  const enqueueJob = (s: JobSchedule) => {
    for (const tenantId of opts.tenants) {
      for (const params of s.variants) {
        queue = queue.then(async () => {
          if (stopped) return;
          try {
            const r = await run(s.job, tenantId, params, undefined, s.fresh ? { fresh: true } : undefined);
            if (!stopped) out(`${tenantId}: ${r.summary} (${r.jobId}, ${seconds(r.ms)})`);
          } catch (error) {
            if (!stopped) out(`${[s.job, ...Object.values(params)].join(".")} for ${tenantId} failed: ${(error as Error).message}`);
          }
        });
      }
    }
  };
  const out = (line: string) => opts.out(`Schedule        ${line}`);

  const arm = (e: (typeof entries)[number], after: Date) => {
    if (stopped) return;
    e.at = nextFire(e.parsed, after, started);
    if (!e.at) return;
    const wait = () => {
      if (stopped) return;
      const left = e.at!.getTime() - now().getTime();
      if (left > 0) {
        e.timer = setTimeout(wait, Math.min(left, MAX_TIMER_MS));
        e.timer.unref?.();
        return;
      }
      e.s.fire();
      // From now, not from the missed time: after a sleep, one run, not one per missed time.
      arm(e, new Date(Math.max(e.at!.getTime(), now().getTime())));
    };
    wait();
  };
  for (const e of entries) arm(e, started);

  return {
    upcoming: () => entries.map((e) => ({ job: e.s.name, kind: e.s.kind, description: e.s.description, cron: e.s.cron, at: e.at })),
    idle: () => queue,
    stop() {
      stopped = true;
      for (const e of entries) clearTimeout(e.timer);
    },
  };
}
