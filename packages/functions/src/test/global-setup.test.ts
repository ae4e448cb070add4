import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { newTenantId } from "./tenant.js";

describe("global test setup", () => {
  it("hands the DynamoDB Local endpoint and secrets to every worker", async () => {
    expect(process.env.DYNAMODB_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env).toMatchObject({ AWS_REGION: "local", NODE_ENV: "test" });
    // The setup file gives each test file its own table.
    expect(process.env.TABLE_NAME).toMatch(/^test-[0-9a-f]{10}$/);
    expect(process.env.JWT_SECRET).toBeTruthy();
    expect(process.env.CURSOR_SECRET).toBeTruthy();

    const client = new DynamoDBClient({
      endpoint: process.env.DYNAMODB_ENDPOINT,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const table = await client.send(new DescribeTableCommand({ TableName: process.env.TABLE_NAME }));
    client.destroy();
    expect(table.Table?.TableStatus).toBe("ACTIVE");
  });

  it("gives every test its own tenant id", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newTenantId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^t[0-9a-z]+$/);
    expect(newTenantId("acme")).toMatch(/^acme[0-9a-z]+$/);
  });
});
