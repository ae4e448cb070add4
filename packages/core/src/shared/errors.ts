/**
 * Errors the domain raises on purpose. Their messages are safe to show to clients; the API
 * layer maps `code` onto GraphQL `extensions.code`. Anything else is a bug and gets masked.
 */
export type ErrorCode =
  | "BAD_USER_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RETRYABLE"
  /** Too many requests from one principal: wait and send again (HTTP 429). */
  | "RATE_LIMITED";

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, field?: string) {
    super("BAD_USER_INPUT", message, field ? { field } : undefined);
    this.name = "ValidationError";
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super("NOT_FOUND", `${what} ${id} was not found`, { id });
    this.name = "NotFoundError";
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("CONFLICT", message, details);
    this.name = "ConflictError";
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = "You are not allowed to do this") {
    super("FORBIDDEN", message);
    this.name = "ForbiddenError";
  }
}

/** The database stayed busy after the SDK's own retries; the client may try again. */
export class RetryableError extends DomainError {
  constructor(message = "The service is busy; try again shortly") {
    super("RETRYABLE", message);
    this.name = "RetryableError";
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
