import { backoff } from "../db/transact.js";
import { RetryableError } from "../shared/errors.js";

/** Transient failures worth another attempt: contention, throttling, a connection or request that timed out. */
export function isTransient(error: unknown): boolean {
  if (error instanceof RetryableError) return true;
  const e = error as { name?: string; code?: string; $retryable?: unknown } | null;
  return Boolean(
    e &&
      (e.name === "TimeoutError" ||
        e.$retryable ||
        ["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED"].includes(e.code ?? "") ||
        ["ThrottlingException", "ProvisionedThroughputExceededException", "InternalServerError", "RequestLimitExceeded"].includes(e.name ?? "")),
  );
}

/**
 * Runs `attempt` again on transient failures, with backoff, then answers RETRYABLE. Only for
 * operations whose retry is safe even when a timed-out attempt did commit: claims (the request
 * record is in the coupon's transaction), redemptions (a coupon redeemed on the same order
 * answers as a duplicate), segment issues (the member's marker is in the coupon's transaction).
 */
export async function withRetries<T>(attempt: () => Promise<T>, attempts = 8, message = "the service is busy; try again shortly"): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (i + 1 >= attempts) throw new RetryableError(message);
      await backoff(i + 2);
    }
  }
}
