import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Agent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { installRequestCounter } from "./requests.js";

/**
 * One SDK client per process, built on first use (Lambda reuses it across invocations).
 * DYNAMODB_ENDPOINT points it at DynamoDB Local; in AWS it is unset.
 */
let raw: DynamoDBClient | undefined;
let doc: DynamoDBDocumentClient | undefined;

export function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error("TABLE_NAME is not set");
  return name;
}

export function dynamo(): DynamoDBClient {
  if (!raw) {
    const endpoint = process.env.DYNAMODB_ENDPOINT;
    raw = new DynamoDBClient({
      ...(endpoint
        ? {
            endpoint,
            region: process.env.AWS_REGION ?? "local",
            credentials: { accessKeyId: "local", secretAccessKey: "local" },
          }
        : {}),
      maxAttempts: Number(process.env.DYNAMODB_MAX_ATTEMPTS ?? 4),
      // Keep-alive sockets: a fresh TCP (and TLS) handshake per call would dominate latency.
      requestHandler: new NodeHttpHandler({
        httpAgent: new Agent({ keepAlive: true, maxSockets: 128 }),
        httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 128 }),
        // DynamoDB Local on a loaded laptop or CI machine can take seconds to accept a socket.
        connectionTimeout: endpoint ? 10_000 : 2_000,
        requestTimeout: Number(process.env.DYNAMODB_REQUEST_TIMEOUT_MS ?? 5_000),
      }),
    });
    installRequestCounter(raw);
  }
  return raw;
}

export function documentClient(): DynamoDBDocumentClient {
  if (!doc) {
    doc = DynamoDBDocumentClient.from(dynamo(), {
      marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    });
  }
  return doc;
}

/** Test and CLI hook: forget the clients so a new endpoint takes effect. */
export function resetClients(): void {
  raw?.destroy();
  raw = undefined;
  doc = undefined;
}
