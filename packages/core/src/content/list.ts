import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import * as mv from "../member/validate.js";
import { decodeCursor, encodeCursor } from "../shared/cursor.js";
import { ValidationError } from "../shared/errors.js";
import { pageSize, type Page, type PageArgs } from "../shared/page.js";
import type { Dimension } from "./entries.js";
import { contentKeys } from "./keys.js";
import { getContents } from "./store.js";
import { CONTENT_STATUSES, type ContentItem, type ContentStatus } from "./types.js";
import * as v from "./validate.js";

export interface ContentFilter {
  status?: string | null;
  format?: string | null;
  pyramidType?: string | null;
  channel?: string | null;
  tag?: string | null;
  authorKind?: string | null;
  /** UGC of one member. */
  authorMemberId?: string | null;
}

interface CleanFilter {
  status?: ContentStatus;
  format?: string;
  pyramidType?: string;
  channel?: string;
  tag?: string;
  authorKind?: string;
  authorMemberId?: string;
}

interface Part {
  pk: string;
  skFrom?: string;
  skTo?: string;
}

/** Query rounds one page may take when a filter leaves most entries out. */
const MAX_ROUNDS = 5;

function cleanFilter(f: ContentFilter | null | undefined): CleanFilter {
  const out: CleanFilter = {};
  if (!f) return out;
  if (f.status) out.status = mv.oneOf(CONTENT_STATUSES, f.status, "filter.status");
  if (f.format) out.format = v.format(f.format, "filter.format");
  if (f.pyramidType) out.pyramidType = v.pyramidType(f.pyramidType, "filter.pyramidType");
  if (f.channel) out.channel = mv.channel(f.channel, "filter.channel");
  if (f.tag) out.tag = v.tags([f.tag], "filter.tag")[0];
  if (f.authorKind) out.authorKind = v.authorKind(f.authorKind, "filter.authorKind");
  if (f.authorMemberId) out.authorMemberId = mv.memberId(f.authorMemberId, "filter.authorMemberId");
  return out;
}

/** The list to read (most selective dimension first) and the filter for the rest. */
function plan(tenantId: string, f: CleanFilter, now: Date) {
  const dims: [Dimension, string | undefined, string][] = [
    ["MEMBER", f.authorMemberId, "authorMemberId"],
    ["TAG", f.tag, "tags"],
    ["CHANNEL", f.channel, "channels"],
    ["FORMAT", f.format, "format"],
    ["PYRAMID", f.pyramidType, "pyramidType"],
    ["AUTHOR", f.authorKind, "authorKind"],
  ];
  const chosen = dims.find(([, value]) => value !== undefined);
  const [dimension, value] = chosen ? [chosen[0], chosen[1]!] : (["ALL", "ALL"] as const);
  const rest = dims.filter((d) => d !== chosen && d[1] !== undefined);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const terms = rest.map(([, val, attribute], i) => {
    names[`#f${i}`] = attribute;
    values[`:f${i}`] = val;
    return attribute === "tags" || attribute === "channels" ? `contains(#f${i}, :f${i})` : `#f${i} = :f${i}`;
  });
  const list = (status: string) => contentKeys.list(tenantId, status, dimension, value);
  // A scheduled item whose time has passed reads as published: it sits in the SCHEDULED
  // partition at a sort key (its publish time) at or before now.
  const dueBound = `${now.toISOString()}#\uffff`;
  let parts: Part[];
  switch (f.status) {
    case undefined:
      parts = [{ pk: list("ANY") }];
      break;
    case "PUBLISHED":
      parts = [{ pk: list("PUBLISHED") }, { pk: list("SCHEDULED"), skTo: dueBound }];
      break;
    case "SCHEDULED":
      parts = [{ pk: list("SCHEDULED"), skFrom: dueBound }];
      break;
    default:
      parts = [{ pk: list(f.status) }];
  }
  return { parts, filter: terms.length > 0 ? { expression: terms.join(" AND "), names, values } : undefined };
}

type Filter = ReturnType<typeof plan>["filter"];

