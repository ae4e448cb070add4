import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { stripKeys } from "../db/keys.js";
import { queryAll, queryPage } from "../db/query.js";
import { buildUpdate } from "../db/update.js";
import * as mv from "../member/validate.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { newId } from "../shared/ids.js";
import type { Page, PageArgs } from "../shared/page.js";
import { cleanText, requireText } from "../shared/text.js";
import { assertSegmentId, SEGMENT_SK, segmentKeys, SIZE_PREFIX } from "./keys.js";
import { conditionsOf, validateRule } from "./rule.js";
import type { Segment, SegmentRule, SegmentSizePoint, SegmentStatus } from "./types.js";

export interface CreateSegmentInput {
  name: string;
  description?: string | null;
  rule: unknown;
  applyTag?: string | null;
}

export interface UpdateSegmentInput {
  name?: string | null;
  description?: string | null;
  rule?: unknown;
  /** A tag to apply on refresh; null stops applying one (tags already given stay). */
  applyTag?: string | null;
}

function segmentItem(s: Segment) {
  return {
    ...segmentKeys.segment(s.tenantId, s.segmentId),
    gsi1pk: segmentKeys.list(s.tenantId, s.status),
    gsi1sk: segmentKeys.listSort(s.createdAt, s.segmentId),
    ...s,
  };
}

export const fromSegmentItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as Segment;

function checkApplyTag(value: string, rule: SegmentRule, path: string): string {
  let tag: string;
  try {
    tag = mv.tag(value);
  } catch {
    throw new ValidationError(`${path}: tags are 1-40 characters without # or control characters`, path);
  }
  // A rule that tests the tag it gives would feed on its own output from one refresh to the next.
  const tested = conditionsOf(rule).some((c) => c.field === "HAS_TAG" && (c.values as string[]).includes(tag));
  if (tested) throw new ValidationError(`${path}: the rule tests the tag "${tag}" it would apply; use another tag`, path);
  return tag;
}

export async function createSegment(tenantId: string, input: CreateSegmentInput, by: { actor: string }): Promise<Segment> {
  const rule = validateRule(input.rule, "input.rule");
  const now = new Date().toISOString();
  const segment: Segment = {
    tenantId,
    segmentId: newId("seg"),
    name: requireText(input.name, "input.name", 100),
    description: cleanText(input.description, "input.description", 500),
    rule,
    status: "ACTIVE",
    applyTag: input.applyTag ? checkApplyTag(input.applyTag, rule, "input.applyTag") : undefined,
    revision: 1,
    currentVersion: 0,
    versionCounter: 0,
    createdAt: now,
    updatedAt: now,
    createdBy: by.actor,
  };
  await documentClient().send(new PutCommand({ TableName: tableName(), Item: segmentItem(segment), ConditionExpression: "attribute_not_exists(pk)" }));
  return segment;
}

export async function findSegment(tenantId: string, segmentId: string, consistent = false): Promise<Segment | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: segmentKeys.segment(tenantId, assertSegmentId(segmentId)), ConsistentRead: consistent }));
  return out.Item ? fromSegmentItem(out.Item) : undefined;
}

export async function getSegment(tenantId: string, segmentId: string, consistent = false): Promise<Segment> {
  const segment = await findSegment(tenantId, segmentId, consistent);
  if (!segment) throw new NotFoundError("Segment", segmentId);
  return segment;
}

/** Many segments by id (BatchGetItem), aligned with `ids`; malformed or unknown ids give undefined. */
export async function getSegments(tenantId: string, ids: readonly string[]): Promise<(Segment | undefined)[]> {
  const valid = ids.filter((id) => /^[A-Za-z0-9_-]{1,40}$/.test(id));
  const items = await batchGet<Record<string, unknown>>(valid.map((id) => segmentKeys.segment(tenantId, id)));
  const byId = new Map(items.map((item) => [item.segmentId as string, fromSegmentItem(item)]));
  return ids.map((id) => byId.get(id));
}

