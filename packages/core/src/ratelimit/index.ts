import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { assertTenantId, type Keys } from "../db/keys.js";

/**
 * Per-principal request counters for rate limiting, one small item per (tenant, principal,
 * UTC minute), kept two minutes past their minute by TTL. Callers add what they served since
 * their last report and learn the total across all containers.
 *
 * | Item | pk | sk |
 * |---|---|---|
 * | Requests of a principal in a minute | `T#t#RATE#<principal>` | `<yyyy-mm-ddThh:mm>` |
 */
export const rateKeys = {
  minute: (tenantId: string, principalId: string, minute: string): Keys => ({ pk: `T#${assertTenantId(tenantId)}#RATE#${principalId}`, sk: minute }),
};

/** The UTC minute an instant falls in, as the counters' sort key. */
export const minuteOf = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/** Adds `n` requests to a principal's minute and returns the minute's total so far (all containers). */
export async function addRequests(tenantId: string, principalId: string, minute: string, n: number): Promise<number> {
  const out = await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: rateKeys.minute(tenantId, principalId, minute),
      UpdateExpression: "ADD #n :n SET expiresAt = if_not_exists(expiresAt, :ttl)",
      ExpressionAttributeNames: { "#n": "requests" },
      ExpressionAttributeValues: { ":n": n, ":ttl": Math.floor(Date.parse(`${minute}:00Z`) / 1000) + 180 },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  return Number(out.Attributes?.requests ?? n);
}
