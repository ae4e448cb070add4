import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { queryAll } from "../db/query.js";
import { backoff, transact, TransactionCancelled } from "../db/transact.js";
import { buildUpdate } from "../db/update.js";
import { listShardOf } from "../member/item.js";
import { changeTags } from "../member/tags.js";
import { recountAudience } from "../content/audience.js";
import { ConflictError, DomainError } from "../shared/errors.js";
import { getSettings } from "../tenant/settings.js";
import { evaluationClock } from "./evaluate.js";
import { loadFactsByQuery } from "./facts.js";
import { segmentKeys } from "./keys.js";
import { matchMembers } from "./preview.js";
import { ruleNeeds } from "./rule.js";
import { fromSegmentItem, getSegment } from "./store.js";
import type { Segment, SegmentSizePoint } from "./types.js";

/**
 * Materialising a segment's membership, atomically for readers.
 *
 * 1. Allocate a version: `ADD versionCounter 1` on the segment (conditioned on it being active
 *    with the rule revision that was evaluated), which also returns the `currentVersion` at that
 *    instant (the base).
 * 2. Write one item per member into the new version's partitions (sharded like the member lists).
 * 3. Flip: one transaction sets `currentVersion = new` (plus size, computedAt, durationMs,
 *    entered/left) on condition `currentVersion = base AND revision = evaluated AND ACTIVE`, and
 *    puts the size-history point. Readers resolve `currentVersion` first, so they see the old or
 *    the new membership, never a mix.
 * 4. The winner deletes the base version and any version allocated between base and its own
 *    (refreshes that lost or died: none of them can flip any more, their base is gone). A loser
 *    (another refresh flipped first, or the rule changed) deletes its own items and reports
 *    `applied: false`.
 * 5. The winner applies the segment's tag (source RULE) to members who lack it and takes it
 *    from members who have it from a rule but are no longer in (manual tags are never touched).
 *    This converges from the current state, so a run that died half-way is healed by the next.
 * 6. The winner recounts the penetration of content items made for this segment.
 */
export interface MatchedMember {
  memberId: string;
  tags: readonly string[];
}

export interface RefreshResult {
  segment: Segment;
  /** False when another refresh landed first (or the rule changed): this one's result was discarded. */
  applied: boolean;
  version: number;
  size: number;
  entered: number;
  left: number;
  tagsAdded: number;
  tagsRemoved: number;
  durationMs: number;
}

export interface MaterialiseOptions {
  via: SegmentSizePoint["via"];
  /** `performance.now()` when the refresh started (durationMs counts from it). */
  startedAt: number;
  /** The tenant's member list shard count (membership partitions follow it). */
  shards: number;
  /** Test hook: runs after the new version is written, before the flip. */
  beforeFlip?: () => Promise<void>;
}

const WRITE_LANES = 8;

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/** BatchWriteItem in chunks of 25, WRITE_LANES chunks in flight, unprocessed items retried. */
async function writeAll(requests: WriteRequest[]): Promise<void> {
  const table = tableName();
  let next = 0;
  const lane = async () => {
    while (next < requests.length) {
      let pending = requests.slice(next, next + 25);
      next += 25;
      for (let attempt = 0; pending.length > 0; attempt++) {
        const out = await documentClient().send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
        if (pending.length > 0) await backoff(attempt);
      }
    }
  };
  await Promise.all(Array.from({ length: WRITE_LANES }, lane));
}

async function pool<T>(list: readonly T[], lanes: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(lanes, list.length) }, async () => {
    while (next < list.length) await fn(list[next++]!);
  }));
}

/** Member ids in one membership version (every shard). */
export async function readVersion(tenantId: string, segmentId: string, version: number, shards: number): Promise<string[]> {
  const perShard = await Promise.all(
    Array.from({ length: shards }, (_, s) => queryAll<{ memberId: string }>({ pk: segmentKeys.version(tenantId, segmentId, version, String(s)) })),
  );
  return perShard.flat().map((item) => item.memberId);
}

