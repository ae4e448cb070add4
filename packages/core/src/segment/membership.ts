import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { queryAll } from "../db/query.js";
import { queryShardedPage } from "../db/sharded.js";
import { listShardOf } from "../member/item.js";
import * as mv from "../member/validate.js";
import { ValidationError } from "../shared/errors.js";
import type { Page, PageArgs } from "../shared/page.js";
import { getSettings } from "../tenant/settings.js";
import { MEMBER_SEGMENTS_PREFIX, segmentKeys } from "./keys.js";
import { getSegments } from "./store.js";
import type { Segment } from "./types.js";

/**
 * Reading materialised membership. Every read goes through the segment's `currentVersion`
 * (read first), so it sees one whole version: the old one or the new one.
 */

/** Whether a member is in a segment's current membership: one GetItem (after the segment's own read). */
export async function isMemberInSegment(tenantId: string, segment: Segment, memberIdInput: string): Promise<boolean> {
  const memberId = mv.memberId(memberIdInput);
  if (segment.status !== "ACTIVE" || !segment.currentVersion) return false;
  const { memberListShards } = await getSettings(tenantId);
  const out = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: segmentKeys.membership(tenantId, segment.segmentId, segment.currentVersion, listShardOf(memberId, memberListShards), memberId),
      ProjectionExpression: "pk",
    }),
  );
  return out.Item !== undefined;
}

/**
 * A page of the segment's current members (ids, highest id first, across the version's shards).
 * A cursor belongs to the version it was issued on: after a refresh it is refused, so a reader
 * paging through never mixes two versions.
 */
export async function listSegmentMembers(tenantId: string, segment: Segment, args: PageArgs): Promise<Page<{ memberId: string }>> {
  if (!segment.currentVersion) {
    if (args.after) throw new ValidationError("the cursor is invalid or belongs to another list", "after");
    return { items: [], cursors: [], endCursor: null, hasNextPage: false };
  }
  const { memberListShards } = await getSettings(tenantId);
  const partitions = Array.from({ length: memberListShards }, (_, s) => segmentKeys.version(tenantId, segment.segmentId, segment.currentVersion, String(s)));
  try {
    return await queryShardedPage<{ memberId: string }>(tenantId, `segment-members:${segment.segmentId}:${segment.currentVersion}`, { index: undefined, partitions }, args);
  } catch (error) {
    if (error instanceof ValidationError && error.details?.field === "after") {
      throw new ValidationError("the cursor is from another list or from an earlier version of this segment (it was refreshed since): start again from the first page", "after");
    }
    throw error;
  }
}

/** The active segments a member is currently in, by name. */
export async function listMemberSegments(tenantId: string, memberId: string): Promise<Segment[]> {
  const items = await queryAll<{ segmentId: string; version: number }>({ index: "gsi1", pk: keys.memberPartition(tenantId, memberId), skPrefix: MEMBER_SEGMENTS_PREFIX });
  if (items.length === 0) return [];
  const ids = [...new Set(items.map((i) => i.segmentId))];
  const segments = await getSegments(tenantId, ids);
  const byId = new Map(segments.filter((s): s is Segment => s !== undefined).map((s) => [s.segmentId, s]));
  const current = items
    .map((i) => byId.get(i.segmentId))
    .filter((s, k): s is Segment => s !== undefined && s.status === "ACTIVE" && s.currentVersion === items[k]!.version);
  return [...new Map(current.map((s) => [s.segmentId, s])).values()].sort((a, b) => a.name.localeCompare(b.name) || a.segmentId.localeCompare(b.segmentId));
}
