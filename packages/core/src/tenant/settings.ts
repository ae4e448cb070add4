import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { IANAZone } from "luxon";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { CURRENCY_PATTERN } from "../shared/money.js";
import { ValidationError } from "../shared/errors.js";
import { defaultTierThresholds, patchTierThresholds, storedTierThresholds, type TierThresholds, type TierThresholdsPatch } from "../metrics/tiers/thresholds.js";

/** A brand's settings. Absent settings mean the defaults below. */
export interface TenantSettings {
  tenantId: string;
  name: string;
  timeZone: string;
  currency: string;
  /** Points earned per major currency unit (yuan) of an order's amount, rounded down. */
  pointsPerUnit: number;
  /** Number of partitions the tenant's member lists are spread over (fixed at creation). */
  memberListShards: number;
  /**
   * Thresholds of the member pyramid (SILENT / ACTIVE / LOYAL / CORE) the tiers job applies;
   * `getSettings` always fills it (the defaults where the brand set nothing). Optional only so
   * hand-built settings (tests) need not spell it out.
   */
  tierThresholds?: TierThresholds;
  /** Days after a campaign touch within which an order is attributed to it (last touch). */
  attributionWindowDays: number;
  /**
   * Hours within which a service ticket must get its first response (default 168 = 7 days, the
   * "7-day response mechanism"); `getSettings` always fills it. Applies to tickets opened after a change.
   */
  serviceResponseSlaHours?: number;
  updatedAt?: string;
}

export const DEFAULT_SETTINGS = {
  timeZone: "Asia/Shanghai",
  currency: "CNY",
  pointsPerUnit: 1,
  memberListShards: 4,
  attributionWindowDays: 7,
  serviceResponseSlaHours: 168,
} as const;

const CACHE_MS = 60_000;
const cache = new Map<string, { at: number; settings: TenantSettings }>();

/** Settings for a tenant, cached in-process for a minute (they change rarely). */
export async function getSettings(tenantId: string): Promise<TenantSettings> {
  const hit = cache.get(tenantId);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.settings;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.tenant(tenantId) }));
  const settings = fromItem(tenantId, out.Item);
  cache.set(tenantId, { at: Date.now(), settings });
  return settings;
}

/** Settings from the stored item, the defaults where the brand set nothing. */
function fromItem(tenantId: string, stored: Record<string, unknown> | undefined): TenantSettings {
  const item = stored as Partial<TenantSettings> | undefined;
  return {
    tenantId,
    name: item?.name ?? tenantId,
    timeZone: item?.timeZone ?? DEFAULT_SETTINGS.timeZone,
    currency: item?.currency ?? DEFAULT_SETTINGS.currency,
    pointsPerUnit: item?.pointsPerUnit ?? DEFAULT_SETTINGS.pointsPerUnit,
    memberListShards: item?.memberListShards ?? DEFAULT_SETTINGS.memberListShards,
    tierThresholds: storedTierThresholds((item as { tierThresholds?: unknown } | undefined)?.tierThresholds),
    attributionWindowDays: item?.attributionWindowDays ?? DEFAULT_SETTINGS.attributionWindowDays,
    serviceResponseSlaHours: item?.serviceResponseSlaHours ?? DEFAULT_SETTINGS.serviceResponseSlaHours,
    updatedAt: item?.updatedAt,
  };
}

export interface SettingsInput {
  name?: string | null;
  timeZone?: string | null;
  currency?: string | null;
  pointsPerUnit?: number | null;
  attributionWindowDays?: number | null;
  /** First-response target of service tickets in hours (1-720). */
  serviceResponseSlaHours?: number | null;
}

/**
 * Updates a tenant's settings: an UpdateItem of the given fields only, so a concurrent change of
 * other settings (tier thresholds) is never overwritten from this process's cached copy. The
 * shard count is never changed: that would orphan list keys.
 */
