import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";

/** Every item of a tenant, as stored (tests that look at the raw table). */
export async function scanTenant(tenantId: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: tableName(),
        ExclusiveStartKey: start,
        FilterExpression: "pk = :t OR begins_with(pk, :p)",
        ExpressionAttributeValues: { ":t": `T#${tenantId}`, ":p": `T#${tenantId}#` },
      }),
    );
    out.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** The items (as JSON) in which any of the needles appears, in any attribute, key or value. */
export function itemsContaining(items: readonly Record<string, unknown>[], needles: readonly string[]): string[] {
  return items.map((i) => JSON.stringify(i)).filter((text) => needles.some((n) => text.includes(n)));
}
