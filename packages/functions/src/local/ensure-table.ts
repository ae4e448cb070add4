import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { createTableInput, TABLE_KEYS } from "@growth/core/db/table";

/** Creates the single table if it is missing, waits until ACTIVE, and turns on TTL. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<"created" | "exists"> {
  let outcome: "created" | "exists" = "exists";
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    try {
      // Same keys and indexes as the deployed table, without the stream: nothing consumes it
      // locally, and DynamoDB Local writes stream records inside each write (~40% slower
      // transactions in memory).
      const { StreamSpecification: _stream, ...input } = createTableInput(tableName);
      await client.send(new CreateTableCommand(input));
      outcome = "created";
    } catch (createError) {
      // Another process created it between our describe and create.
      if (!(createError instanceof ResourceInUseException)) throw createError;
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  await enableTtl(client, tableName);
  return outcome;
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = current.TimeToLiveDescription?.TimeToLiveStatus;
    if (status === "ENABLED" || status === "ENABLING") return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_KEYS.timeToLiveAttribute, Enabled: true },
      }),
    );
  } catch {
    // TTL only matters for cleanup of expired records; a local emulator refusing it is not fatal.
  }
}
