import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { TransactWriteCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { RetryableError } from "../shared/errors.js";
import { documentClient } from "./client.js";

export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** DynamoDB's limit on items in one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;

/** Why each item of a cancelled transaction failed ("None" for those that did not). */
export class TransactionCancelled extends Error {
  constructor(readonly reasons: string[]) {
    super(`transaction cancelled: ${reasons.join(", ")}`);
    this.name = "TransactionCancelled";
  }
  /** True if the item at `index` failed its condition. */
  failedCondition(index: number): boolean {
    return this.reasons[index] === "ConditionalCheckFailed";
  }
  get conflicted(): boolean {
    return this.reasons.some((r) => r === "TransactionConflict");
  }
}

/**
 * Writes all items or none. Condition failures surface as TransactionCancelled (callers
 * decide what they mean); transaction conflicts with a concurrent writer are retried here.
 */
export async function transact(items: TransactItem[], token?: string): Promise<void> {
  if (items.length === 0) return;
  if (items.length > MAX_TRANSACTION_ITEMS) throw new Error(`transaction of ${items.length} items exceeds ${MAX_TRANSACTION_ITEMS}`);
  for (let attempt = 0; ; attempt++) {
    try {
      await documentClient().send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token }));
      return;
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const reasons = (error.CancellationReasons ?? []).map((r) => r.Code ?? "None");
        const cancelled = new TransactionCancelled(reasons);
        const onlyConflicts = cancelled.conflicted && !reasons.includes("ConditionalCheckFailed");
        if (onlyConflicts && attempt < 8) {
          await backoff(attempt);
          continue;
        }
        if (onlyConflicts) throw new RetryableError();
        throw cancelled;
      }
      throw error;
    }
  }
}

export function backoff(attempt: number): Promise<void> {
  const ms = Math.min(1000, 10 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
