import { QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { encodeCursor, decodeCursor } from "../shared/cursor.js";
import { ValidationError } from "../shared/errors.js";
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

/**
 * Reads up to `limit` items of one partition in ascending sort-key order (A to Z, oldest
 * first), strictly above `above` when given. Bounds are only put in the key condition when
 * they exist, and a prefix's upper bound is the prefix with its last character incremented,
 * so sort keys holding characters beyond U+FFFF (emoji in a name) are never cut off. Pages
 * past DynamoDB's 1 MB limit until it knows whether another item follows.
 */
export async function queryAscending<T>(q: PartitionQuery, limit: number, above?: string): Promise<{ items: T[]; more: boolean; lastSk?: string }> {
  const f = fields(q.index);
  const prefix = q.skPrefix || undefined; // DynamoDB refuses empty strings in key conditions
  let low = q.skFrom || prefix;
  if (above && (low === undefined || above >= low)) low = above;
  const high = q.skTo || (prefix ? nextPrefix(prefix) : undefined);
  if (low !== undefined && high !== undefined && low > high) return { items: [], more: false };
  const values: Record<string, unknown> = { ":pk": q.pk };
  let condition = "#pk = :pk";
  if (low !== undefined && high !== undefined) {
    condition += " AND #sk BETWEEN :low AND :high";
    Object.assign(values, { ":low": low, ":high": high });
  } else if (low !== undefined) {
    condition += low === above ? " AND #sk > :low" : " AND #sk >= :low";
    values[":low"] = low;
  } else if (high !== undefined) {
    condition += " AND #sk <= :high";
    values[":high"] = high;
  }
  const keep = (sk: string) =>
    (above === undefined || sk > above) && (prefix === undefined || Boolean(q.skFrom || q.skTo) || sk.startsWith(prefix));
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: q.index,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: { "#pk": f.pk, ...(condition.includes("#sk") ? { "#sk": f.sk } : {}) },
        ExpressionAttributeValues: values,
        ScanIndexForward: true,
        // One extra to know if there is a next page, one more for an inclusive bound at `above`.
        Limit: limit + 2 - items.length,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of (out.Items ?? []) as Record<string, unknown>[]) if (keep(item[f.sk] as string)) items.push(item);
    start = out.LastEvaluatedKey;
  } while (start && items.length <= limit);
  const page = items.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page as T[], more: items.length > limit, lastSk: last ? (last[f.sk] as string) : undefined };
}

/** The smallest string above every string starting with `prefix` (its last character + 1). */
function nextPrefix(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export interface PageOrder {
  /** Ascending sort-key order (A to Z) instead of the default newest (highest) first. */
  ascending?: boolean;
}

/**
 * One partition as a Relay page; the cursor is the last sort key, signed. Newest (highest
 * sort key) first unless `order.ascending`; the two orders' cursors are not interchangeable.
 */
export async function queryPage<T>(tenantId: string, scope: string, q: PartitionQuery, args: PageArgs, order: PageOrder = {}): Promise<Page<T>> {
  const limit = pageSize(args.first);
  const f = fields(q.index);
  if (order.ascending) {
    const above = args.after ? decodeCursor<{ a: string }>(tenantId, scope, args.after).a : undefined;
    if (args.after && typeof above !== "string") throw new ValidationError("the cursor is invalid or belongs to another list", "after");
    const { items, more } = await queryAscending<Record<string, unknown>>(q, limit, above);
    const cursors = items.map((item) => encodeCursor(tenantId, scope, { a: item[f.sk] }));
    return { items: items as T[], cursors, endCursor: cursors[cursors.length - 1] ?? null, hasNextPage: more };
  }
  const below = args.after ? decodeCursor<{ b: string }>(tenantId, scope, args.after).b : undefined;
  const { items, more } = await queryDescending<Record<string, unknown>>(q, limit, below);
  const cursors = items.map((item) => encodeCursor(tenantId, scope, { b: item[f.sk] }));
  return { items: items as T[], cursors, endCursor: cursors[cursors.length - 1] ?? null, hasNextPage: more };
}

/** Every item of a partition (bounded lists only: a member's tags or identities), or of a sort-key range `skFrom`..`skTo` (both needed). */
export async function queryAll<T>(q: PartitionQuery, consistent = false): Promise<T[]> {
  const f = fields(q.index);
  const all: T[] = [];
  let start: Record<string, unknown> | undefined;
  const range = q.skFrom !== undefined && q.skTo !== undefined;
  const condition = range ? "#pk = :pk AND #sk BETWEEN :from AND :to" : q.skPrefix !== undefined ? "#pk = :pk AND begins_with(#sk, :prefix)" : "#pk = :pk";
  const values = range ? { ":from": q.skFrom, ":to": q.skTo } : q.skPrefix !== undefined ? { ":prefix": q.skPrefix } : {};
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: q.index,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: { "#pk": f.pk, ...(condition.includes("#sk") ? { "#sk": f.sk } : {}) },
        ExpressionAttributeValues: { ":pk": q.pk, ...values },
        ExclusiveStartKey: start,
        ConsistentRead: q.index ? undefined : consistent,
      }),
    );
    all.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return all;
}
