import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { ValidationError } from "./errors.js";

/**
 * Phone numbers are stored in E.164 so the same person typed as "138 0013 8000",
 * "+86 13800138000" or "8613800138000" is one key. Numbers without a country code are
 * read as mainland China (the brands we serve).
 */
export function normalisePhone(input: string, field = "phone"): string {
  const trimmed = input.trim();
  if (trimmed.length > 32) throw new ValidationError(`${field} is too long`, field);
  const parsed = parsePhoneNumberFromString(trimmed, "CN");
  if (!parsed || !parsed.isValid()) throw new ValidationError(`${field} is not a valid phone number: "${trimmed}"`, field);
  return parsed.number;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;

/** Lower-cased, trimmed; the domain part is case-insensitive and so, in practice, is the rest. */
export function normaliseEmail(input: string, field = "email"): string {
  const email = input.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw new ValidationError(`${field} is not a valid email address`, field);
  return email;
}

/** Shows a phone as 138****1234 to readers who may not see personal data. */
export function maskPhone(e164: string): string {
  const national = e164.startsWith("+86") ? e164.slice(3) : e164.replace(/^\+/, "");
  if (national.length < 7) return "****";
  return `${national.slice(0, 3)}****${national.slice(-4)}`;
}

export function maskEmail(email: string): string {
  const [user = "", domain = ""] = email.split("@");
  return `${user.slice(0, 1)}***@${domain}`;
}
