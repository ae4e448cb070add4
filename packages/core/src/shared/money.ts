import { ValidationError } from "./errors.js";

/** Largest amount one order or refund may carry (10 million in major units). */
export const MAX_AMOUNT_MAJOR = 10_000_000;

/**
 * Converts a decimal amount in major units (yuan) to integer minor units (fen). Money is
 * stored as integers so sums are exact; more than two decimals is an input error, not a
 * rounding decision we make silently.
 */
export function toMinor(amount: number, field = "amount"): number {
  if (!Number.isFinite(amount)) throw new ValidationError(`${field} must be a number`, field);
  if (amount < 0) throw new ValidationError(`${field} must not be negative`, field);
  if (amount > MAX_AMOUNT_MAJOR) throw new ValidationError(`${field} must be at most ${MAX_AMOUNT_MAJOR}`, field);
  const minor = Math.round(amount * 100);
  if (Math.abs(minor - amount * 100) > 1e-6) {
    throw new ValidationError(`${field} has more than two decimals`, field);
  }
  return minor;
}

/** Parses a decimal string ("12.30") to minor units without going through floating point. */
export function parseMinor(text: string, field = "amount"): number {
  const match = /^(-?)(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) throw new ValidationError(`${field} is not a decimal amount: "${text}"`, field);
  const [, sign, whole, frac = ""] = match;
  const minor = Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  return sign === "-" ? -minor : minor;
}

export const toMajor = (minor: number): number => minor / 100;

export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
