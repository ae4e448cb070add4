import { Duration } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as pipes from "aws-cdk-lib/aws-pipes";
import type * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Stack, Table } from "sst/constructs";
import { alarmOnAny } from "./alarms.js";

/**
 * Journey touches for channel workers in the cloud. The `journeys` job writes each touch to the
 * table (the outbox, readable through GraphQL); an EventBridge Pipe reads the table's stream,
 * keeps only newly inserted touch items (`sk = TOUCH`) and sends each to the `Touches` SQS
 * queue. Channel workers (WeCom, SMS, ... senders, outside this repository) consume the queue and
 * report back with `reportTouchSent` / `reportTouchDelivery` / `reportTouchFailure`.
 *
 * Why the stream and not the job sending: the touch write and the message cannot be one
 * transaction, and a job that died between the two would leave a touch that its rerun skips
 * (it exists) and no worker ever sees. The stream delivers every committed insert at least
 * once; workers dedupe by touch id (reports are idempotent). Why a Pipe and not a Lambda: the
 * filter and the hop need no code, and the core stays free of the SQS SDK.
 *
 * Messages: `{ tenantId, touchId, campaignId, memberId, channel, trigger, occurrence, contentId }`;
 * the content itself is on the touch (`touch(id)` or the outbox). A message received 5 times
 * without being deleted moves to `TouchesDLQ` (14 days); records the pipe cannot deliver go
 * to the same DLQ; a message in the DLQ alarms to the jobs' SNS topic. Part of the Jobs stack
 * (`touchOutbox(...)` there), where the journeys job and the alarm topic live.
 */
export const TOUCH_QUEUE_RECEIVES = 5;

/** The stream record's fields the message carries (DynamoDB JSON paths of the new image). */
const FIELDS = ["tenantId", "touchId", "campaignId", "memberId", "channel", "trigger", "occurrence"] as const;
export const TOUCH_MESSAGE_TEMPLATE = `{${[...FIELDS.map((f) => `"${f}": <$.dynamodb.NewImage.${f}.S>`), `"contentId": <$.dynamodb.NewImage.content.M.contentId.S>`].join(", ")}}`;

export function touchOutbox(stack: Stack, table: Table, alarmTopic: sns.ITopic) {
  const dlq = new sqs.Queue(stack, "TouchesDLQ", { retentionPeriod: Duration.days(14), enforceSSL: true });
  const queue = new sqs.Queue(stack, "Touches", {
    // A worker has 2 minutes per message before another may take it.
    visibilityTimeout: Duration.minutes(2),
    retentionPeriod: Duration.days(4),
    enforceSSL: true,
    deadLetterQueue: { queue: dlq, maxReceiveCount: TOUCH_QUEUE_RECEIVES },
  });

  const streamArn = table.cdk.table.tableStreamArn;
  if (!streamArn) throw new Error("the table needs its stream for the touch pipe");
  const role = new iam.Role(stack, "TouchPipeRole", { assumedBy: new iam.ServicePrincipal("pipes.amazonaws.com") });
  table.cdk.table.grantStreamRead(role);
  queue.grantSendMessages(role);
  dlq.grantSendMessages(role);

  const pipe = new pipes.CfnPipe(stack, "TouchPipe", {
    roleArn: role.roleArn,
    source: streamArn,
    sourceParameters: {
      dynamoDbStreamParameters: {
        startingPosition: "LATEST",
        batchSize: 10,
        maximumRetryAttempts: 10,
        deadLetterConfig: { arn: dlq.queueArn },
      },
      // Only new touches: status changes and every other item kind stay out of the queue.
      filterCriteria: { filters: [{ pattern: JSON.stringify({ eventName: ["INSERT"], dynamodb: { Keys: { sk: { S: ["TOUCH"] } } } }) }] },
    },
    target: queue.queueArn,
    targetParameters: { inputTemplate: TOUCH_MESSAGE_TEMPLATE },
    description: "New journey touches (outbox items) → the Touches queue for channel workers",
  });

  alarmOnAny(stack, "TouchesDLQNotEmpty", dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum" }), "Journey touches that channel workers could not process (or the pipe could not queue)", alarmTopic);

  stack.addOutputs({ TouchQueueUrl: queue.queueUrl, TouchDeadLetterQueueUrl: dlq.queueUrl });
  return { queue, dlq, pipe };
}
