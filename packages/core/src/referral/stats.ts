import { parseLocalDate } from "../jobs/periods.js";
import { queryAll } from "../db/query.js";
import { ValidationError } from "../shared/errors.js";
import { referralCampaign } from "./code.js";
import { DAY_PREFIX, referralKeys } from "./keys.js";
import type { ReferralStats } from "./types.js";

/** Longest range one query answers (a year and a day of counters is one small Query). */
const MAX_RANGE_DAYS = 366;

/**
 * A campaign's referral numbers over local days `from`..`to` (the campaign's zone, the brand's
 * by default and fixed once it starts, so the day buckets never shift), from the per-day counters
 * written with each referral and conversion: one Query of at most 366 small items, never the
 * referral records. `referrers` counts members whose FIRST referral in the campaign fell in the
 * range; over the campaign's whole run that is exactly the distinct referrers, for a part of it
 * it leaves out members who had referred before the range (docs/campaigns.md "K-factor").
 */
export async function referralStats(tenantId: string, campaignId: string, range: { from: string; to: string }): Promise<ReferralStats> {
  parseLocalDate(range.from, "range.from");
  parseLocalDate(range.to, "range.to");
  if (range.to < range.from) throw new ValidationError("range.to must be on or after range.from", "range.to");
  if ((Date.parse(range.to) - Date.parse(range.from)) / 86_400_000 >= MAX_RANGE_DAYS) throw new ValidationError(`a range covers at most ${MAX_RANGE_DAYS} days`, "range");
  await referralCampaign(tenantId, campaignId);
  const partition = referralKeys.day(tenantId, campaignId, range.from).pk;
  const days = await queryAll<{ referred?: number; referrers?: number; converted?: number; partnerReferred?: number }>({ pk: partition, skFrom: `${DAY_PREFIX}${range.from}`, skTo: `${DAY_PREFIX}${range.to}` });
  const sum = (f: "referred" | "referrers" | "converted" | "partnerReferred") => days.reduce((n, d) => n + (d[f] ?? 0), 0);
  const referred = sum("referred");
  const referrers = sum("referrers");
  return { from: range.from, to: range.to, referred, referrers, kFactor: referrers > 0 ? referred / referrers : null, converted: sum("converted"), partnerReferred: sum("partnerReferred") };
}