export async function deleteVersion(tenantId: string, segmentId: string, version: number, shards: number, ids?: readonly string[]): Promise<void> {
  const members = ids ?? (await readVersion(tenantId, segmentId, version, shards));
  await writeAll(members.map((id) => ({ DeleteRequest: { Key: { ...segmentKeys.membership(tenantId, segmentId, version, listShardOf(id, shards), id) } } })));
}

function membershipItem(tenantId: string, segmentId: string, version: number, shards: number, memberId: string) {
  return {
    ...segmentKeys.membership(tenantId, segmentId, version, listShardOf(memberId, shards), memberId),
    gsi1pk: keys.memberPartition(tenantId, memberId),
    gsi1sk: segmentKeys.memberSegmentSort(segmentId, version),
    tenantId,
    segmentId,
    version,
    memberId,
  };
}

/** Writes `matched` as a new version of `segment` (as read when evaluation started) and flips to it. */
export async function materialise(tenantId: string, segment: Segment, matched: readonly MatchedMember[], opts: MaterialiseOptions): Promise<RefreshResult> {
  const table = tableName();
  const segmentId = segment.segmentId;
  const key = segmentKeys.segment(tenantId, segmentId);
  const active = { names: { "#st": "status" }, values: { ":active": "ACTIVE", ":rev": segment.revision } };

  let allocated: Segment;
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        ...buildUpdate({ add: { versionCounter: 1 }, condition: "#st = :active AND revision = :rev", ...active }),
        ReturnValues: "ALL_NEW",
      }),
    );
    allocated = fromSegmentItem(out.Attributes!);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ConflictError(`segment ${segmentId} was archived or its rule changed during the refresh; refresh again`);
    throw error;
  }
  const version = allocated.versionCounter;
  const base = allocated.currentVersion ?? 0;

  const ids = matched.map((m) => m.memberId);
  await writeAll(ids.map((id) => ({ PutRequest: { Item: membershipItem(tenantId, segmentId, version, opts.shards, id) } })));
  const before = base > 0 ? await readVersion(tenantId, segmentId, base, opts.shards) : [];
  const now = new Set(ids);
  const old = new Set(before);
  const entered = ids.filter((id) => !old.has(id)).length;
  const left = before.filter((id) => !now.has(id)).length;
  await opts.beforeFlip?.();

  const computedAt = new Date().toISOString();
  const durationMs = Math.round(performance.now() - opts.startedAt);
  const point: SegmentSizePoint = { segmentId, version, size: ids.length, entered, left, computedAt, durationMs, via: opts.via };
  try {
    await transact([
      {
        Update: {
          TableName: table,
          Key: key,
          ...buildUpdate({
            set: { currentVersion: version, size: ids.length, entered, left, computedAt, durationMs, computedRevision: segment.revision },
            condition: "currentVersion = :base AND revision = :rev AND #st = :active",
            names: active.names,
            values: { ...active.values, ":base": base },
          }),
        },
      },
      { Put: { TableName: table, Item: { ...segmentKeys.sizePoint(tenantId, segmentId, computedAt, version), tenantId, ...point } } },
    ]);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    await deleteVersion(tenantId, segmentId, version, opts.shards, ids);
    return { segment: await getSegment(tenantId, segmentId, true), applied: false, version, size: ids.length, entered, left, tagsAdded: 0, tagsRemoved: 0, durationMs };
  }

  await deleteVersion(tenantId, segmentId, base, opts.shards, before);
  // Every version below ours is dead now (currentVersion only grows, and theirs is gone): also
  // those of refreshes that lost or died, since the last cleanup this segment recorded.
  const cleaned = allocated.cleanedThrough ?? 0;
  for (let dead = cleaned + 1; dead < version; dead++) if (dead !== base) await deleteVersion(tenantId, segmentId, dead, opts.shards);
  if (version - 1 > cleaned) {
    await documentClient()
      .send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: "SET cleanedThrough = :c",
          ConditionExpression: "attribute_not_exists(cleanedThrough) OR cleanedThrough < :c",
          ExpressionAttributeValues: { ":c": version - 1 },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  const tags = segment.applyTag ? await applyRuleTag(tenantId, segment.applyTag, matched, opts.shards) : { added: 0, removed: 0 };
  // Content made for this audience: penetration against the membership just made current.
  await recountAudience(tenantId, segmentId, version, ids, computedAt);
  const updated: Segment = { ...allocated, currentVersion: version, size: ids.length, entered, left, computedAt, durationMs, computedRevision: segment.revision, cleanedThrough: Math.max(cleaned, version - 1) };
  return { segment: updated, applied: true, version, size: ids.length, entered, left, tagsAdded: tags.added, tagsRemoved: tags.removed, durationMs };
}

