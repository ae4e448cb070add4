import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDynamoLocal } from "../local/dynamo-local.js";
import { ensureTable } from "../local/ensure-table.js";

export const TEST_TABLE_NAME = "growth-test";

/**
 * One in-memory DynamoDB Local for the whole run. The env set here is inherited by the forked
 * test workers, because vitest starts them after global setup has finished.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // Node 20 is supported here; the SDK's "upgrade to Node 22" notice is only noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const local = await startDynamoLocal({});
  // A throwaway master key for personal-data encryption, created by the first test that needs it.
  const keyDir = mkdtempSync(join(tmpdir(), "growth-test-keys-"));
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: local.endpoint,
    TABLE_NAME: TEST_TABLE_NAME,
    AWS_REGION: "local",
    // Dummy credentials keep the SDK from probing the real credential chain (IMDS timeouts).
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    JWT_SECRET: "test-jwt-secret-do-not-use-outside-tests-0123456789",
    CURSOR_SECRET: "test-cursor-secret-do-not-use-outside-tests-0123456789",
    NODE_ENV: "test",
    PII_MASTER_KEY_FILE: join(keyDir, "master.key"),
  });
  const client = new DynamoDBClient({
    endpoint: local.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    await ensureTable(client, TEST_TABLE_NAME);
  } catch (error) {
    await local.stop();
    throw error;
  } finally {
    client.destroy();
  }
  return async () => {
    await local.stop();
    rmSync(keyDir, { recursive: true, force: true });
  };
}
