import { applyCampaignSchedules } from "../campaign/status.js";
import { publishDueContent } from "../content/publish.js";
import { ValidationError } from "../shared/errors.js";

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

registerTask({
  name: "content-publish",
  description: "publish scheduled content items whose time has come",
  async run(tenantId, now) {
    const started = performance.now();
    const r = await publishDueContent(tenantId, now);
    const list = r.contentIds.length > 0 ? `: ${r.contentIds.slice(0, 5).join(", ")}${r.contentIds.length > 5 ? ", …" : ""}` : "";
    return {
      task: "content-publish",
      tenantId,
      changed: r.published > 0,
      summary: `content-publish for ${tenantId}: ${r.published} of ${r.due} due item(s) published${list}`,
      ms: Math.round(performance.now() - started),
    };
  },
});

registerTask({
  name: "campaign-lifecycle",
  description: "start scheduled campaigns and end live ones as their schedule says",
  async run(tenantId, now) {
    const started = performance.now();
    const r = await applyCampaignSchedules(tenantId, now);
    const changed = r.started.length + r.ended.length > 0;
    return {
      task: "campaign-lifecycle",
      tenantId,
      changed,
      summary: `campaign-lifecycle for ${tenantId}: ${r.started.length} started, ${r.ended.length} ended${changed ? `: ${[...r.started, ...r.ended].slice(0, 5).join(", ")}` : ""}`,
      ms: Math.round(performance.now() - started),
    };
  },
});
