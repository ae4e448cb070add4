import { QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { encodeCursor, decodeCursor } from "../shared/cursor.js";
import { pageSize, type Page, type PageArgs } from "../shared/page.js";
import { documentClient, tableName } from "./client.js";

export type IndexName = "gsi1" | "gsi2" | "gsi3" | undefined;

export interface PartitionQuery {
  index?: IndexName;
  pk: string;
  /** Only sort keys starting with this (the item kind within a shared partition). */
  skPrefix?: string;
  /** Optional inclusive sort-key range (both inside the prefix). */
  skFrom?: string;
  skTo?: string;
}

const fields = (index: IndexName) => (index ? { pk: `${index}pk`, sk: `${index}sk` } : { pk: "pk", sk: "sk" });

/**
 * Reads up to `limit` items of one partition, newest (highest sort key) first, strictly
 * below `below` when given. Sort-key conditions express the position, so a cursor only ever
 * carries a sort-key value and never a full table key.
 */
export async function queryDescending<T>(q: PartitionQuery, limit: number, below?: string): Promise<{ items: T[]; more: boolean; lastSk?: string }> {
  const f = fields(q.index);
  const low = q.skFrom ?? q.skPrefix ?? "";
  let high = q.skTo ?? (q.skPrefix !== undefined ? `${q.skPrefix}\uffff` : "\uffff");
  if (below !== undefined && below < high) high = below;
  const input: QueryCommandInput = {
    TableName: tableName(),
    IndexName: q.index,
    // DynamoDB refuses empty strings in key conditions, so an open lower bound is "<=".
    KeyConditionExpression: low ? "#pk = :pk AND #sk BETWEEN :low AND :high" : "#pk = :pk AND #sk <= :high",
    ExpressionAttributeNames: { "#pk": f.pk, "#sk": f.sk },
    ExpressionAttributeValues: { ":pk": q.pk, ":high": high, ...(low ? { ":low": low } : {}) },
    ScanIndexForward: false,
    // One extra to know if there is a next page, and one more because the bound is inclusive,
    // so the item at `below` itself may come back first.
    Limit: limit + 1 + (below !== undefined ? 1 : 0),
  };
  const out = await documentClient().send(new QueryCommand(input));
  let items = (out.Items ?? []) as Record<string, unknown>[];
  if (below !== undefined) items = items.filter((item) => (item[f.sk] as string) < below);
  // A short page with LastEvaluatedKey means DynamoDB stopped at its 1 MB limit: more exist.
  const more = items.length > limit || (out.LastEvaluatedKey !== undefined && items.length < limit);
  items = items.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items as T[], more, lastSk: last ? (last[f.sk] as string) : undefined };
}

/** One partition as a Relay page; the cursor is the last sort key, signed. */
export async function queryPage<T>(tenantId: string, scope: string, q: PartitionQuery, args: PageArgs): Promise<Page<T>> {
  const limit = pageSize(args.first);
  const below = args.after ? decodeCursor<{ b: string }>(tenantId, scope, args.after).b : undefined;
  const { items, more } = await queryDescending<Record<string, unknown>>(q, limit, below);
  const f = fields(q.index);
  const cursors = items.map((item) => encodeCursor(tenantId, scope, { b: item[f.sk] }));
  return { items: items as T[], cursors, endCursor: cursors[cursors.length - 1] ?? null, hasNextPage: more };
}

/** Every item of a partition (bounded lists only: a member's tags or identities). */
export async function queryAll<T>(q: PartitionQuery, consistent = false): Promise<T[]> {
  const f = fields(q.index);
  const all: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: q.index,
        KeyConditionExpression: q.skPrefix !== undefined ? "#pk = :pk AND begins_with(#sk, :prefix)" : "#pk = :pk",
        ExpressionAttributeNames: { "#pk": f.pk, ...(q.skPrefix !== undefined ? { "#sk": f.sk } : {}) },
        ExpressionAttributeValues: { ":pk": q.pk, ...(q.skPrefix !== undefined ? { ":prefix": q.skPrefix } : {}) },
        ExclusiveStartKey: start,
        ConsistentRead: q.index ? undefined : consistent,
      }),
    );
    all.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return all;
}
