import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { transact, TransactionCancelled, type TransactItem } from "../db/transact.js";
import { resolveMember } from "../member/read.js";
import { findSegment } from "../segment/store.js";
import { SEGMENT_ID } from "../segment/keys.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN, newId } from "../shared/ids.js";
import { cleanText, requireText } from "../shared/text.js";
import { countsWrite } from "./counts.js";
import { entryWrites } from "./entries.js";
import { contentItem, effective, fromContentItem } from "./item.js";
import { assertContentId, contentKeys } from "./keys.js";
import { MAX_TITLE, type ContentItem } from "./types.js";
import * as v from "./validate.js";

export interface CreateContentInput {
  /** The brand's own id for the item (its CMS id); generated when absent. */
  id?: string | null;
  title: string;
  body?: string | null;
  mediaUrl?: string | null;
  format: string;
  pyramidType: string;
  channels?: string[] | null;
  tags?: string[] | null;
  author?: { kind: string; memberId?: string | null; name?: string | null } | null;
  audienceSegmentId?: string | null;
}

export type UpdateContentInput = Partial<Omit<CreateContentInput, "id" | "author">>;

async function checkAudience(tenantId: string, segmentId: string | null | undefined, field: string): Promise<string | undefined> {
  if (!segmentId) return undefined;
  if (!SEGMENT_ID.test(segmentId)) throw new ValidationError(`${field} is not a segment id`, field);
  const segment = await findSegment(tenantId, segmentId);
  if (!segment) throw new NotFoundError("Segment", segmentId);
  return segmentId;
}

async function cleanAuthor(tenantId: string, author: CreateContentInput["author"]): Promise<Pick<ContentItem, "authorKind" | "authorMemberId" | "authorName">> {
  const kind = author ? v.authorKind(author.kind, "input.author.kind") : "BRAND";
  const authorName = cleanText(author?.name, "input.author.name", 100);
  if (kind === "BRAND") {
    if (author?.memberId) throw new ValidationError("input.author.memberId is only for MEMBER authors", "input.author.memberId");
    return { authorKind: kind, authorName };
  }
  if (!author?.memberId) throw new ValidationError("input.author.memberId is required for MEMBER (UGC) content", "input.author.memberId");
  // A member's name is personal data: it is shown from the profile (masked, erased), never copied here.
  if (authorName) throw new ValidationError("input.author.name is only for BRAND authors: a member's name comes from the profile", "input.author.name");
  const member = await resolveMember(tenantId, author.memberId);
  if (!member || member.status !== "ACTIVE") throw new NotFoundError("Member", author.memberId);
  return { authorKind: kind, authorMemberId: member.memberId, authorName };
}

/** Writes one item change with its list entries and pyramid counts, all or nothing. */
export async function writeContent(before: ContentItem | undefined, after: ContentItem): Promise<ContentItem> {
  const table = tableName();
  const items: TransactItem[] = [
    before
      ? {
          Put: {
            TableName: table,
            Item: contentItem(after),
            ConditionExpression: "revision = :rev",
            ExpressionAttributeValues: { ":rev": before.revision },
          },
        }
      : { Put: { TableName: table, Item: contentItem(after), ConditionExpression: "attribute_not_exists(pk)" } },
    ...entryWrites(table, before, after),
    ...countsWrite(table, after.tenantId, before, after),
  ];
  try {
    await transact(items);
    return after;
  } catch (error) {
    if (error instanceof TransactionCancelled && error.failedCondition(0)) {
      throw before
        ? new ConflictError(`content ${after.contentId} changed at the same time; reload and try again`)
        : new ConflictError(`content id ${after.contentId} is already used`, { field: "input.id" });
    }
    throw error;
  }
}

