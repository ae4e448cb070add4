import { AsyncLocalStorage } from "node:async_hooks";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * Counts DynamoDB calls per logical operation (a GraphQL request, a test block), so tests and
 * benchmarks can assert there is no N+1. Installed once as SDK middleware.
 */
export interface RequestTally {
  total: number;
  byCommand: Record<string, number>;
}

const storage = new AsyncLocalStorage<RequestTally>();
const installed = new WeakSet<DynamoDBClient>();

export function installRequestCounter(client: DynamoDBClient): void {
  if (installed.has(client)) return;
  installed.add(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const tally = storage.getStore();
      if (tally) {
        tally.total += 1;
        const name = context.commandName ?? "unknown";
        tally.byCommand[name] = (tally.byCommand[name] ?? 0) + 1;
      }
      return next(args);
    },
    { step: "initialize", name: "growthRequestCounter" },
  );
}

/** Runs `fn` and returns its result with the DynamoDB calls it made (retries excluded). */
export async function countRequests<T>(fn: () => Promise<T>): Promise<{ result: T; tally: RequestTally }> {
  const tally: RequestTally = { total: 0, byCommand: {} };
  const result = await storage.run(tally, fn);
  return { result, tally };
}

export function withTally<T>(tally: RequestTally, fn: () => T): T {
  return storage.run(tally, fn);
}
