import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { ValidationError } from "../shared/errors.js";
import { staffKeys } from "./keys.js";

/** A brand's staff settings (their own item beside the tenant settings). */
export interface StaffSettings {
  /**
   * Days after a member's latest staff touch within which the member's orders are attributed
   * to that staff member (default 7, 1-90): the same window rule as campaign last touch.
   */
  attributionWindowDays: number;
  updatedAt?: string;
}

export const DEFAULT_STAFF_SETTINGS: StaffSettings = { attributionWindowDays: 7 };

const CACHE_MS = 60_000;
const cache = new Map<string, { at: number; settings: StaffSettings }>();

/** Staff settings, cached in-process for a minute like the tenant settings. */
export async function getStaffSettings(tenantId: string): Promise<StaffSettings> {
  const hit = cache.get(tenantId);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.settings;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: staffKeys.settings(tenantId) }));
  const settings = fromItem(out.Item);
  cache.set(tenantId, { at: Date.now(), settings });
  return settings;
}

function fromItem(item: Record<string, unknown> | undefined): StaffSettings {
  return {
    attributionWindowDays: (item?.attributionWindowDays as number | undefined) ?? DEFAULT_STAFF_SETTINGS.attributionWindowDays,
    ...(item?.updatedAt ? { updatedAt: item.updatedAt as string } : {}),
  };
}

export async function updateStaffSettings(tenantId: string, input: { attributionWindowDays?: number | null }): Promise<StaffSettings> {
  const days = input.attributionWindowDays;
  if (days === undefined || days === null) return getStaffSettings(tenantId);
  if (!Number.isInteger(days) || days < 1 || days > 90) throw new ValidationError("attributionWindowDays must be a whole number from 1 to 90", "attributionWindowDays");
  const out = await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: staffKeys.settings(tenantId),
      UpdateExpression: "SET attributionWindowDays = :d, updatedAt = :u",
      ExpressionAttributeValues: { ":d": days, ":u": new Date().toISOString() },
      ReturnValues: "ALL_NEW",
    }),
  );
  const settings = fromItem(out.Attributes);
  cache.set(tenantId, { at: Date.now(), settings });
  return settings;
}

/** Tests that change settings from another process's view call this. */
export function forgetStaffSettings(tenantId?: string): void {
  if (tenantId) cache.delete(tenantId);
  else cache.clear();
}
