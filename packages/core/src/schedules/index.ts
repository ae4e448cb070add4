/**
 * When each job runs: the one list the cloud (stacks/Jobs.ts: one EventBridge rule per schedule
 * and tenant) and the local scheduler (`npm start -- --schedules`) both read. No imports
 * beyond this folder, so the SST app can load it without the AWS SDK.
 */
export { nextFire, parseSchedule, type Schedule } from "./cron.js";

export interface JobSchedule {
  /** Registry name of the job. */
  job: string;
  /** EventBridge cron (UTC) or rate expression. */
  cron: string;
  /** What the cron means to a person. */
  description: string;
  /** One execution per variant (the job's parameter sets). */
  variants: Record<string, string>[];
  /**
   * Each run scans anew instead of resuming the as-of day's checkpoints: for jobs that run
   * more than once a day (their as-of day repeats). A run killed half-way is still resumed by
   * the cloud's per-segment retries; the next scheduled run starts over.
   */
  fresh?: boolean;
}

/** A task (packages/core/src/tasks) on a schedule: runs once per tenant each time. */
export interface TaskSchedule {
  /** Registry name of the task. */
  task: string;
  /** EventBridge cron (UTC) or rate expression. */
  cron: string;
  /** What the cron means to a person. */
  description: string;
}

export const TASK_SCHEDULES: TaskSchedule[] = [
  // Readers already see due items as published; this makes stored status, lists and counts catch up.
  { task: "content-publish", cron: "rate(1 minute)", description: "every minute" },
  // Readers already see the schedule applied; this keeps the campaigns' status lists in step.
  { task: "campaign-lifecycle", cron: "rate(1 minute)", description: "every minute" },
  // Readers already see a started reassignment's target as owner; this finishes a stopped mover.
  { task: "staff-reassign", cron: "rate(5 minutes)", description: "every 5 minutes" },
];

/** Every scheduled job; a new one adds its entry here. */
export const JOB_SCHEDULES: JobSchedule[] = [
  {
    job: "retention",
    // 02:00 Asia/Shanghai (UTC+8, no DST) = 18:00 UTC the day before; as-of is then "yesterday".
    cron: "cron(0 18 * * ? *)",
    description: "daily at 02:00 Asia/Shanghai",
    variants: [{ period: "WEEK" }, { period: "MONTH" }],
  },
  {
    job: "predictive-clv",
    // 02:30 Asia/Shanghai, after retention: as-of is "yesterday"; the default parameters (weeks,
    // 12 months, 1% a month) are the ones that write members' CLV items and the latest pointer.
    cron: "cron(30 18 * * ? *)",
    description: "daily at 02:30 Asia/Shanghai",
    variants: [{ unit: "WEEK", horizon: "12", discount: "0.01" }],
  },
  {
    job: "tiers",
    // 03:00 Asia/Shanghai, after predictive CLV (whose member CLV items CORE by prediction reads);
    // as-of "yesterday". If CLV is still running, tiers use the previous day's predictions.
    cron: "cron(0 19 * * ? *)",
    description: "daily at 03:00 Asia/Shanghai",
    variants: [{}],
  },
  {
    job: "kpi",
    // 03:30 Asia/Shanghai, after tiers (the last of the daily metrics): as-of "yesterday". It reads
    // only members, orders, refunds, events and spend, so it does not wait for the other jobs.
    cron: "cron(30 19 * * ? *)",
    description: "daily at 03:30 Asia/Shanghai",
    variants: [{}],
  },
  {
    job: "member-base",
    // 04:00 Asia/Shanghai, after predictive CLV (whose member CLV items give the average CLV) and
    // the KPI snapshot: as-of "yesterday". If CLV is still running, the previous day's predictions count.
    cron: "cron(0 20 * * ? *)",
    description: "daily at 04:00 Asia/Shanghai",
    variants: [{}],
  },
  {
    job: "segments",
    // Every active segment from one scan, at minute 5 of every hour (after the daily jobs'
    // slots at :00 and :30, so the 02:00-03:00 window is not doubled up).
    cron: "cron(5 * * * ? *)",
    description: "hourly at minute 5",
    variants: [{}],
    fresh: true,
  },
  {
    job: "journeys",
    // Every 15 minutes, at minutes 2, 17, 32, 47 (off the daily jobs' :00 and :30 slots). Each run
    // is for its own instant (`at`, part of its checkpoint key), so `fresh` only keeps a scan from
    // ever being reused; touches are idempotent by occurrence, so overlapping runs are harmless.
    cron: "cron(2/15 * * * ? *)",
    description: "every 15 minutes",
    variants: [{}],
    fresh: true,
  },
];
