import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { queryAll } from "../db/query.js";
import { contentKeys } from "./keys.js";

/**
 * Content penetration = audience members reached ÷ audience size. Both numbers are taken at
 * the audience segment's refresh, against the membership that refresh made current: for each
 * item targeting the segment, the new members' reach markers are read by key (BatchGetItem,
 * 100 a call) and the count is stored on the item, keyed by the segment version. So the ratio
 * is exact for one membership and never above 1, and it moves when the segment is refreshed
 * (hourly by schedule, or by refreshSegment), while reach itself moves with every event.
 */
export interface AudienceCount {
  segmentId: string;
  version: number;
  size: number;
  reached: number;
  computedAt: string;
}

export const fromAudienceItem = (i: Record<string, unknown>): AudienceCount => ({
  segmentId: i.segmentId as string,
  version: Number(i.version),
  size: Number(i.size),
  reached: Number(i.reached),
  computedAt: i.computedAt as string,
});

/** BatchGet calls in flight at once while counting (a big audience is read in waves). */
const WAVE = 16 * 100;

async function countReached(tenantId: string, contentId: string, memberIds: readonly string[]): Promise<number> {
  let reached = 0;
  for (let i = 0; i < memberIds.length; i += WAVE) {
    const keys = memberIds.slice(i, i + WAVE).map((m) => contentKeys.reach(tenantId, m, contentId));
    reached += (await batchGet(keys, ["pk"])).length;
  }
  return reached;
}

/**
 * Called by a segment refresh that made `version` current: recounts every item whose audience
 * is this segment. A later version's count is never overwritten by an earlier one.
 */
export async function recountAudience(tenantId: string, segmentId: string, version: number, memberIds: readonly string[], computedAt: string): Promise<number> {
  const targeting = await queryAll<{ contentId: string }>({ pk: contentKeys.list(tenantId, "ANY", "AUDIENCE", segmentId) });
  for (const { contentId } of targeting) {
    const reached = await countReached(tenantId, contentId, memberIds);
    const item: AudienceCount & Record<string, unknown> = { ...contentKeys.audience(tenantId, contentId), contentId, segmentId, version, size: memberIds.length, reached, computedAt };
    try {
      await documentClient().send(
        new PutCommand({
          TableName: tableName(),
          Item: item,
          ConditionExpression: "attribute_not_exists(pk) OR segmentId <> :s OR version <= :v",
          ExpressionAttributeValues: { ":s": segmentId, ":v": version },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  return targeting.length;
}