/** One query of one list, strictly below `below`; `next` is where it stopped, if it did. */
async function queryPart(part: Part, filter: Filter, limit: number, below: string | undefined) {
  let high = part.skTo;
  if (below !== undefined && (high === undefined || below < high)) high = below;
  const names: Record<string, string> = { ...filter?.names };
  const values: Record<string, unknown> = { ":pk": part.pk, ...filter?.values };
  let condition = "pk = :pk";
  if (part.skFrom !== undefined && high !== undefined) {
    condition += " AND sk BETWEEN :low AND :high";
    Object.assign(values, { ":low": part.skFrom, ":high": high });
  } else if (high !== undefined) {
    condition += " AND sk <= :high";
    values[":high"] = high;
  } else if (part.skFrom !== undefined) {
    condition += " AND sk >= :low";
    values[":low"] = part.skFrom;
  }
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: condition,
      FilterExpression: filter?.expression,
      ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
      ExpressionAttributeValues: values,
      ProjectionExpression: "sk, contentId",
      ScanIndexForward: false,
      Limit: limit + 2,
    }),
  );
  const items = ((out.Items ?? []) as { sk: string; contentId: string }[]).filter((i) => below === undefined || i.sk < below);
  return { items, next: out.LastEvaluatedKey ? (out.LastEvaluatedKey.sk as string) : undefined };
}

/**
 * Reads the entries of a page across the parts (newest first), to `limit` or until the
 * rounds run out. Items at or above the lowest point every unfinished part has reached are
 * complete and safe to hand out in order; the cursor is one sort-key position for all parts.
 */
async function readEntries(parts: Part[], filter: Filter, limit: number, below: string | undefined) {
  const position: (string | undefined)[] = parts.map(() => below);
  const done = parts.map(() => false);
  const found: { sk: string; contentId: string }[] = [];
  let bound: string | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const results = await Promise.all(parts.map((part, i) => (done[i] ? undefined : queryPart(part, filter, limit, position[i]))));
    results.forEach((r, i) => {
      if (!r) return;
      found.push(...r.items);
      if (r.next === undefined) done[i] = true;
      else position[i] = r.next;
    });
    const open = position.filter((_, i) => !done[i]) as string[];
    bound = open.length > 0 ? open.reduce((a, b) => (a > b ? a : b)) : undefined;
    const safe = found.filter((e) => bound === undefined || e.sk >= bound);
    if (bound === undefined || safe.length > limit) break;
  }
  found.sort((a, b) => (a.sk < b.sk ? 1 : a.sk > b.sk ? -1 : 0));
  const safe = found.filter((e) => bound === undefined || e.sk >= bound);
  const page = safe.slice(0, limit);
  const more = safe.length > limit || bound !== undefined;
  // A full page continues after its last item; a page cut short by the round budget continues
  // below the point every part has reached, so entries the filter skipped are not read again.
  const resume = page.length === limit ? page[page.length - 1]?.sk : bound;
  return { page, more, resume };
}

/**
 * Content items, newest first (publish time once scheduled or published, else creation time),
 * filtered by status, format, pyramid type, channel, tag and author kind in any combination.
 * A cursor is bound to the tenant and to the filter it was made with.
 */
export async function listContents(tenantId: string, filterInput: ContentFilter | null | undefined, args: PageArgs, now = new Date()): Promise<Page<ContentItem>> {
  const limit = pageSize(args.first);
  const filter = cleanFilter(filterInput);
  const scope = `contents:${JSON.stringify(filter)}`;
  let below: string | undefined;
  if (args.after) {
    below = decodeCursor<{ b: string }>(tenantId, scope, args.after).b;
    if (typeof below !== "string") throw new ValidationError("the cursor is invalid or belongs to another list", "after");
  }
  const { parts, filter: expression } = plan(tenantId, filter, now);
  const { page, more, resume } = await readEntries(parts, expression, limit, below);
  const items = await getContents(tenantId, page.map((e) => e.contentId), now);
  const kept: ContentItem[] = [];
  const cursors: string[] = [];
  page.forEach((entry, i) => {
    const item = items[i];
    // Entries are written with their item, but a read may land between two writes of it.
    if (item && matches(item, filter)) {
      kept.push(item);
      cursors.push(encodeCursor(tenantId, scope, { b: entry.sk }));
    }
  });
  const endCursor = resume !== undefined ? encodeCursor(tenantId, scope, { b: resume }) : null;
  if (cursors.length > 0 && endCursor) cursors[cursors.length - 1] = endCursor;
  return { items: kept, cursors, endCursor, hasNextPage: more };
}

function matches(c: ContentItem, f: CleanFilter): boolean {
  return (
    (!f.status || c.status === f.status) &&
    (!f.format || c.format === f.format) &&
    (!f.pyramidType || c.pyramidType === f.pyramidType) &&
    (!f.channel || (c.channels as string[]).includes(f.channel)) &&
    (!f.tag || c.tags.includes(f.tag)) &&
    (!f.authorKind || c.authorKind === f.authorKind) &&
    (!f.authorMemberId || c.authorMemberId === f.authorMemberId)
  );
}