export async function createContent(tenantId: string, input: CreateContentInput, by: { actor: string }): Promise<ContentItem> {
  const contentId = input.id ? assertContentId(input.id, "input.id") : newId("cnt");
  const now = new Date().toISOString();
  const item: ContentItem = {
    tenantId,
    contentId,
    title: requireText(input.title, "input.title", MAX_TITLE),
    body: v.body(input.body, "input.body"),
    mediaUrl: v.mediaUrl(input.mediaUrl, "input.mediaUrl"),
    format: v.format(input.format, "input.format"),
    pyramidType: v.pyramidType(input.pyramidType, "input.pyramidType"),
    channels: v.channels(input.channels, "input.channels"),
    tags: v.tags(input.tags, "input.tags"),
    ...(await cleanAuthor(tenantId, input.author)),
    status: "DRAFT",
    audienceSegmentId: await checkAudience(tenantId, input.audienceSegmentId, "input.audienceSegmentId"),
    sortAt: now,
    revision: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: by.actor,
  };
  return effective(await writeContent(undefined, item));
}

export async function findContent(tenantId: string, contentId: string, consistent = false): Promise<ContentItem | undefined> {
  if (!CLIENT_ID_PATTERN.test(contentId)) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: contentKeys.item(tenantId, contentId), ConsistentRead: consistent }));
  return out.Item ? fromContentItem(out.Item) : undefined;
}

/** The stored item (status as stored: for transitions). */
export async function getStoredContent(tenantId: string, contentId: string): Promise<ContentItem> {
  const item = await findContent(tenantId, contentId, true);
  if (!item) throw new NotFoundError("Content", contentId);
  return item;
}

/** An item as readers see it (a due scheduled item reads as published). */
export async function getContent(tenantId: string, contentId: string): Promise<ContentItem> {
  const item = await findContent(tenantId, contentId);
  if (!item) throw new NotFoundError("Content", contentId);
  return effective(item);
}

/** Many items by id (BatchGetItem), aligned with `ids`; malformed or unknown ids give undefined. */
export async function getContents(tenantId: string, ids: readonly string[], now = new Date()): Promise<(ContentItem | undefined)[]> {
  const valid = ids.filter((id) => CLIENT_ID_PATTERN.test(id));
  const items = await batchGet<Record<string, unknown>>(valid.map((id) => contentKeys.item(tenantId, id)));
  const byId = new Map(items.map((i) => [i.contentId as string, effective(fromContentItem(i), now)]));
  return ids.map((id) => byId.get(id));
}

/**
 * Changes an item's fields (not its status: see changeContentStatus). Archived items are
 * frozen; restore one as a draft first.
 */
export async function updateContent(tenantId: string, contentId: string, input: UpdateContentInput): Promise<ContentItem> {
  const before = await getStoredContent(tenantId, contentId);
  if (before.status === "ARCHIVED") throw new ConflictError(`content ${contentId} is archived; restore it as a draft to change it`);
  const after: ContentItem = { ...before, revision: before.revision + 1, updatedAt: new Date().toISOString() };
  if (input.title !== undefined && input.title !== null) after.title = requireText(input.title, "input.title", MAX_TITLE);
  if (input.body !== undefined) after.body = v.body(input.body, "input.body");
  if (input.mediaUrl !== undefined) after.mediaUrl = v.mediaUrl(input.mediaUrl, "input.mediaUrl");
  if (input.format) after.format = v.format(input.format, "input.format");
  if (input.pyramidType) after.pyramidType = v.pyramidType(input.pyramidType, "input.pyramidType");
  if (input.channels !== undefined && input.channels !== null) after.channels = v.channels(input.channels, "input.channels");
  if (input.tags !== undefined && input.tags !== null) after.tags = v.tags(input.tags, "input.tags");
  if (input.audienceSegmentId !== undefined) after.audienceSegmentId = await checkAudience(tenantId, input.audienceSegmentId, "input.audienceSegmentId");
  // Scheduled and published items must stay publishable.
  if (effective(before).status !== "DRAFT") v.assertPublishable(after);
  for (const key of Object.keys(after) as (keyof ContentItem)[]) if (after[key] === undefined) delete after[key];
  return effective(await writeContent(before, after));
}
