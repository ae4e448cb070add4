import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { newTenantId } from "../test/tenant.js";
import { forgetSettings, getSettings, updateSettings } from "./settings.js";

const code = async (p: Promise<unknown>) => p.then(() => "OK", (e: { code?: string }) => e.code ?? String(e));

describe("tenant settings", () => {
  it("changes only the given fields, so another container's change is never overwritten from a cached copy", async () => {
    const t = newTenantId();
    expect(await getSettings(t)).toMatchObject({ attributionWindowDays: 7, memberListShards: 4, pointsPerUnit: 1 }); // now cached here
    // Another Lambda container changes a field meanwhile.
    await documentClient().send(new UpdateCommand({ TableName: tableName(), Key: keys.tenant(t), UpdateExpression: "SET pointsPerUnit = :p", ExpressionAttributeValues: { ":p": 3 } }));
    const after = await updateSettings(t, { name: "Tea Co.", attributionWindowDays: 14 });
    expect(after).toMatchObject({ name: "Tea Co.", attributionWindowDays: 14, pointsPerUnit: 3, memberListShards: 4 });
    forgetSettings(t);
    expect(await getSettings(t)).toMatchObject({ name: "Tea Co.", attributionWindowDays: 14, pointsPerUnit: 3 });
    for (const days of [0, 91, 2.5]) expect(await code(updateSettings(t, { attributionWindowDays: days }))).toBe("BAD_USER_INPUT");
  });
});
