import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { DomainError } from "@growth/core/shared";
import { dynamoFailure } from "@growth/core/db";

/**
 * What a client may see of an error, in one place:
 * - `DomainError` (thrown on purpose by core or this layer): its message and code, plus
 *   `field` for BAD_USER_INPUT when the error names one;
 * - Apollo's request-level errors (parse, validation, variable coercion, bad request): kept
 *   as Apollo formats them, with Apollo's codes;
 * - anything else is a bug: "Internal server error", code INTERNAL_SERVER_ERROR and the
 *   request id, never the original message or a stack. The real error is logged server-side
 *   (one JSON line on stderr, with the same request id).
 */

/** Codes Apollo Server gives errors that are about the request itself, not our code. */
const APOLLO_REQUEST_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "INTROSPECTION_DISABLED",
  "MAX_RECURSIVE_SELECTIONS_EXCEEDED",
]);

export const INTERNAL_MESSAGE = "Internal server error";

// ---------------------------------------------------------------------------------------
// Request scope: the request id for errors and logs. Every entry point (Lambda handler,
// local HTTP server, test helper) runs the request inside `withRequestId`, so `formatError`,
// which Apollo calls without the context, still knows which request failed.
// ---------------------------------------------------------------------------------------

const requestScope = new AsyncLocalStorage<{ requestId: string }>();

export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requestScope.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}

/** One JSON line on stderr; the error's message, stack and causes stay server-side. */
export function logError(msg: string, error: unknown, fields: Record<string, unknown> = {}): void {
  console.error(
    JSON.stringify({
      level: "error",
      msg,
      requestId: currentRequestId(),
      ...fields,
      error: describe(error),
      at: new Date().toISOString(),
    }),
  );
}

function describe(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return { value: String(error) };
  const out: Record<string, unknown> = { name: error.name, message: error.message, stack: error.stack };
  const cause = (error as { cause?: unknown }).cause ?? (error instanceof GraphQLError ? error.originalError : undefined);
  if (cause !== undefined && cause !== error && depth < 5) out.cause = describe(cause, depth + 1);
  return out;
}

/** The DomainError behind an error, following GraphQL's `originalError` wrapping. */
export function findDomainError(error: unknown): DomainError | undefined {
  let current: unknown = error;
  for (let i = 0; i < 10 && current; i++) {
    if (current instanceof DomainError) return current;
    if (current instanceof GraphQLError) current = current.originalError;
    else return undefined;
  }
  return undefined;
}

/** Apollo's own request-level errors (no `path`: they happen before any resolver runs). */
function isApolloRequestError(error: unknown): error is GraphQLError {
  return (
    error instanceof GraphQLError &&
    !error.path &&
    typeof error.extensions.code === "string" &&
    APOLLO_REQUEST_CODES.has(error.extensions.code)
  );
}

/** Apollo's `formatError` hook. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const database = findDomainError(error) ? undefined : dynamoFailure(error);
  // Not a bug of ours but worth seeing: the database's own words stay in the log.
  if (database) requestScope.run({ requestId: currentRequestId() ?? randomUUID() }, () => logError(`database failure answered as ${database.code}`, error, { path: formatted.path }));
  const domain = findDomainError(error) ?? database;
  if (domain) {
    const extensions: Record<string, unknown> = { code: domain.code };
    const field = domain.details?.field;
    if (domain.code === "BAD_USER_INPUT" && typeof field === "string") extensions.field = field;
    // Why a CONFLICT happened, for clients that branch on it (SOLD_OUT, ALREADY_REDEEMED, ...).
    if (typeof domain.details?.reason === "string") extensions.reason = domain.details.reason;
    if (typeof domain.details?.retryAfterSeconds === "number") extensions.retryAfterSeconds = domain.details.retryAfterSeconds;
    return {
      message: domain.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions,
    };
  }
  if (isApolloRequestError(error)) {
    const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  const requestId = currentRequestId() ?? randomUUID();
  const path = formatted.path;
  requestScope.run({ requestId }, () => logError("unhandled error in GraphQL request", error, { path }));
  return {
    message: INTERNAL_MESSAGE,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(path ? { path } : {}),
    extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
  };
}

/** HTTP status for a DomainError that fails a whole request (e.g. while building the context). */
export function httpStatusFor(error: DomainError): number {
  switch (error.code) {
    case "UNAUTHENTICATED":
      return 401;
    case "FORBIDDEN":
      return 403;
    case "RETRYABLE":
      return 503;
    case "RATE_LIMITED":
      return 429;
    case "BAD_USER_INPUT":
      return 400;
    case "NOT_FOUND":
      return 404;
    case "CONFLICT":
      return 409;
  }
}

/**
 * Wraps a DomainError that fails a whole request so Apollo answers with the right HTTP status
 * (it reads `extensions.http`); `formatError` still formats it from the DomainError.
 */
export function requestFailure(error: DomainError): GraphQLError {
  const retryAfter = error.details?.retryAfterSeconds;
  const headers = typeof retryAfter === "number" ? new Map([["retry-after", String(retryAfter)]]) : undefined;
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { code: error.code, http: { status: httpStatusFor(error), ...(headers ? { headers } : {}) } },
  });
}
