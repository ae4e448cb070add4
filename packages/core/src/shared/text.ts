import { ValidationError } from "./errors.js";

/** Trims and bounds free text; empty after trimming counts as absent. */
export function cleanText(value: string | null | undefined, field: string, max: number): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text.length === 0) return undefined;
  if (text.length > max) throw new ValidationError(`${field} must be at most ${max} characters`, field);
  return text;
}

export function requireText(value: string | null | undefined, field: string, max: number): string {
  const text = cleanText(value, field, max);
  if (!text) throw new ValidationError(`${field} is required`, field);
  return text;
}

export function checkPattern(value: string, pattern: RegExp, field: string, hint: string): string {
  if (!pattern.test(value)) throw new ValidationError(`${field} ${hint}`, field);
  return value;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Accepts ISO-8601 instants with an offset; stores them as UTC `...Z` strings. */
export function toUtcInstant(value: string | Date, field: string): string {
  const date = value instanceof Date ? value : ISO_INSTANT.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new ValidationError(`${field} must be an ISO-8601 date-time with a time zone`, field);
  const year = date.getUTCFullYear();
  if (year < 1970 || year > 2100) throw new ValidationError(`${field} is out of range`, field);
  return date.toISOString();
}
