import { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import * as tasks from "aws-cdk-lib/aws-stepfunctions-tasks";
import { Config, Function, type FunctionProps, type StackContext, use } from "sst/constructs";
import { JOB_SCHEDULES, TASK_SCHEDULES } from "../packages/core/src/schedules/index.js";
import { Database, personalDataEnvironment, personalDataPermission } from "./Database.js";
import { alarmOnAny } from "./alarms.js";
import { touchOutbox } from "./Outbox.js";

/**
 * Scheduled metrics jobs in the cloud: ONE parameterised Step Functions state machine runs any
 * job of the registry (`packages/core/src/jobs/registry.ts`) for one tenant:
 *
 *   Plan (Lambda: checks input, fixes as-of = yesterday in the tenant's zone, lists segments)
 *     → Segments (Map over 0..N-1, up to MAP_CONCURRENCY at once: the segment Lambda scans one
 *       parallel-Scan segment and checkpoints its partial in the table; retried on failure)
 *     → Finish (Lambda: merges the checkpoints, writes the snapshot, closes the run record)
 *   Any failure → RecordFailure (Lambda: run record FAILED) → Fail; alarms watch the machine.
 *
 * Execution input: `{ "tenantId": "demo", "job": "retention", "params": { "period": "WEEK" } }`
 * (+ optional `asOf` YYYY-MM-DD and `segments`, default 16). Starting it again with the same
 * input and as-of date resumes: checkpointed segments are skipped (or use Step Functions redrive).
 *
 * Schedules: one EventBridge rule per job schedule and tenant, whose targets start the machine
 * once per variant (retention: WEEK and MONTH). The tenant list is, for now, a deploy-time
 * setting: `TENANTS` (comma separated) in the deploying shell, recorded as the SST Config
 * parameter `TENANTS`. A tenant registry and a dispatcher Lambda will replace it.
 */

export const JOB_HANDLERS = {
  plan: "packages/functions/src/jobs/plan.handler",
  segment: "packages/functions/src/jobs/segment.handler",
  finish: "packages/functions/src/jobs/finish.handler",
  failed: "packages/functions/src/jobs/finish.failed",
} as const;

/** The one function that runs scheduled tasks (not a step of the state machine). */
export const TASK_HANDLER = "packages/functions/src/jobs/task.handler";

/** Segment Lambdas running at once per execution (DynamoDB read capacity is on demand). */
export const MAP_CONCURRENCY = 16;

/**
 * The schedules (job, cron, variants) live in core, where the local scheduler of `npm start --
 * --schedules` reads the same list; re-exported here for the stack and its tests.
 */
export { JOB_SCHEDULES, TASK_SCHEDULES, type JobSchedule, type TaskSchedule } from "../packages/core/src/schedules/index.js";

const TENANT = /^[A-Za-z0-9_-]{1,64}$/;

/** Tenants to schedule, from TENANTS (comma separated) at deploy time. */
export function scheduledTenants(raw = process.env.TENANTS): string[] {
  const tenants = (raw ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of tenants) if (!TENANT.test(t)) throw new Error(`TENANTS: "${t}" is not a tenant id (1-64 letters, digits, _ or -)`);
  return [...new Set(tenants)];
}

export function Jobs({ stack }: StackContext) {
  const { table, personalDataKey } = use(Database);
  const tenants = scheduledTenants();
  const tenantsParameter = new Config.Parameter(stack, "TENANTS", { value: tenants.join(",") || "-" });

  const common = (props: Partial<FunctionProps>): FunctionProps => ({
    runtime: "nodejs20.x",
    architecture: "arm_64",
    bind: [table],
    // Jobs and tasks write members too (tiers, journeys' consent checks, segment tags): they read and write phone/email through the same keys.
    permissions: [personalDataPermission(personalDataKey)],
    environment: { TABLE_NAME: table.tableName, STAGE: stack.stage, NODE_OPTIONS: "--enable-source-maps", ...personalDataEnvironment(personalDataKey) },
    // As in the Api stack: ESM with a source map, and no `banner` (SST adds its own `require`).
    nodejs: { format: "esm", minify: true, sourcemap: true },
    ...props,
  });
  const plan = new Function(stack, "JobPlan", common({ handler: JOB_HANDLERS.plan, timeout: "30 seconds", memorySize: "512 MB" }));
  // A segment of a big tenant scans for minutes; 1769 MB is one full vCPU.
  const segment = new Function(stack, "JobSegment", common({ handler: JOB_HANDLERS.segment, timeout: "15 minutes", memorySize: "1769 MB" }));
  // Finish holds the merged partial (bounded by members) plus one segment's at a time.
  const finish = new Function(stack, "JobFinish", common({ handler: JOB_HANDLERS.finish, timeout: "15 minutes", memorySize: "3008 MB" }));
  const failed = new Function(stack, "JobFailed", common({ handler: JOB_HANDLERS.failed, timeout: "30 seconds", memorySize: "256 MB" }));
  // Tasks (content publishing, ...) read by key and finish in seconds; one function runs them all.
  const task = new Function(stack, "TaskRunner", common({ handler: TASK_HANDLER, timeout: "1 minute", memorySize: "512 MB" }));

  // LambdaInvoke already retries Lambda service errors (6 attempts); this adds the function's own
  // failures (a throttled scan, a timeout), which a rerun of the segment can fix.
  const retryTransient = (task: tasks.LambdaInvoke) =>
    task.addRetry({
      errors: ["States.TaskFailed", "States.Timeout"],
      interval: Duration.seconds(10),
      maxAttempts: 3,
      backoffRate: 2,
    });

  const planStep = retryTransient(new tasks.LambdaInvoke(stack, "Plan", { lambdaFunction: plan, payloadResponseOnly: true }));
  const segmentStep = retryTransient(
    new tasks.LambdaInvoke(stack, "ScanSegment", { lambdaFunction: segment, payloadResponseOnly: true, taskTimeout: sfn.Timeout.duration(Duration.minutes(16)) }),
  );
  const segments = new sfn.Map(stack, "Segments", {
    itemsPath: sfn.JsonPath.stringAt("$.segmentList"),
    maxConcurrency: MAP_CONCURRENCY,
    itemSelector: {
      "tenantId.$": "$.tenantId",
      "job.$": "$.job",
      "params.$": "$.params",
      "asOf.$": "$.asOf",
      "segments.$": "$.segments",
      "segment.$": "$$.Map.Item.Value",
    },
    // Segment stats are in the checkpoints; keep the plan output as the state.
    resultPath: sfn.JsonPath.DISCARD,
  });
  segments.itemProcessor(segmentStep);
  const finishStep = retryTransient(new tasks.LambdaInvoke(stack, "Finish", { lambdaFunction: finish, payloadResponseOnly: true, resultPath: "$.result" }));
  const recordFailure = new tasks.LambdaInvoke(stack, "RecordFailure", { lambdaFunction: failed, payloadResponseOnly: true, resultPath: sfn.JsonPath.DISCARD }).next(
    new sfn.Fail(stack, "JobFailedState", { error: "JobFailed", cause: "A step of the job failed; see the run record and the execution history" }),
  );
  for (const step of [segments, finishStep]) step.addCatch(recordFailure, { resultPath: "$.error" });
  planStep.addCatch(new sfn.Fail(stack, "PlanFailed", { error: "PlanFailed", cause: "The job input was refused or the plan step failed" }));

  const machine = new sfn.StateMachine(stack, "JobMachine", {
    definitionBody: sfn.DefinitionBody.fromChainable(planStep.next(segments).next(finishStep)),
    timeout: Duration.hours(6),
    comment: "Runs one metrics job for one tenant: plan, one Lambda per parallel-Scan segment, merge and write.",
  });

  // Alarms: any failed, timed-out or aborted execution in a 5-minute window.
  const alarmTopic = new sns.Topic(stack, "JobAlarms", { displayName: "Metrics job failures" });
  if (process.env.ALARM_EMAIL?.trim()) alarmTopic.addSubscription(new subscriptions.EmailSubscription(process.env.ALARM_EMAIL.trim()));
  const alarms = [
    ["JobExecutionsFailed", machine.metricFailed({ period: Duration.minutes(5), statistic: "Sum" })],
    ["JobExecutionsTimedOut", machine.metricTimedOut({ period: Duration.minutes(5), statistic: "Sum" })],
    ["JobExecutionsAborted", machine.metricAborted({ period: Duration.minutes(5), statistic: "Sum" })],
  ] as const;
  for (const [id, metric] of alarms) {
    alarmOnAny(stack, id, metric, `Metrics job executions: ${id.replace(/^JobExecutions/, "").toLowerCase()} (state machine ${machine.node.id})`, alarmTopic);
  }

  // One rule per schedule and tenant; each target starts one execution (one variant).
  for (const schedule of JOB_SCHEDULES) {
    for (const tenantId of tenants) {
      const rule = new events.Rule(stack, `Schedule-${schedule.job}-${tenantId}`, {
        schedule: events.Schedule.expression(schedule.cron),
        description: `${schedule.job} for ${tenantId}, ${schedule.description}`,
      });
      for (const params of schedule.variants) {
        const input = { tenantId, job: schedule.job, params, ...(schedule.fresh ? { fresh: true } : {}) };
        rule.addTarget(new targets.SfnStateMachine(machine, { input: events.RuleTargetInput.fromObject(input), retryAttempts: 3 }));
      }
    }
  }

  // Tasks: one rule per task schedule and tenant, invoking the task function directly.
  for (const schedule of TASK_SCHEDULES) {
    for (const tenantId of tenants) {
      const rule = new events.Rule(stack, `Task-${schedule.task}-${tenantId}`, {
        schedule: events.Schedule.expression(schedule.cron),
        description: `${schedule.task} for ${tenantId}, ${schedule.description}`,
      });
      rule.addTarget(new targets.LambdaFunction(task, { event: events.RuleTargetInput.fromObject({ tenantId, task: schedule.task }), retryAttempts: 2 }));
    }
  }
  alarmOnAny(stack, "TaskErrors", task.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }), "Scheduled tasks (content publishing, ...): a run failed", alarmTopic);

  // Journey touches: table stream → pipe → SQS queue (with DLQ) for channel workers (stacks/Outbox.ts).
  const outbox = touchOutbox(stack, table, alarmTopic);

  stack.addOutputs({ JobStateMachineArn: machine.stateMachineArn, JobAlarmTopicArn: alarmTopic.topicArn });
  return { machine, alarmTopic, tenantsParameter, outbox, functions: { plan, segment, finish, failed, task } };
}
