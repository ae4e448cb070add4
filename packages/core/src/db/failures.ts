import { DomainError } from "../shared/errors.js";

/**
 * What a DynamoDB failure means to a client, for the errors that are not our bug:
 * - throttling, timeouts, a dropped connection or a 5xx from the service, still failing after
 *   the SDK's retries with backoff (`DYNAMODB_MAX_ATTEMPTS`): RETRYABLE, try again shortly
 *   (every multi-item write is one transaction or conditional write, so nothing is half-written);
 * - a key or item over DynamoDB's size limits, which only an oversized client value can cause
 *   (ids and texts are bounded where they are validated; this catches a path that reads by a
 *   client's id without a bound): BAD_USER_INPUT.
 * Anything else stays an internal error. Follows `cause`/`originalError` wrapping.
 */
const RETRYABLE_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "LimitExceededException",
  "InternalServerError",
  "ServiceUnavailable",
  "TransactionInProgressException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "UND_ERR_SOCKET"]);
const TOO_LARGE = /key values must be under|Item size has exceeded|Size of hashkey has exceeded|Size of rangekey has exceeded|exceeds the maximum allowed size/i;

export function dynamoFailure(error: unknown): DomainError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current instanceof DomainError) return undefined;
    const e = current as Error & { code?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
    if (e.name === "ValidationException" && TOO_LARGE.test(e.message)) return new DomainError("BAD_USER_INPUT", "A value in the request is too long");
    if (RETRYABLE_NAMES.has(e.name) || e.$retryable || (typeof e.code === "string" && NETWORK_CODES.has(e.code)) || (e.$metadata?.httpStatusCode ?? 0) >= 500) {
      return new DomainError("RETRYABLE", "The database is busy or unreachable right now; try again shortly");
    }
    current = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}