const TAG_LANES = 8;

/**
 * Gives `tag` (source RULE) to matched members without it, and takes it from members holding
 * it from a rule who are not matched. Members who have it by hand or by import keep it either
 * way. A member that cannot change (merged, erased, at the tag limit) is skipped.
 */
export async function applyRuleTag(tenantId: string, tag: string, matched: readonly MatchedMember[], shards: number): Promise<{ added: number; removed: number }> {
  const inSegment = new Set(matched.map((m) => m.memberId));
  const ruleTagged: string[] = [];
  await Promise.all(
    Array.from({ length: shards }, async (_, s) => {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await documentClient().send(
          new QueryCommand({
            TableName: tableName(),
            IndexName: "gsi2",
            KeyConditionExpression: "gsi2pk = :pk",
            ExpressionAttributeNames: { "#src": "source" },
            ExpressionAttributeValues: { ":pk": keys.membersByTag(tenantId, tag, String(s)) },
            ProjectionExpression: "memberId, #src",
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) if (item.source === "RULE" && !inSegment.has(item.memberId as string)) ruleTagged.push(item.memberId as string);
        start = out.LastEvaluatedKey;
      } while (start);
    }),
  );
  const toAdd = matched.filter((m) => !m.tags.includes(tag)).map((m) => m.memberId);
  let added = 0;
  let removed = 0;
  const skip = (error: unknown) => {
    if (!(error instanceof DomainError) || error.code === "RETRYABLE") throw error;
  };
  await pool(toAdd, TAG_LANES, async (id) => {
    try {
      await changeTags(tenantId, id, { add: [tag], source: "RULE" });
      added++;
    } catch (error) {
      skip(error);
    }
  });
  await pool(ruleTagged, TAG_LANES, async (id) => {
    const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.memberTag(tenantId, id, tag), ConsistentRead: true }));
    if (out.Item?.source !== "RULE") return; // re-tagged by hand meanwhile
    try {
      await changeTags(tenantId, id, { remove: [tag] });
      removed++;
    } catch (error) {
      skip(error);
    }
  });
  return { added, removed };
}

/**
 * Recomputes a segment in this process from the member summaries (brands up to the
 * synchronous limit; larger ones use the segments job).
 */
export async function refreshSegment(
  tenantId: string,
  segmentId: string,
  options: { now?: Date; maxMembers?: number; beforeFlip?: () => Promise<void> } = {},
): Promise<RefreshResult> {
  const startedAt = performance.now();
  const segment = await getSegment(tenantId, segmentId, true);
  if (segment.status !== "ACTIVE") throw new ConflictError(`segment ${segmentId} is archived`);
  const { timeZone, memberListShards } = await getSettings(tenantId);
  const loaded = await loadFactsByQuery(tenantId, ruleNeeds(segment.rule), { maxMembers: options.maxMembers, what: "refreshSegment" });
  const matched = matchMembers(segment.rule, loaded.facts, evaluationClock(options.now ?? new Date(), timeZone)).map((f) => ({ memberId: f.member.memberId, tags: f.member.tags }));
  return materialise(tenantId, segment, matched, { via: "REQUEST", startedAt, shards: memberListShards, beforeFlip: options.beforeFlip });
}
