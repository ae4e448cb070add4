import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { resetClients } from "@growth/core/db/client";
import { startDynamoLocal, type DynamoLocal } from "./dynamo-local.js";
import { ensureTable } from "./ensure-table.js";

/** The database `npm start` serves: table and data directory shared by the CLIs. */
export const LOCAL_TABLE_NAME = "growth-local";
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const LOCAL_DATA_DIR = join(REPO_ROOT, ".data", "dynamodb");

/** A configuration the CLIs cannot work with (message is for the user). */
export class DatabaseConfigError extends Error {}

/** True when the SDK can find AWS credentials without us: env, a profile, or a container/IRSA role. */
export function awsConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const keys = ["AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"];
  if (keys.some((k) => env[k])) return true;
  const home = env.HOME ?? homedir();
  return existsSync(env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials")) || existsSync(env.AWS_CONFIG_FILE ?? join(home, ".aws", "config"));
}

/**
 * Decides which database a CLI uses: DYNAMODB_ENDPOINT if set, else AWS if configured, else
 * the embedded DynamoDB Local on the project's data directory (returned, for the caller to stop).
 */
export async function connectDatabase(log: (line: string) => void): Promise<DynamoLocal | undefined> {
  const env = process.env;
  if (env.DYNAMODB_ENDPOINT) {
    env.TABLE_NAME ??= LOCAL_TABLE_NAME;
    env.AWS_REGION ??= "local";
    if (!awsConfigured(env)) Object.assign(env, { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" });
    return undefined;
  }
  if (awsConfigured(env)) {
    if (!env.TABLE_NAME) throw new DatabaseConfigError("TABLE_NAME is not set: name the deployed table (or set DYNAMODB_ENDPOINT for a local one)");
    return undefined;
  }
  log(`starting DynamoDB Local on ${LOCAL_DATA_DIR} (set DYNAMODB_ENDPOINT to use a running one, e.g. npm start's)`);
  const local = await startDynamoLocal({ dataDir: LOCAL_DATA_DIR });
  // Dummy credentials keep the SDK from probing the real credential chain. Worker threads get
  // a copy of this environment when they start.
  Object.assign(env, { DYNAMODB_ENDPOINT: local.endpoint, TABLE_NAME: LOCAL_TABLE_NAME, AWS_REGION: "local", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" });
  const client = new DynamoDBClient({ endpoint: local.endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    await ensureTable(client, LOCAL_TABLE_NAME);
  } catch (error) {
    await local.stop();
    throw error;
  } finally {
    client.destroy();
  }
  resetClients();
  return local;
}
