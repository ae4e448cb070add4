import type { TransactItem } from "../db/transact.js";
import type { Keys } from "../db/keys.js";
import { contentKeys } from "./keys.js";
import type { ContentItem } from "./types.js";

/**
 * List entries: every item is written into one small list per (status, dimension value), and
 * once more under status `ANY`, so `contents(filter)` is a Query on the list of the filter's
 * most selective dimension (tags, then channel, format, pyramid type, author kind), never a
 * scan (a member's own UGC has its own list). The other dimensions are copied onto the entry and applied as a filter on that list.
 */
export const DIMENSIONS = ["MEMBER", "AUDIENCE", "TAG", "CHANNEL", "FORMAT", "PYRAMID", "AUTHOR", "ALL"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The (dimension, value) pairs an item is listed under. */
export function dimensionValues(c: Pick<ContentItem, "format" | "pyramidType" | "authorKind" | "authorMemberId" | "audienceSegmentId" | "channels" | "tags">): [Dimension, string][] {
  return [
    // A member's own posts (UGC): the member centre's "my posts", and erasure.
    ...(c.authorMemberId ? [["MEMBER", c.authorMemberId] as [Dimension, string]] : []),
    // Items made for a segment: its refresh recounts their penetration.
    ...(c.audienceSegmentId ? [["AUDIENCE", c.audienceSegmentId] as [Dimension, string]] : []),
    ["ALL", "ALL"],
    ["FORMAT", c.format],
    ["PYRAMID", c.pyramidType],
    ["AUTHOR", c.authorKind],
    ...c.channels.map((ch): [Dimension, string] => ["CHANNEL", ch]),
    ...c.tags.map((tag): [Dimension, string] => ["TAG", tag]),
  ];
}

export interface EntryItem extends Keys {
  contentId: string;
  format: string;
  pyramidType: string;
  authorKind: string;
  authorMemberId?: string;
  channels: string[];
  tags: string[];
  sortAt: string;
}

export function entriesOf(c: ContentItem): EntryItem[] {
  const sk = contentKeys.listSort(c.sortAt, c.contentId);
  const attributes = { contentId: c.contentId, format: c.format, pyramidType: c.pyramidType, authorKind: c.authorKind, authorMemberId: c.authorMemberId, channels: c.channels, tags: c.tags, sortAt: c.sortAt };
  return [c.status, "ANY"].flatMap((status) => dimensionValues(c).map(([dimension, value]) => ({ pk: contentKeys.list(c.tenantId, status, dimension, value), sk, ...attributes })));
}

/**
 * Writes that take an item's entries from `before` to `after`: entries no longer wanted are
 * deleted, the rest (re)put so their copied attributes follow the item.
 */
export function entryWrites(table: string, before: ContentItem | undefined, after: ContentItem): TransactItem[] {
  const next = entriesOf(after);
  const wanted = new Set(next.map((e) => `${e.pk}\u0000${e.sk}`));
  const deletes: TransactItem[] = (before ? entriesOf(before) : [])
    .filter((e) => !wanted.has(`${e.pk}\u0000${e.sk}`))
    .map((e) => ({ Delete: { TableName: table, Key: { pk: e.pk, sk: e.sk } } }));
  return [...deletes, ...next.map((e): TransactItem => ({ Put: { TableName: table, Item: e } }))];
}
