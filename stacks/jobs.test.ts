/**
 * Offline synthesis of the Jobs stack (with the Database stack it uses), the same way
 * stacks.test.ts does it: no AWS account, no credentials; handlers are bundled for real.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rmSync } from "node:fs";
import { Match, Template } from "aws-cdk-lib/assertions";
import { App, getStack } from "sst/constructs";
import { initProject, useProject } from "sst/project.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "./Database.js";
import { JOB_HANDLERS, JOB_SCHEDULES, Jobs, MAP_CONCURRENCY, scheduledTenants, TASK_HANDLER, TASK_SCHEDULES } from "./Jobs.js";
import { applyAppDefaults } from "./defaults.js";
import { TOUCH_MESSAGE_TEMPLATE, TOUCH_QUEUE_RECEIVES } from "./Outbox.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const saved = { TENANTS: process.env.TENANTS, ALARM_EMAIL: process.env.ALARM_EMAIL };

let jobs: Template;
let database: Template;

beforeAll(async () => {
  if (process.cwd() !== ROOT) process.chdir(ROOT);
  process.env.NODE_ENV = "test"; // keeps App/Function from looking up the bootstrap stack in AWS
  await initProject({ stage: "jobs-test", region: "ap-southeast-1" });
  Object.assign(process.env, { TENANTS: "demo, brand-2,demo", ALARM_EMAIL: "ops@example.test" });
  const project = useProject();
  const outdir = path.join(ROOT, ".sst", "synth-test", "jobs-test");
  rmSync(outdir, { recursive: true, force: true });
  const app = new App({ mode: "deploy", name: project.config.name, stage: "jobs-test", region: project.config.region, account: "123456789012" }, { outdir });
  applyAppDefaults(app);
  app.stack(Database);
  app.stack(Jobs);
  await app.finish();
  database = Template.fromStack(getStack(Database));
  jobs = Template.fromStack(getStack(Jobs));
}, 180_000);

afterAll(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/** The state machine's Amazon States Language, with CloudFormation tokens replaced by "<ref>". */
function definition(): { StartAt: string; States: Record<string, any> } {
  const [machine] = Object.values(jobs.findResources("AWS::StepFunctions::StateMachine"));
  const body = machine?.Properties.DefinitionString;
  const text = typeof body === "string" ? body : (body["Fn::Join"][1] as unknown[]).map((part) => (typeof part === "string" ? part : "<ref>")).join("");
  return JSON.parse(text);
}

/** Logical id of the Lambda function whose handler is `handler`. */
function functionId(handler: string): string {
  const found = Object.entries(jobs.findResources("AWS::Lambda::Function")).find(([, r]) => r.Properties.Handler === handler);
  if (!found) throw new Error(`no function with handler ${handler}`);
  return found[0];
}