/**
 * Changes name, description, rule or applied tag. A rule change bumps `revision`: a refresh
 * that was computing with the old rule can no longer land, and the segment reads as stale
 * until the next refresh. Archived segments do not change.
 */
export async function updateSegment(tenantId: string, segmentId: string, input: UpdateSegmentInput): Promise<Segment> {
  const current = await getSegment(tenantId, segmentId, true);
  if (current.status !== "ACTIVE") throw new ConflictError(`segment ${segmentId} is archived`);
  const rule = input.rule !== undefined && input.rule !== null ? validateRule(input.rule, "input.rule") : undefined;
  const set: Record<string, unknown> = { updatedAt: new Date().toISOString() };
  const remove: string[] = [];
  if (input.name !== undefined && input.name !== null) set.name = requireText(input.name, "input.name", 100);
  if (input.description !== undefined) {
    const d = cleanText(input.description, "input.description", 500);
    if (d) set.description = d;
    else remove.push("description");
  }
  if (rule) set.rule = rule;
  if (input.applyTag !== undefined) {
    if (input.applyTag) set.applyTag = checkApplyTag(input.applyTag, rule ?? current.rule, "input.applyTag");
    else remove.push("applyTag");
  } else if (rule && current.applyTag) checkApplyTag(current.applyTag, rule, "input.rule");
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: segmentKeys.segment(tenantId, segmentId),
        ...buildUpdate({
          set,
          add: rule ? { revision: 1 } : undefined,
          remove,
          condition: "#st = :active AND revision = :rev",
          names: { "#st": "status" },
          values: { ":active": "ACTIVE", ":rev": current.revision },
        }),
        ReturnValues: "ALL_NEW",
      }),
    );
    return fromSegmentItem(out.Attributes!);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ConflictError(`segment ${segmentId} changed at the same time; reload and try again`);
    throw error;
  }
}

/**
 * Archives a segment: it leaves the active list, is no longer refreshed (job or request) and no
 * longer shows in `member.segments`; its last membership stays readable on the segment.
 */
export async function archiveSegment(tenantId: string, segmentId: string): Promise<Segment> {
  const current = await getSegment(tenantId, segmentId, true);
  if (current.status === "ARCHIVED") return current;
  const now = new Date().toISOString();
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: segmentKeys.segment(tenantId, segmentId),
        ...buildUpdate({
          set: { status: "ARCHIVED", archivedAt: now, updatedAt: now, gsi1pk: segmentKeys.list(tenantId, "ARCHIVED") },
          condition: "#st = :active",
          names: { "#st": "status" },
          values: { ":active": "ACTIVE" },
        }),
        ReturnValues: "ALL_NEW",
      }),
    );
    return fromSegmentItem(out.Attributes!);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return getSegment(tenantId, segmentId, true);
    throw error;
  }
}

/** A tenant's segments of one status, newest created first. */
export async function listSegments(tenantId: string, status: SegmentStatus, args: PageArgs): Promise<Page<Segment>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `segments:${status}`, { index: "gsi1", pk: segmentKeys.list(tenantId, status) }, args);
  return { ...page, items: page.items.map(fromSegmentItem) };
}

/** Every active segment of a tenant (the job refreshes them all). */
export async function allActiveSegments(tenantId: string): Promise<Segment[]> {
  const items = await queryAll<Record<string, unknown>>({ index: "gsi1", pk: segmentKeys.list(tenantId, "ACTIVE") });
  return items.filter((i) => i.sk === SEGMENT_SK).map(fromSegmentItem);
}

/** A segment's size after each refresh, newest first. */
export async function listSizeHistory(tenantId: string, segmentId: string, args: PageArgs): Promise<Page<SegmentSizePoint>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `segment-sizes:${segmentId}`, { pk: segmentKeys.partition(tenantId, segmentId), skPrefix: SIZE_PREFIX }, args);
  return { ...page, items: page.items.map((i) => stripKeys(i) as unknown as SegmentSizePoint) };
}
