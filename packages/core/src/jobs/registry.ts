import { retentionJob } from "../metrics/retention/job.js";
import { clvJob } from "../metrics/clv-job/job.js";
import { tiersJob } from "../metrics/tiers/job.js";
import { kpiJob } from "../metrics/kpi/job.js";
import { memberBaseJob } from "../metrics/member-base/job.js";
import { segmentsJob } from "../segment/job.js";
import { journeysJob } from "../journey/job.js";
import type { AnyJob } from "./job.js";
import { ValidationError } from "../shared/errors.js";

/**
 * Every job, by name. The CLI (`npm run jobs -- <name>`), the worker threads, GraphQL's
 * `runMetricsJob` and the cloud's segment and finish Lambdas find jobs here, so a new job
 * plugs in with one `registerJob` line below (and, for the schedule, a line in stacks/Jobs.ts).
 */
const JOBS = new Map<string, AnyJob>();

export function registerJob(job: AnyJob): void {
  const existing = JOBS.get(job.name);
  if (existing && existing !== job) throw new Error(`a job named "${job.name}" is already registered`);
  JOBS.set(job.name, job);
}

export function getJob(name: string): AnyJob {
  const job = JOBS.get(name);
  if (!job) throw new ValidationError(`unknown job "${name}": use ${jobNames().join(", ")}`, "job");
  return job;
}

export function jobNames(): string[] {
  return [...JOBS.keys()].sort();
}

registerJob(retentionJob);
registerJob(clvJob);
registerJob(tiersJob);
registerJob(kpiJob);
registerJob(memberBaseJob);
registerJob(segmentsJob);
registerJob(journeysJob);
