import { normaliseEmail, normalisePhone } from "../shared/contact.js";
import { ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import { checkPattern, cleanText, toUtcInstant } from "../shared/text.js";
import { CHANNELS, GENDERS, MAX_TAGS_PER_MEMBER, TIERS, type Channel, type Gender, type IdentityRef, type Tier } from "./types.js";

const TAG = /^[^#\u0000-\u001f]{1,40}$/;
const EXTERNAL_ID = /^[^\u0000-\u001f]{1,128}$/;
const CUSTOMER_NO = /^[A-Za-z0-9_.:-]{1,64}$/;
const BIRTHDAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export const oneOf = <T extends string>(list: readonly T[], value: string, field: string): T => {
  if (!(list as readonly string[]).includes(value)) throw new ValidationError(`${field} must be one of ${list.join(", ")}`, field);
  return value as T;
};

export const channel = (value: string, field = "channel"): Channel => oneOf(CHANNELS, value, field);
export const tier = (value: string, field = "tier"): Tier => oneOf(TIERS, value, field);
export const gender = (value: string, field = "gender"): Gender => oneOf(GENDERS, value, field);

export function tag(value: string): string {
  const t = value.trim();
  return checkPattern(t, TAG, "tag", "must be 1-40 characters without # or control characters");
}

export function tags(values: readonly string[] | null | undefined): string[] {
  const list = [...new Set((values ?? []).map(tag))];
  if (list.length > MAX_TAGS_PER_MEMBER) throw new ValidationError(`a member may have at most ${MAX_TAGS_PER_MEMBER} tags`, "tags");
  return list;
}

export function identity(ref: IdentityRef): IdentityRef {
  const externalId = ref.externalId.trim();
  checkPattern(externalId, EXTERNAL_ID, "externalId", "must be 1-128 characters");
  return { channel: channel(ref.channel), externalId };
}

export function memberId(value: string, field = "memberId"): string {
  return checkPattern(value, CLIENT_ID_PATTERN, field, "is not a valid id");
}

export function customerNo(value: string): string {
  return checkPattern(value.trim(), CUSTOMER_NO, "customerNo", "must be 1-64 letters, digits or _.:-");
}

/** A calendar date, not in the future, not before 1900. */
export function birthday(value: string): string {
  const m = BIRTHDAY.exec(value.trim());
  const date = m ? new Date(`${m[0]}T00:00:00Z`) : undefined;
  if (!m || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== m[0]) {
    throw new ValidationError("birthday must be a date YYYY-MM-DD", "birthday");
  }
  if (Number(m[1]) < 1900 || date.getTime() > Date.now()) throw new ValidationError("birthday is out of range", "birthday");
  return m[0];
}

export interface ProfileFields {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  gender?: string | null;
  birthday?: string | null;
  city?: string | null;
  customerNo?: string | null;
  sourceChannel?: string | null;
  joinedAt?: string | null;
}

/** Cleans profile fields; `null` means "clear it", `undefined` means "leave it". */
export function profile(input: ProfileFields) {
  const pick = <T>(v: string | null | undefined, f: (s: string) => T): T | null | undefined =>
    v === undefined ? undefined : v === null || v.trim() === "" ? null : f(v);
  return {
    name: pick(input.name, (v) => cleanText(v, "name", 100)!),
    phone: pick(input.phone, (v) => normalisePhone(v)),
    email: pick(input.email, (v) => normaliseEmail(v)),
    gender: pick(input.gender, (v) => gender(v)),
    birthday: pick(input.birthday, birthday),
    city: pick(input.city, (v) => cleanText(v, "city", 60)!),
    customerNo: pick(input.customerNo, customerNo),
    sourceChannel: pick(input.sourceChannel, (v) => channel(v, "sourceChannel")),
    joinedAt: pick(input.joinedAt, (v) => toUtcInstant(v, "joinedAt")),
  };
}
