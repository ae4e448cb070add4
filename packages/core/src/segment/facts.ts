import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import type { IndexName } from "../db/query.js";
import { DomainError } from "../shared/errors.js";
import { getSettings } from "../tenant/settings.js";
import { activityKey, fromActivityItem } from "./activity.js";
import { MEMBER_FACT_FIELDS, type MemberFacts, type SegmentMemberFacts } from "./evaluate.js";
import { segmentKeys } from "./keys.js";
import type { RuleNeeds } from "./rule.js";

/**
 * Reading a tenant's member summaries on a request (preview, in-process refresh): the sharded
 * member list (gsi1 `T#t#MEMBERS#<shard>`, every shard in parallel, only the fields rules read),
 * then BatchGetItem of ACTIVITY and CLV items only if the rule needs them, and the channel
 * identity lists (gsi2 `T#t#CHANNEL#<channel>#<shard>`) only for channels the rule names.
 * Bounded: past `maxMembers` it stops and says to use the job.
 */

/** Members evaluated on a request at most (preview, refreshSegment); see docs/segments.md. */
export const DEFAULT_SYNC_MAX_MEMBERS = 20_000;

export function syncMaxMembers(): number {
  const fromEnv = Number(process.env.SEGMENT_SYNC_MAX_MEMBERS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_SYNC_MAX_MEMBERS;
}

/** The brand has more members than a request may evaluate. */
export class TooManyMembersError extends DomainError {
  constructor(readonly limit: number, what: string) {
    super(
      "BAD_USER_INPUT",
      `${what} evaluates at most ${limit.toLocaleString("en-US")} members on a request and this brand has more: ` +
        (what === "previewSegment" ? "save the rule as a segment (createSegment) and refresh" : "refresh") +
        " it with the segments job (npm run jobs -- segments --tenant <tenant> --segment <id>, or its scheduled run), then read segment.size and segment.members",
      { field: "rule", limit },
    );
    this.name = "TooManyMembersError";
  }
}

/** Batches of keys read at once (each BatchGetItem takes 100; this many in flight). */
const BATCH_KEYS = 2_000;
/** Items per Query page (a page is also capped at 1 MB by DynamoDB). */
const PAGE_ITEMS = 1_000;

/** Every item of one partition, page by page, with a projection; `budget` stops it early. */
async function queryPartition(
  index: IndexName,
  pk: string,
  projection: readonly string[],
  onItems: (items: Record<string, unknown>[]) => void,
  budget: { left: number; over: boolean },
): Promise<void> {
  const names: Record<string, string> = { "#pk": index ? `${index}pk` : "pk" };
  projection.forEach((p, i) => (names[`#p${i}`] = p));
  let start: Record<string, unknown> | undefined;
  do {
    if (budget.over) return;
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: index,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ":pk": pk },
        ProjectionExpression: projection.map((_, i) => `#p${i}`).join(", "),
        Limit: PAGE_ITEMS,
        ExclusiveStartKey: start,
      }),
    );
    const items = (out.Items ?? []) as Record<string, unknown>[];
    budget.left -= items.length;
    if (budget.left < 0) {
      budget.over = true;
      return;
    }
    onItems(items);
    start = out.LastEvaluatedKey;
  } while (start);
}

async function inBatches<T>(ids: readonly string[], read: (slice: readonly string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += BATCH_KEYS) out.push(...(await read(ids.slice(i, i + BATCH_KEYS))));
  return out;
}

export function toMemberFacts(item: Record<string, unknown>): SegmentMemberFacts {
  const m: Record<string, unknown> = {};
  for (const f of MEMBER_FACT_FIELDS) if (item[f] !== undefined) m[f] = item[f];
  m.tags ??= [];
  return m as unknown as SegmentMemberFacts;
}

export interface LoadedFacts {
  /** Live (ACTIVE) members with what the rule needs. */
  facts: MemberFacts[];
  /** Members read from the list (every status). */
  read: number;
  shards: number;
}

/** The tenant's live members with the summaries `needs` asks for; TooManyMembersError past `maxMembers`. */
export async function loadFactsByQuery(tenantId: string, needs: RuleNeeds, options: { maxMembers?: number; what?: string } = {}): Promise<LoadedFacts> {
  const maxMembers = options.maxMembers ?? syncMaxMembers();
  const { memberListShards } = await getSettings(tenantId);
  const shards = Array.from({ length: memberListShards }, (_, i) => String(i));
  const budget = { left: maxMembers, over: false };
  const members: SegmentMemberFacts[] = [];
  let read = 0;
  await Promise.all(
    shards.map((s) =>
      queryPartition("gsi1", keys.membersByJoined(tenantId, s), MEMBER_FACT_FIELDS, (items) => {
        read += items.length;
        for (const item of items) if (item.status === "ACTIVE") members.push(toMemberFacts(item));
      }, budget),
    ),
  );
  if (budget.over) throw new TooManyMembersError(maxMembers, options.what ?? "previewSegment");

  const ids = members.map((m) => m.memberId);
  const facts = new Map<string, MemberFacts>(members.map((m) => [m.memberId, { member: m }]));
  const reads: Promise<void>[] = [];
  if (needs.activity) {
    reads.push(
      inBatches(ids, (slice) => batchGet<Record<string, unknown>>(slice.map((id) => activityKey(tenantId, id)), ["memberId", "tz", "days"])).then((items) => {
        for (const item of items) {
          const f = facts.get(item.memberId as string);
          if (f) f.activity = fromActivityItem(item);
        }
      }),
    );
  }
  if (needs.clv) {
    reads.push(
      inBatches(ids, (slice) => batchGet<Record<string, unknown>>(slice.map((id) => segmentKeys.clv(tenantId, id)), ["memberId", "predictedClvMinor", "pAlive"])).then((items) => {
        for (const item of items) {
          const f = facts.get(item.memberId as string);
          if (f) f.clv = { predictedClvMinor: item.predictedClvMinor as number | undefined, pAlive: item.pAlive as number | undefined };
        }
      }),
    );
  }
  if (needs.channels.length > 0) {
    // A member may hold several ids on a channel: allow the lists twice the member budget.
    const idBudget = { left: 2 * maxMembers * needs.channels.length, over: false };
    const channelsOf = new Map<string, Set<string>>();
    reads.push(
      Promise.all(
        needs.channels.flatMap((channel) =>
          shards.map((s) =>
            queryPartition("gsi2", keys.membersByChannel(tenantId, channel, s), ["memberId", "channel"], (items) => {
              for (const item of items) {
                const id = item.memberId as string;
                if (!channelsOf.has(id)) channelsOf.set(id, new Set());
                channelsOf.get(id)!.add(item.channel as string);
              }
            }, idBudget),
          ),
        ),
      ).then(() => {
        if (idBudget.over) throw new TooManyMembersError(maxMembers, options.what ?? "previewSegment");
        for (const [id, set] of channelsOf) {
          const f = facts.get(id);
          if (f) f.channels = [...set];
        }
      }),
    );
  }
  await Promise.all(reads);
  return { facts: [...facts.values()], read, shards: memberListShards };
}