describe("Jobs stack", () => {
  it("has one state machine: Plan → Map over segments (segment Lambda) → Finish, failures recorded", () => {
    jobs.resourceCountIs("AWS::StepFunctions::StateMachine", 1);
    const asl = definition();
    expect(asl.StartAt).toBe("Plan");
    expect(asl.States.Plan).toMatchObject({ Type: "Task", Next: "Segments" });
    const map = asl.States.Segments;
    expect(map).toMatchObject({ Type: "Map", ItemsPath: "$.segmentList", MaxConcurrency: MAP_CONCURRENCY, ResultPath: null, Next: "Finish" });
    expect(map.ItemSelector).toEqual({
      "tenantId.$": "$.tenantId",
      "job.$": "$.job",
      "params.$": "$.params",
      "asOf.$": "$.asOf",
      "segments.$": "$.segments",
      "segment.$": "$$.Map.Item.Value",
    });
    expect(map.ItemProcessor.StartAt).toBe("ScanSegment");
    expect(map.ItemProcessor.States.ScanSegment).toMatchObject({ Type: "Task", Resource: "<ref>", End: true, TimeoutSeconds: 960 });
    expect(map.ItemProcessor.States.ScanSegment.Retry).toEqual(
      expect.arrayContaining([expect.objectContaining({ ErrorEquals: ["States.TaskFailed", "States.Timeout"], MaxAttempts: 3, BackoffRate: 2, IntervalSeconds: 10 })]),
    );
    expect(map.Catch[0]).toMatchObject({ ErrorEquals: ["States.ALL"], Next: "RecordFailure", ResultPath: "$.error" });
    expect(asl.States.Finish).toMatchObject({ Type: "Task", End: true, ResultPath: "$.result" });
    expect(asl.States.RecordFailure).toMatchObject({ Type: "Task", Next: "JobFailedState" });
    expect(asl.States.JobFailedState).toMatchObject({ Type: "Fail", Error: "JobFailed" });
  });

  it("runs the plan, segment, finish and failure Lambdas from packages/functions/src/jobs", () => {
    jobs.hasResourceProperties("AWS::Lambda::Function", { Handler: JOB_HANDLERS.segment, Runtime: "nodejs20.x", Architectures: ["arm64"], Timeout: 900, MemorySize: 1769 });
    jobs.hasResourceProperties("AWS::Lambda::Function", { Handler: JOB_HANDLERS.finish, Timeout: 900, MemorySize: 3008 });
    jobs.hasResourceProperties("AWS::Lambda::Function", { Handler: JOB_HANDLERS.plan, Timeout: 30 });
    jobs.hasResourceProperties("AWS::Lambda::Function", { Handler: JOB_HANDLERS.failed, Timeout: 30 });
    // The state machine's role may invoke each of them.
    const invoked = JSON.stringify(Object.values(jobs.findResources("AWS::IAM::Policy")).map((p) => p.Properties.PolicyDocument.Statement));
    for (const handler of Object.values(JOB_HANDLERS)) expect(invoked).toContain(functionId(handler));
    expect(invoked).toContain("lambda:InvokeFunction");
    // Bundled for real: the segment handler's bundle exists.
    const segmentFn = jobs.findResources("AWS::Lambda::Function")[functionId(JOB_HANDLERS.segment)];
    const asset = path.join(ROOT, ".sst", "synth-test", "jobs-test", `asset.${String(segmentFn?.Properties.Code.S3Key).replace(/\.zip$/, "")}`);
    expect(existsSync(path.join(asset, "packages/functions/src/jobs/segment.mjs"))).toBe(true);
  });

  it("grants every job Lambda DynamoDB on the table and its indexes, and the personal-data key, with TABLE_NAME and PII_KMS_KEY_ID set", () => {
    const [tableId] = Object.keys(database.findResources("AWS::DynamoDB::Table"));
    const outputs = database.findOutputs("*");
    const exportOf = (value: unknown) => Object.values(outputs).find((o) => JSON.stringify(o.Value) === JSON.stringify(value))?.Export?.Name as string;
    const tableArn = { "Fn::ImportValue": exportOf({ "Fn::GetAtt": [tableId, "Arn"] }) };
    const tableName = { "Fn::ImportValue": exportOf({ Ref: tableId }) };
    const [keyId] = Object.keys(database.findResources("AWS::KMS::Key"));
    const keyArn = { "Fn::ImportValue": exportOf({ "Fn::GetAtt": [keyId, "Arn"] }) };
    const policies = Object.values(jobs.findResources("AWS::IAM::Policy"));
    for (const handler of [...Object.values(JOB_HANDLERS), TASK_HANDLER]) {
      const fn = jobs.findResources("AWS::Lambda::Function")[functionId(handler)]!;
      expect(fn.Properties.Environment.Variables).toMatchObject({ TABLE_NAME: tableName, STAGE: "jobs-test", PII_KMS_KEY_ID: keyArn });
      const role = fn.Properties.Role["Fn::GetAtt"][0];
      const policy = policies.find((p) => JSON.stringify(p.Properties.Roles).includes(role));
      expect(policy?.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Action: "dynamodb:*", Effect: "Allow", Resource: [tableArn, { "Fn::Join": ["", [tableArn, "/*"]] }] }),
          { Action: ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"], Effect: "Allow", Resource: keyArn },
        ]),
      );
    }
  });

  it("starts retention daily at 18:00 UTC (02:00 Shanghai) for each tenant in TENANTS, one execution per period", () => {
    const rules = Object.values(jobs.findResources("AWS::Events::Rule")).filter((r) => r.Properties.Description.startsWith("retention for "));
    expect(rules).toHaveLength(2); // "demo" once, "brand-2"
    for (const tenantId of ["demo", "brand-2"]) {
      const rule = rules.find((r) => r.Properties.Description.startsWith(`retention for ${tenantId},`));
      expect(rule?.Properties).toMatchObject({ ScheduleExpression: "cron(0 18 * * ? *)", State: "ENABLED" });
      expect(rule!.Properties.Targets.map((t: { Input: string }) => JSON.parse(t.Input))).toEqual([
        { tenantId, job: "retention", params: { period: "WEEK" } },
        { tenantId, job: "retention", params: { period: "MONTH" } },
      ]);
      expect(rule!.Properties.Targets[0].Arn).toEqual({ Ref: Object.keys(jobs.findResources("AWS::StepFunctions::StateMachine"))[0] });
    }
    expect(JOB_SCHEDULES.map((s) => s.job)).toEqual(["retention", "predictive-clv", "tiers", "kpi", "member-base", "segments", "journeys"]);
    // EventBridge may start the machine.
    jobs.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: "states:StartExecution", Effect: "Allow" })]) },
    });
  });

  it("starts tiers daily at 19:00 UTC (03:00 Shanghai, after CLV) for each tenant, one execution without parameters", () => {
    const rules = Object.values(jobs.findResources("AWS::Events::Rule")).filter((r) => r.Properties.Description.startsWith("tiers for "));
    expect(rules.map((r) => r.Properties.Description).sort()).toEqual(["tiers for brand-2, daily at 03:00 Asia/Shanghai", "tiers for demo, daily at 03:00 Asia/Shanghai"]);
    for (const rule of rules) {
      const tenantId = /^tiers for ([^,]+),/.exec(rule.Properties.Description)![1];
      expect(rule.Properties.ScheduleExpression).toBe("cron(0 19 * * ? *)");
      expect(rule.Properties.Targets.map((t: { Input: string }) => JSON.parse(t.Input))).toEqual([{ tenantId, job: "tiers", params: {} }]);
    }
  });

  it("refreshes every segment hourly, each run scanning anew (fresh), for each tenant", () => {
    const rules = Object.values(jobs.findResources("AWS::Events::Rule")).filter((r) => r.Properties.Description.startsWith("segments for "));
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      const tenantId = /^segments for ([^,]+),/.exec(rule.Properties.Description)![1];
      expect(rule.Properties.ScheduleExpression).toBe("cron(5 * * * ? *)");
      expect(rule.Properties.Targets.map((t: { Input: string }) => JSON.parse(t.Input))).toEqual([{ tenantId, job: "segments", params: {}, fresh: true }]);
    }
  });

  it("runs the journeys every 15 minutes for each tenant, each run for its own instant and scanning anew", () => {
    expect(JOB_SCHEDULES.find((s) => s.job === "journeys")).toEqual({ job: "journeys", cron: "cron(2/15 * * * ? *)", description: "every 15 minutes", variants: [{}], fresh: true });
    const rules = Object.values(jobs.findResources("AWS::Events::Rule")).filter((r) => r.Properties.Description.startsWith("journeys for "));
    expect(rules.map((r) => r.Properties.Description).sort()).toEqual(["journeys for brand-2, every 15 minutes", "journeys for demo, every 15 minutes"]);
    for (const rule of rules) {
      const tenantId = /^journeys for ([^,]+),/.exec(rule.Properties.Description)![1];
      expect(rule.Properties).toMatchObject({ ScheduleExpression: "cron(2/15 * * * ? *)", State: "ENABLED" });
      // No `at`: the plan step fixes the run instant once for the whole execution.
      expect(rule.Properties.Targets.map((t: { Input: string }) => JSON.parse(t.Input))).toEqual([{ tenantId, job: "journeys", params: {}, fresh: true }]);
    }
  });

  it("queues every new journey touch for channel workers: table stream → pipe (INSERT of sk TOUCH) → SQS with a DLQ and an alarm", () => {
    jobs.resourceCountIs("AWS::SQS::Queue", 2);
    const queues = jobs.findResources("AWS::SQS::Queue");
    const [queueId, queue] = Object.entries(queues).find(([id]) => id.startsWith("Touches") && !id.startsWith("TouchesDLQ"))!;
    const [dlqId, dlq] = Object.entries(queues).find(([id]) => id.startsWith("TouchesDLQ"))!;
    expect(queue.Properties).toMatchObject({ VisibilityTimeout: 120, MessageRetentionPeriod: 4 * 86400, RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [dlqId, "Arn"] }, maxReceiveCount: TOUCH_QUEUE_RECEIVES } });
    expect(dlq.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 86400 });

    const [pipe] = Object.values(jobs.findResources("AWS::Pipes::Pipe"));
    expect(pipe!.Properties.Target).toEqual({ "Fn::GetAtt": [queueId, "Arn"] });
    expect(pipe!.Properties.TargetParameters).toEqual({ InputTemplate: TOUCH_MESSAGE_TEMPLATE });
    expect(TOUCH_MESSAGE_TEMPLATE).toContain('"touchId": <$.dynamodb.NewImage.touchId.S>');
    const source = pipe!.Properties.SourceParameters;
    expect(source.DynamoDBStreamParameters).toMatchObject({ StartingPosition: "LATEST", DeadLetterConfig: { Arn: { "Fn::GetAtt": [dlqId, "Arn"] } } });
    expect(source.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual([{ eventName: ["INSERT"], dynamodb: { Keys: { sk: { S: ["TOUCH"] } } } }]);
    // The pipe's source is the table's stream (from the Database stack, whose table has one).
    expect(JSON.stringify(pipe!.Properties.Source)).toContain("StreamArn");
    database.hasResourceProperties("AWS::DynamoDB::Table", { StreamSpecification: { StreamViewType: "NEW_AND_OLD_IMAGES" } });

    // Its role may read the stream and send to both queues, nothing more.
    const roleId = (pipe!.Properties.RoleArn as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0];
    jobs.hasResourceProperties("AWS::IAM::Role", { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: "pipes.amazonaws.com" } })] } });
    const policies = Object.values(jobs.findResources("AWS::IAM::Policy")).filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId));
    const actions = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((st: { Action: string | string[] }) => [st.Action].flat())).sort();
    expect(new Set(actions)).toEqual(new Set(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"]));

    jobs.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "ApproximateNumberOfMessagesVisible", Namespace: "AWS/SQS", Threshold: 1, AlarmActions: [{ Ref: Match.stringLikeRegexp("^JobAlarms") }] });
    jobs.hasOutput("TouchQueueUrl", {});
  });

  it("runs the content publisher every minute per tenant on the task function, with an error alarm", () => {
    expect(TASK_SCHEDULES).toEqual([
      { task: "content-publish", cron: "rate(1 minute)", description: "every minute" },
      { task: "campaign-lifecycle", cron: "rate(1 minute)", description: "every minute" },
      { task: "staff-reassign", cron: "rate(5 minutes)", description: "every 5 minutes" },
    ]);
    expect(Object.values(jobs.findResources("AWS::Events::Rule")).filter((r) => r.Properties.Description.startsWith("campaign-lifecycle for "))).toHaveLength(2);
    expect(Object.values(jobs.findResources("AWS::Events::Rule")).filter((r) => r.Properties.Description.startsWith("staff-reassign for "))).toHaveLength(2);
    const rules = Object.values(jobs.findResources("AWS::Events::Rule")).filter((r) => r.Properties.Description.startsWith("content-publish for "));
    expect(rules).toHaveLength(2);
    const taskFn = functionId(TASK_HANDLER);
    for (const rule of rules) {
      const tenantId = /^content-publish for ([^,]+),/.exec(rule.Properties.Description)![1];
      expect(rule.Properties.ScheduleExpression).toBe("rate(1 minute)");
      expect(rule.Properties.Targets).toHaveLength(1);
      expect(JSON.parse(rule.Properties.Targets[0].Input)).toEqual({ tenantId, task: "content-publish" });
      expect(rule.Properties.Targets[0].Arn).toEqual({ "Fn::GetAtt": [taskFn, "Arn"] });
    }
    jobs.hasResourceProperties("AWS::Lambda::Permission", { Action: "lambda:InvokeFunction", Principal: "events.amazonaws.com", FunctionName: { "Fn::GetAtt": [taskFn, "Arn"] } });
    jobs.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "Errors", Namespace: "AWS/Lambda", Threshold: 1, AlarmActions: [{ Ref: Match.stringLikeRegexp("^JobAlarms") }] });
  });

  it("starts the KPI snapshot daily at 19:30 UTC (03:30 Shanghai, after tiers) for each tenant, one execution without parameters", () => {
    const rules = Object.values(jobs.findResources("AWS::Events::Rule")).filter((r) => r.Properties.Description.startsWith("kpi for "));
    expect(rules.map((r) => r.Properties.Description).sort()).toEqual(["kpi for brand-2, daily at 03:30 Asia/Shanghai", "kpi for demo, daily at 03:30 Asia/Shanghai"]);
    for (const rule of rules) {
      const tenantId = /^kpi for ([^,]+),/.exec(rule.Properties.Description)![1];
      expect(rule.Properties).toMatchObject({ ScheduleExpression: "cron(30 19 * * ? *)", State: "ENABLED" });
      expect(rule.Properties.Targets.map((t: { Input: string }) => JSON.parse(t.Input))).toEqual([{ tenantId, job: "kpi", params: {} }]);
    }
  });

  it("starts the member-base analytics daily at 20:00 UTC (04:00 Shanghai, after CLV and the KPIs) for each tenant, one execution without parameters", () => {
    const rules = Object.values(jobs.findResources("AWS::Events::Rule")).filter((r) => r.Properties.Description.startsWith("member-base for "));
    expect(rules.map((r) => r.Properties.Description).sort()).toEqual(["member-base for brand-2, daily at 04:00 Asia/Shanghai", "member-base for demo, daily at 04:00 Asia/Shanghai"]);
    for (const rule of rules) {
      const tenantId = /^member-base for ([^,]+),/.exec(rule.Properties.Description)![1];
      expect(rule.Properties).toMatchObject({ ScheduleExpression: "cron(0 20 * * ? *)", State: "ENABLED" });
      expect(rule.Properties.Targets.map((t: { Input: string }) => JSON.parse(t.Input))).toEqual([{ tenantId, job: "member-base", params: {} }]);
    }
  });

  it("alarms on failed, timed-out and aborted executions, to an SNS topic", () => {
    for (const metric of ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"]) {
      jobs.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: metric,
        Namespace: "AWS/States",
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
        AlarmActions: [{ Ref: Match.stringLikeRegexp("^JobAlarms") }],
      });
    }
    jobs.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: "ops@example.test" });
    jobs.hasOutput("JobStateMachineArn", {});
  });

  it("reads TENANTS as a list of tenant ids", () => {
    expect(scheduledTenants("")).toEqual([]);
    expect(scheduledTenants(" a, b ,,a")).toEqual(["a", "b"]);
    expect(() => scheduledTenants("a#b")).toThrow(/TENANTS/);
  });
});