export async function updateSettings(tenantId: string, input: SettingsInput): Promise<TenantSettings> {
  const current = await getSettings(tenantId);
  if (input.timeZone && !IANAZone.isValidZone(input.timeZone)) throw new ValidationError("timeZone is not an IANA time zone", "timeZone");
  if (input.currency && !CURRENCY_PATTERN.test(input.currency)) throw new ValidationError("currency must be an ISO 4217 code", "currency");
  if (input.pointsPerUnit !== undefined && input.pointsPerUnit !== null) {
    if (!Number.isFinite(input.pointsPerUnit) || input.pointsPerUnit < 0 || input.pointsPerUnit > 1000) {
      throw new ValidationError("pointsPerUnit must be between 0 and 1000", "pointsPerUnit");
    }
  }
  if (input.name !== undefined && input.name !== null && (input.name.trim().length === 0 || input.name.length > 100)) {
    throw new ValidationError("name must be 1-100 characters", "name");
  }
  if (input.attributionWindowDays !== undefined && input.attributionWindowDays !== null) {
    if (!Number.isInteger(input.attributionWindowDays) || input.attributionWindowDays < 1 || input.attributionWindowDays > 90) {
      throw new ValidationError("attributionWindowDays must be a whole number from 1 to 90", "attributionWindowDays");
    }
  }
  if (input.serviceResponseSlaHours !== undefined && input.serviceResponseSlaHours !== null) {
    if (!Number.isInteger(input.serviceResponseSlaHours) || input.serviceResponseSlaHours < 1 || input.serviceResponseSlaHours > 720) {
      throw new ValidationError("serviceResponseSlaHours must be a whole number from 1 to 720", "serviceResponseSlaHours");
    }
  }
  const changes: Record<string, unknown> = {
    name: input.name?.trim() ?? undefined,
    timeZone: input.timeZone ?? undefined,
    currency: input.currency ?? undefined,
    pointsPerUnit: input.pointsPerUnit ?? undefined,
    attributionWindowDays: input.attributionWindowDays ?? undefined,
    serviceResponseSlaHours: input.serviceResponseSlaHours ?? undefined,
    updatedAt: new Date().toISOString(),
  };
  const set = Object.entries(changes).filter(([, v]) => v !== undefined);
  const out = await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.tenant(tenantId),
      // The shard count is written once, with the first settings change, so it never moves.
      UpdateExpression: `SET ${set.map((_, i) => `#f${i} = :v${i}`).join(", ")}, memberListShards = if_not_exists(memberListShards, :shards)`,
      ExpressionAttributeNames: Object.fromEntries(set.map(([k], i) => [`#f${i}`, k])),
      ExpressionAttributeValues: { ...Object.fromEntries(set.map(([, v], i) => [`:v${i}`, v])), ":shards": current.memberListShards },
      ReturnValues: "ALL_NEW",
    }),
  );
  const settings = fromItem(tenantId, out.Attributes);
  cache.set(tenantId, { at: Date.now(), settings });
  return settings;
}

/**
 * Changes a brand's tier thresholds: the patch applies onto the stored thresholds (read
 * strongly consistent, not from the cache), or onto the defaults with `reset`; the result is
 * validated as a whole and written to the settings item's `tierThresholds` attribute only (an
 * UpdateItem, so the other settings are not rewritten). The tiers job reads them at its next run.
 */
export async function updateTierThresholds(tenantId: string, patch: TierThresholdsPatch, options: { reset?: boolean } = {}): Promise<TenantSettings> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.tenant(tenantId), ConsistentRead: true, ProjectionExpression: "tierThresholds" }));
  const base = options.reset ? defaultTierThresholds() : storedTierThresholds(out.Item?.tierThresholds);
  const tierThresholds = patchTierThresholds(base, patch);
  const updatedAt = new Date().toISOString();
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.tenant(tenantId),
      UpdateExpression: "SET tierThresholds = :t, updatedAt = :u",
      ExpressionAttributeValues: { ":t": tierThresholds, ":u": updatedAt },
    }),
  );
  cache.delete(tenantId);
  const settings = { ...(await getSettings(tenantId)), tierThresholds, updatedAt };
  cache.set(tenantId, { at: Date.now(), settings });
  return settings;
}

/** Tests and imports that change settings directly call this to drop the cached copy. */
export function forgetSettings(tenantId?: string): void {
  if (tenantId) cache.delete(tenantId);
  else cache.clear();
}
