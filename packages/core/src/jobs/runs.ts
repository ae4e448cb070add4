import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { jobKeys } from "./keys.js";

/**
 * The run record: one item per (job, tenant, as-of date, segment count) in the run's partition,
 * updated as the run starts, resumes and ends, and listed per tenant (newest first) on gsi1.
 * Kept 90 days.
 */
export const RUN_TTL_SECONDS = 90 * 24 * 3600;

export type JobRunStatus = "RUNNING" | "SUCCEEDED" | "FAILED";

export interface JobRunRecord {
  tenantId: string;
  job: string;
  jobId: string;
  params: unknown;
  asOf: string;
  segments: number;
  status: JobRunStatus;
  /** Start of the latest attempt (a resumed run starts again). */
  startedAt: string;
  finishedAt?: string;
  /** Wall time of the latest attempt. */
  ms?: number;
  /** Attempts so far (1 for a clean run; each resume adds one). */
  attempts: number;
  /** Items behind the snapshot: the tenant's items of the job's kinds, over all segments. */
  itemsRead?: number;
  /** Items DynamoDB evaluated over all segments (other tenants' too). */
  itemsScanned?: number;
  /** Segments the latest attempt scanned, and those it took from checkpoints. */
  segmentsRun?: number;
  segmentsSkipped?: number;
  summary?: string;
  error?: string;
}

export interface RunIdentity {
  tenantId: string;
  job: string;
  jobId: string;
  params: unknown;
  asOf: string;
  segments: number;
}

const ttl = (now: Date) => Math.floor(now.getTime() / 1000) + RUN_TTL_SECONDS;

async function update(partition: string, set: Record<string, unknown>, add?: Record<string, number>, remove: string[] = []): Promise<void> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(set)
    .filter(([, v]) => v !== undefined)
    .map(([k, v], i) => {
      names[`#s${i}`] = k;
      values[`:s${i}`] = v;
      return `#s${i} = :s${i}`;
    });
  const adds = Object.entries(add ?? {}).map(([k, v], i) => {
    names[`#d${i}`] = k;
    values[`:d${i}`] = v;
    return `#d${i} :d${i}`;
  });
  const removes = remove.map((k, i) => {
    names[`#r${i}`] = k;
    return `#r${i}`;
  });
  const expression = [`SET ${sets.join(", ")}`, adds.length ? `ADD ${adds.join(", ")}` : "", removes.length ? `REMOVE ${removes.join(", ")}` : ""].filter(Boolean).join(" ");
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: jobKeys.run(partition),
      UpdateExpression: expression,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

export async function recordRunStarted(partition: string, id: RunIdentity, now = new Date()): Promise<void> {
  const startedAt = now.toISOString();
  await update(
    partition,
    {
      ...id,
      status: "RUNNING",
      startedAt,
      gsi1pk: jobKeys.runsOfTenant(id.tenantId),
      gsi1sk: jobKeys.runSort(startedAt, id.jobId),
      expiresAt: ttl(now),
    },
    { attempts: 1 },
    ["finishedAt", "ms", "error", "summary"],
  );
}

export async function recordRunFinished(
  partition: string,
  result: Pick<JobRunRecord, "itemsRead" | "itemsScanned" | "segmentsRun" | "segmentsSkipped" | "summary" | "ms">,
  now = new Date(),
): Promise<void> {
  await update(partition, { ...result, status: "SUCCEEDED", finishedAt: now.toISOString() });
}

export async function recordRunFailed(partition: string, error: unknown, ms: number | undefined, now = new Date()): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  await update(partition, { status: "FAILED", error: message.slice(0, 1000), finishedAt: now.toISOString(), ms });
}

export async function getRunRecord(partition: string): Promise<JobRunRecord | undefined> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: "pk = :pk AND sk = :sk",
      ExpressionAttributeValues: { ":pk": partition, ":sk": jobKeys.run(partition).sk },
      ConsistentRead: true,
    }),
  );
  return out.Items?.[0] ? clean(out.Items[0]) : undefined;
}

/** A tenant's job runs, newest first. */
export async function listJobRuns(tenantId: string, limit = 20): Promise<JobRunRecord[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": jobKeys.runsOfTenant(tenantId) },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map(clean);
}

function clean(item: Record<string, unknown>): JobRunRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, expiresAt: _e, ...rest } = item;
  return rest as unknown as JobRunRecord;
}
