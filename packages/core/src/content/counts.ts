import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import type { TransactItem } from "../db/transact.js";
import { contentKeys } from "./keys.js";
import { AUTHOR_KINDS, CONTENT_STATUSES, PYRAMID_TYPES, type AuthorKind, type ContentItem, type ContentStatus, type PyramidType } from "./types.js";

/**
 * Items per (pyramid type, author kind, stored status) in one small tenant item, changed with
 * ADD in the transaction of every create, status change and pyramid change. Content is written
 * by staff at human speed, so one item per tenant is not a hot key.
 */
const counter = (c: Pick<ContentItem, "pyramidType" | "authorKind" | "status">) => `n_${c.pyramidType}_${c.authorKind}_${c.status}`;

/** The counts update from `before` to `after` (either may be absent), or none if nothing moved. */
export function countsWrite(table: string, tenantId: string, before: ContentItem | undefined, after: ContentItem | undefined): TransactItem[] {
  const delta = new Map<string, number>();
  if (before) delta.set(counter(before), (delta.get(counter(before)) ?? 0) - 1);
  if (after) delta.set(counter(after), (delta.get(counter(after)) ?? 0) + 1);
  const moved = [...delta].filter(([, n]) => n !== 0);
  if (moved.length === 0) return [];
  const names = Object.fromEntries(moved.map(([name], i) => [`#c${i}`, name]));
  const values = Object.fromEntries(moved.map(([, n], i) => [`:c${i}`, n]));
  return [
    {
      Update: {
        TableName: table,
        Key: contentKeys.counts(tenantId),
        UpdateExpression: `ADD ${moved.map((_, i) => `#c${i} :c${i}`).join(", ")}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  ];
}

export interface PyramidLevel {
  pyramidType: PyramidType;
  /** Items by stored status (a scheduled item counts as scheduled until the publisher flips it). */
  byStatus: Record<ContentStatus, number>;
  /** Items not archived. */
  live: number;
  /** UGC (member-authored) items not archived, and of those published. */
  ugc: number;
  ugcPublished: number;
}

/** The content pyramid: one GetItem. */
export async function contentPyramid(tenantId: string): Promise<PyramidLevel[]> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: contentKeys.counts(tenantId) }));
  const item = (out.Item ?? {}) as Record<string, number>;
  const n = (p: PyramidType, a: AuthorKind, s: ContentStatus) => Number(item[`n_${p}_${a}_${s}`] ?? 0);
  return PYRAMID_TYPES.map((p) => {
    const byStatus = Object.fromEntries(CONTENT_STATUSES.map((s) => [s, AUTHOR_KINDS.reduce((sum, a) => sum + n(p, a, s), 0)])) as Record<ContentStatus, number>;
    const ugcBy = (s: ContentStatus) => n(p, "MEMBER", s);
    return {
      pyramidType: p,
      byStatus,
      live: byStatus.DRAFT + byStatus.SCHEDULED + byStatus.PUBLISHED,
      ugc: ugcBy("DRAFT") + ugcBy("SCHEDULED") + ugcBy("PUBLISHED"),
      ugcPublished: ugcBy("PUBLISHED"),
    };
  });
}
