import type { Keys } from "./keys.js";
import { tableName } from "./client.js";
import type { TransactItem } from "./transact.js";

/**
 * One counter item's update for a transaction: `set` plain attributes (and `updatedAt`), ADD each
 * non-zero counter. Counter names go through expression names, since words like "views" or
 * "orders" are reserved in DynamoDB expressions.
 */
export function counterUpdate(key: Keys, set: Record<string, unknown>, add: Record<string, number>): TransactItem {
  const moved = Object.entries(add).filter(([, n]) => n !== 0);
  const setNames = Object.keys(set);
  const sets = [...setNames.map((name, i) => `#s${i} = :s${i}`), "updatedAt = :now"].join(", ");
  return {
    Update: {
      TableName: tableName(),
      Key: key,
      UpdateExpression: `SET ${sets}${moved.length > 0 ? ` ADD ${moved.map((_, i) => `#c${i} :c${i}`).join(", ")}` : ""}`,
      ExpressionAttributeNames: { ...Object.fromEntries(setNames.map((name, i) => [`#s${i}`, name])), ...Object.fromEntries(moved.map(([name], i) => [`#c${i}`, name])) },
      ExpressionAttributeValues: {
        ...Object.fromEntries(setNames.map((name, i) => [`:s${i}`, set[name]])),
        ":now": new Date().toISOString(),
        ...Object.fromEntries(moved.map(([, n], i) => [`:c${i}`, n])),
      },
    },
  };
}
