import { runTask, type TaskResult } from "@growth/core/tasks";

/** What an EventBridge rule sends the task Lambda: `{ "tenantId": "demo", "task": "content-publish" }`. */
export interface TaskInput {
  tenantId: string;
  task: string;
}

/** Runs one task for one tenant (TASK_SCHEDULES); a failure throws, so the rule's retries and the alarm see it. */
export async function handler(input: TaskInput): Promise<TaskResult> {
  const result = await runTask(input.task, input.tenantId);
  if (result.changed) console.log(result.summary);
  return result;
}
