import { gunzipSync, gzipSync } from "node:zlib";
import { BatchWriteCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { batchPut } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { backoff } from "../db/transact.js";
import { newId } from "../shared/ids.js";
import { jobKeys } from "./keys.js";

/**
 * Segment checkpoints: a finished segment's encoded partial, stored in the run's partition as
 * gzip + base64 text cut into chunks (DynamoDB items stop at 400 KB), with a 7-day TTL.
 *
 * The chunks of one segment are written with BatchWriteItem, which is not atomic, so each write
 * carries an `attempt` id and the chunk count: a segment counts as checkpointed only when every
 * chunk of one attempt is there. A crash half-way through writing leaves an incomplete attempt,
 * which is ignored and overwritten by the rerun.
 */

/** Characters of base64 per chunk item (the item limit is 400 KB including attribute names). */
export const CHUNK_CHARS = 350_000;
export const CHECKPOINT_TTL_SECONDS = 7 * 24 * 3600;

export interface SegmentStats {
  segment: number;
  /** Items the job received (the tenant's items of the job's kinds). */
  itemsRead: number;
  /** Items DynamoDB evaluated in the segment (other tenants' and kinds' too). */
  itemsScanned: number;
  ms: number;
}

export interface Checkpoint extends SegmentStats {
  encoded: unknown;
  writtenAt: string;
  chunks: number;
  bytes: number;
}

export function packPartial(encoded: unknown): string[] {
  const text = gzipSync(Buffer.from(JSON.stringify(encoded), "utf8")).toString("base64");
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += CHUNK_CHARS) chunks.push(text.slice(i, i + CHUNK_CHARS));
  return chunks.length > 0 ? chunks : [""];
}

export function unpackPartial(chunks: string[]): unknown {
  return JSON.parse(gunzipSync(Buffer.from(chunks.join(""), "base64")).toString("utf8"));
}

/** Writes one segment's checkpoint; returns the number of chunk items and their total size. */
export async function writeCheckpoint(partition: string, stats: SegmentStats, encoded: unknown, now = new Date()): Promise<{ chunks: number; bytes: number }> {
  const chunks = packPartial(encoded);
  const attempt = newId("a");
  const writtenAt = now.toISOString();
  const expiresAt = Math.floor(now.getTime() / 1000) + CHECKPOINT_TTL_SECONDS;
  await batchPut(
    chunks.map((data, chunk) => ({
      ...jobKeys.checkpoint(partition, stats.segment, chunk),
      ...stats,
      attempt,
      chunk,
      chunks: chunks.length,
      data,
      writtenAt,
      expiresAt,
    })),
  );
  return { chunks: chunks.length, bytes: chunks.reduce((n, c) => n + c.length, 0) };
}

interface ChunkRow extends SegmentStats {
  sk: string;
  attempt: string;
  chunk: number;
  chunks: number;
  writtenAt: string;
  data?: string;
}

async function queryChunks(partition: string, skPrefix: string, withData: boolean): Promise<ChunkRow[]> {
  const rows: ChunkRow[] = [];
  let start: Record<string, unknown> | undefined;
  const attrs = ["sk", "segment", "attempt", "chunk", "chunks", "writtenAt", "itemsRead", "itemsScanned", "ms", ...(withData ? ["data"] : [])];
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": partition, ":prefix": skPrefix },
        ProjectionExpression: attrs.map((_, i) => `#a${i}`).join(", "),
        ExpressionAttributeNames: Object.fromEntries(attrs.map((a, i) => [`#a${i}`, a])),
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    rows.push(...((out.Items ?? []) as ChunkRow[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return rows;
}

/** Per segment, the newest attempt whose chunks are all present. */
function completeAttempts(rows: ChunkRow[]): Map<number, ChunkRow[]> {
  const bySegmentAttempt = new Map<string, ChunkRow[]>();
  for (const row of rows) {
    const key = `${row.segment}\u0000${row.attempt}`;
    let list = bySegmentAttempt.get(key);
    if (!list) bySegmentAttempt.set(key, (list = []));
    list.push(row);
  }
  const best = new Map<number, ChunkRow[]>();
  for (const list of bySegmentAttempt.values()) {
    const first = list[0]!;
    const seen = new Set(list.map((r) => r.chunk));
    if (seen.size !== first.chunks || ![...seen].every((c) => c >= 0 && c < first.chunks)) continue;
    const current = best.get(first.segment);
    if (!current || current[0]!.writtenAt < first.writtenAt) best.set(first.segment, list.sort((a, b) => a.chunk - b.chunk));
  }
  return best;
}

/** Segments of a run that are checkpointed, with their stats (no partial data is read). */
export async function checkpointedSegments(partition: string): Promise<Map<number, SegmentStats>> {
  const rows = await queryChunks(partition, jobKeys.checkpointPrefix, false);
  const out = new Map<number, SegmentStats>();
  for (const [segment, list] of completeAttempts(rows)) {
    const r = list[0]!;
    out.set(segment, { segment, itemsRead: r.itemsRead, itemsScanned: r.itemsScanned, ms: r.ms });
  }
  return out;
}

/** One segment's checkpoint, or undefined when it is missing or incomplete. */
export async function readCheckpoint(partition: string, segment: number): Promise<Checkpoint | undefined> {
  const prefix = jobKeys.checkpoint(partition, segment, 0).sk.replace(/#\d+$/, "#");
  const list = completeAttempts(await queryChunks(partition, prefix, true)).get(segment);
  if (!list) return undefined;
  const data = list.map((r) => r.data ?? "");
  const r = list[0]!;
  return {
    segment,
    itemsRead: r.itemsRead,
    itemsScanned: r.itemsScanned,
    ms: r.ms,
    writtenAt: r.writtenAt,
    chunks: list.length,
    bytes: data.reduce((n, c) => n + c.length, 0),
    encoded: unpackPartial(data),
  };
}

/** Deletes every checkpoint of a run (a fresh start). */
export async function deleteCheckpoints(partition: string): Promise<number> {
  const rows = await queryChunks(partition, jobKeys.checkpointPrefix, false);
  const table = tableName();
  for (let i = 0; i < rows.length; i += 25) {
    let pending = rows.slice(i, i + 25).map((r) => ({ DeleteRequest: { Key: { pk: partition, sk: r.sk } } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      const out = await documentClient().send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
      if (pending.length > 0) await backoff(attempt);
    }
  }
  return rows.length;
}
