/**
 * The dimensions of the member-base breakdowns and the age bands (docs/jobs.md "Member base").
 */
import { UNKNOWN } from "./regions.js";

export const MEMBER_BASE_DIMENSIONS = ["GENDER", "AGE_BAND", "CITY", "PROVINCE", "REGION", "SOURCE_CHANNEL", "TIER", "TAG", "JOIN_COHORT"] as const;
export type MemberBaseDimension = (typeof MEMBER_BASE_DIMENSIONS)[number];
export const isMemberBaseDimension = (v: unknown): v is MemberBaseDimension => typeof v === "string" && (MEMBER_BASE_DIMENSIONS as readonly string[]).includes(v);

/**
 * Age bands, by completed years at the end of the as-of day (a member born on 2000-07-01 is 24
 * on 2025-06-30 and 25 on 2025-07-01; one born on 29 February has the birthday on 1 March in
 * other years). UNKNOWN: no birthday, or a birthday after the as-of day.
 */
export const AGE_BANDS = ["UNDER_18", "18_24", "25_29", "30_34", "35_39", "40_49", "50_PLUS", UNKNOWN] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** Completed years between `birthday` and `asOf` (both YYYY-MM-DD); null when unusable. */
export function ageAt(birthday: unknown, asOf: string): number | null {
  if (typeof birthday !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(birthday) || birthday > asOf) return null;
  const years = Number(asOf.slice(0, 4)) - Number(birthday.slice(0, 4));
  return asOf.slice(5) >= birthday.slice(5) ? years : years - 1;
}

export function ageBand(age: number | null): AgeBand {
  if (age === null) return UNKNOWN;
  if (age < 18) return "UNDER_18";
  if (age < 25) return "18_24";
  if (age < 30) return "25_29";
  if (age < 35) return "30_34";
  if (age < 40) return "35_39";
  if (age < 50) return "40_49";
  return "50_PLUS";
}

/** The TAG group of members without a tag (TAG groups overlap: a member counts in each of its tags). */
export const NO_TAG = "NONE";
