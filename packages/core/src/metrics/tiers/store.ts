import { GetCommand, PutCommand, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../../db/client.js";
import { parseLocalDate } from "../../jobs/periods.js";
import { setTier } from "../../member/tier.js";
import { DomainError, ValidationError } from "../../shared/errors.js";
import type { TierPyramidSnapshot, TiersRun } from "./job.js";
import type { TierChangePlan } from "./partial.js";
import { tiersKeys } from "./keys.js";

/** Who the tier changes are recorded as made by. */
export const TIERS_ACTOR = "job:tiers";
/** Members changed at once (each change is one optimistic-concurrency transaction). */
export const APPLY_CONCURRENCY = 8;
/** Snapshots one `listTierSnapshots` call returns at most. */
export const MAX_TIER_SNAPSHOTS = 400;

export interface TierApplyStats {
  /** Members whose tier this run changed. */
  applied: number;
  /** Members already at their target (a resumed or repeated run). */
  alreadyApplied: number;
  /** Members that could not be changed: merged, erased or deleted since the scan. */
  skipped: number;
}

/**
 * Applies tier changes with `setTier` (which records each one as a `TIER#` item with from, to,
 * reason `RULE:<rule>` and actor `job:tiers`), `concurrency` at a time. A member already at its
 * target is left alone by `setTier` (nothing recorded), so applying the same list again, or
 * after a crash half-way, changes nothing twice. A member merged, erased or removed since the
 * scan is skipped; any other failure stops the run (rerun to resume).
 */
export async function applyTierChanges(tenantId: string, changes: readonly TierChangePlan[], concurrency = APPLY_CONCURRENCY): Promise<TierApplyStats> {
  const stats: TierApplyStats = { applied: 0, alreadyApplied: 0, skipped: 0 };
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < changes.length) {
      const change = changes[next++]!;
      const started = new Date().toISOString();
      try {
        const member = await setTier(tenantId, change.memberId, change.to, { actor: TIERS_ACTOR, reason: `RULE:${change.rule}` });
        if (member.tierUpdatedAt !== undefined && member.tierUpdatedAt >= started) stats.applied++;
        else stats.alreadyApplied++;
      } catch (error) {
        if (error instanceof DomainError && (error.code === "CONFLICT" || error.code === "NOT_FOUND")) stats.skipped++;
        else {
          failed = true;
          throw error;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, changes.length)) }, lane));
  return stats;
}

/** The as-of date of the newest snapshot, or null. */
async function latestAsOf(tenantId: string): Promise<string | null> {
  const out = await documentClient().send(
    new QueryCommand({ TableName: tableName(), KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": tiersKeys.partition(tenantId) }, ScanIndexForward: false, Limit: 1, ProjectionExpression: "sk", ConsistentRead: true }),
  );
  return (out.Items?.[0]?.sk as string | undefined) ?? null;
}

/**
 * Writes a run: applies the changes, then puts the snapshot (so a snapshot means its changes are
 * in). A run for a date older than the newest snapshot (a backfill) writes its snapshot only,
 * with `changesApplied: false`: it must not move members back to older tiers.
 */
export async function writeTiersRun(run: TiersRun): Promise<void> {
  const { snapshot } = run;
  const latest = await latestAsOf(snapshot.tenantId);
  snapshot.changesApplied = latest === null || latest <= snapshot.asOf;
  if (snapshot.changesApplied) run.applied = await applyTierChanges(snapshot.tenantId, run.changes);
  await documentClient().send(new PutCommand({ TableName: tableName(), Item: { ...tiersKeys.snapshot(snapshot.tenantId, snapshot.asOf), ...snapshot } }));
}

const fromItem = (item: Record<string, unknown>): TierPyramidSnapshot => {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as TierPyramidSnapshot;
};

/** The snapshot of an as-of date, or the latest; null if the job never ran (for that date). */
export async function getTierSnapshot(tenantId: string, asOf?: string | null): Promise<TierPyramidSnapshot | null> {
  if (asOf) {
    parseLocalDate(asOf, "asOf");
    const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: tiersKeys.snapshot(tenantId, asOf) }));
    return out.Item ? fromItem(out.Item) : null;
  }
  const [latest] = await listTierSnapshots(tenantId, { limit: 1 });
  return latest ?? null;
}

export interface TierSnapshotRange {
  /** First as-of date included (YYYY-MM-DD). */
  from?: string | null;
  /** Last as-of date included. */
  to?: string | null;
  /** At most this many, newest first (default and maximum MAX_TIER_SNAPSHOTS). */
  limit?: number | null;
}

/** Snapshots with an as-of date in the range, newest first: one Query. */
export async function listTierSnapshots(tenantId: string, range: TierSnapshotRange = {}): Promise<TierPyramidSnapshot[]> {
  const limit = range.limit ?? MAX_TIER_SNAPSHOTS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TIER_SNAPSHOTS) throw new ValidationError(`limit must be a whole number from 1 to ${MAX_TIER_SNAPSHOTS}`, "limit");
  if (range.from) parseLocalDate(range.from, "from");
  if (range.to) parseLocalDate(range.to, "to");
  if (range.from && range.to && range.from > range.to) throw new ValidationError("from must not be after to", "from");
  const values: Record<string, unknown> = { ":pk": tiersKeys.partition(tenantId) };
  let condition = "pk = :pk";
  if (range.from && range.to) {
    condition += " AND sk BETWEEN :from AND :to";
    Object.assign(values, { ":from": range.from, ":to": range.to });
  } else if (range.from) {
    condition += " AND sk >= :from";
    values[":from"] = range.from;
  } else if (range.to) {
    condition += " AND sk <= :to";
    values[":to"] = range.to;
  }
  const input: QueryCommandInput = { TableName: tableName(), KeyConditionExpression: condition, ExpressionAttributeValues: values, ScanIndexForward: false, Limit: limit };
  const out = await documentClient().send(new QueryCommand(input));
  return (out.Items ?? []).map(fromItem);
}
