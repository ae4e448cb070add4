import { applyCampaignSchedules } from "../campaign/status.js";
import { publishDueContent } from "../content/publish.js";
import { ValidationError } from "../shared/errors.js";
import { resumeReassignments } from "../staff/reassign.js";

/**
 * Tasks: small scheduled chores that read by key (a Query over one list), unlike jobs, which
 * scan the table in segments. Each runs for one tenant, is rerun-safe, and answers with a
 * one-line summary. The cloud runs them from one Lambda on EventBridge rules
 * (`TASK_SCHEDULES`), `npm start -- --schedules` on timers, a person with
 * `npm run jobs -- <task> --tenant <id>`.
 */
export interface Task {
  name: string;
  description: string;
  run(tenantId: string, now?: Date): Promise<TaskResult>;
}

export interface TaskResult {
  task: string;
  tenantId: string;
  /** Whether the run changed anything (schedulers only log runs that did). */
  changed: boolean;
  summary: string;
  ms: number;
}

const TASKS = new Map<string, Task>();

function registerTask(task: Task): void {
  if (TASKS.has(task.name)) throw new Error(`a task named "${task.name}" is already registered`);
  TASKS.set(task.name, task);
}

export const taskNames = (): string[] => [...TASKS.keys()].sort();
export const isTask = (name: string): boolean => TASKS.has(name);

export function getTask(name: string): Task {
  const task = TASKS.get(name);
  if (!task) throw new ValidationError(`unknown task "${name}": use ${taskNames().join(", ")}`, "task");
  return task;
}

export async function runTask(name: string, tenantId: string, now?: Date): Promise<TaskResult> {
  return getTask(name).run(tenantId, now);
}

/** A few ids for a summary line. */
const some = (ids: string[]) => (ids.length > 0 ? `: ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", …" : ""}` : "");

/** Registers a task from its work; timing and the result's shape are the same for every task. */
function defineTask(name: string, description: string, work: (tenantId: string, now?: Date) => Promise<{ changed: boolean; summary: string }>): void {
  registerTask({
    name,
    description,
    async run(tenantId, now) {
      const started = performance.now();
      const { changed, summary } = await work(tenantId, now);
      return { task: name, tenantId, changed, summary: `${name} for ${tenantId}: ${summary}`, ms: Math.round(performance.now() - started) };
    },
  });
}

defineTask("content-publish", "publish scheduled content items whose time has come", async (tenantId, now) => {
  const r = await publishDueContent(tenantId, now);
  return { changed: r.published > 0, summary: `${r.published} of ${r.due} due item(s) published${some(r.contentIds)}` };
});

defineTask("campaign-lifecycle", "start scheduled campaigns and end live ones as their schedule says", async (tenantId, now) => {
  const r = await applyCampaignSchedules(tenantId, now);
  return { changed: r.started.length + r.ended.length > 0, summary: `${r.started.length} started, ${r.ended.length} ended${some([...r.started, ...r.ended])}` };
});

defineTask("staff-reassign", "finish bulk staff reassignments whose mover stopped (readers already see the new owner)", async (tenantId) => {
  const r = await resumeReassignments(tenantId);
  return { changed: r.resumed.length > 0, summary: `${r.resumed.length} reassignment(s) finished${some(r.resumed)}` };
});
