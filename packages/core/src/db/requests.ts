import { AsyncLocalStorage } from "node:async_hooks";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * Counts DynamoDB calls per logical operation (a GraphQL request, a test block), so tests and
 * benchmarks can assert there is no N+1. Installed once as SDK middleware.
 */
export interface RequestTally {
  total: number;
  byCommand: Record<string, number>;
  /** Each call's start and end (performance.now(), retries included), when the tally asks for them. */
  calls?: { command: string; start: number; end: number }[];
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
        if (tally.calls) {
          const call = { command: name, start: performance.now(), end: 0 };
          tally.calls.push(call);
          try {
            return await next(args);
          } finally {
            call.end = performance.now();
          }
        }
      }
      return next(args);
    },
    { step: "initialize", name: "growthRequestCounter" },
  );
}

/** Runs `fn` and returns its result with the DynamoDB calls it made (retries excluded). */
export async function countRequests<T>(fn: () => Promise<T>, options: { timings?: boolean } = {}): Promise<{ result: T; tally: RequestTally }> {
  const tally: RequestTally = { total: 0, byCommand: {}, ...(options.timings ? { calls: [] } : {}) };
  const result = await storage.run(tally, fn);
  return { result, tally };
}

export function withTally<T>(tally: RequestTally, fn: () => T): T {
  return storage.run(tally, fn);
}

/** Runs `fn` outside any tally: background work a request starts but does not need (rate-limit reports). */
export function outsideTally<T>(fn: () => T): T {
  return storage.exit(fn);
}

/**
 * Dependent round trips in a tally with timings: a call is one level deeper than the deepest
 * call that had finished before it started (calls in flight together share a level). 0 for none.
 */
export function requestLevels(calls: readonly { start: number; end: number }[]): number {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const level: number[] = [];
  sorted.forEach((c, i) => {
    let deepest = 0;
    for (let j = 0; j < i; j++) if (sorted[j]!.end <= c.start) deepest = Math.max(deepest, level[j]!);
    level.push(deepest + 1);
  });
  return Math.max(0, ...level);
}
