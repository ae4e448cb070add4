import * as mv from "../member/validate.js";
import type { Channel } from "../member/types.js";
import { ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import { toMinor } from "../shared/money.js";
import { checkPattern, toUtcInstant } from "../shared/text.js";
import { JOURNEY_TRIGGERS, MAX_CAMPAIGN_CONTENT, type CampaignConfig, type CampaignType, type FrequencyCap } from "./types.js";

/** What GraphQL passes for a campaign's type settings (one of them, matching the type). */
export interface CampaignConfigInput {
  pointsMultiplier?: { multiplier: number } | null;
  referral?: {
    inviteeFirstOrderPoints?: number | null;
    referrerPoints?: number | null;
    ladder?: { referrals: number; points: number }[] | null;
    referrerCouponId?: string | null;
    inviteeCouponId?: string | null;
  } | null;
  journey?: { trigger: string; afterHours?: number | null; inactiveDays?: number | null; toTier?: string | null; contentId: string; channel: string } | null;
  memberEvent?: { capacity?: number | null; storeId?: string | null } | null;
}

const KEY_OF: Record<CampaignType, keyof CampaignConfigInput | undefined> = {
  COUPON: undefined,
  POINTS_MULTIPLIER: "pointsMultiplier",
  REFERRAL: "referral",
  JOURNEY: "journey",
  MEMBER_EVENT: "memberEvent",
};

const whole = (n: number | null | undefined, field: string, min: number, max: number): number | undefined => {
  if (n === null || n === undefined) return undefined;
  if (!Number.isInteger(n) || n < min || n > max) throw new ValidationError(`${field} must be a whole number from ${min} to ${max}`, field);
  return n;
};

export const id = (value: string, field: string) => checkPattern(value, CLIENT_ID_PATTERN, field, "is not a valid id");

export function ids(values: readonly string[] | null | undefined, field: string, max: number): string[] {
  const list = [...new Set((values ?? []).map((v) => id(v, field)))];
  if (list.length > max) throw new ValidationError(`${field}: at most ${max}`, field);
  return list;
}

export const contentIds = (values: readonly string[] | null | undefined, field: string) => ids(values, field, MAX_CAMPAIGN_CONTENT);

export function channels(values: readonly string[] | null | undefined, field: string): Channel[] {
  return [...new Set((values ?? []).map((v) => mv.channel(v, field)))];
}

export function budget(value: number | null | undefined, field: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  const minor = toMinor(value, field);
  if (minor === 0) throw new ValidationError(`${field} must be greater than zero`, field);
  return minor;
}

export function frequencyCap(cap: { maxTouches: number; periodDays: number } | null | undefined, field: string): FrequencyCap | undefined {
  if (!cap) return undefined;
  return { maxTouches: whole(cap.maxTouches, `${field}.maxTouches`, 1, 100)!, periodDays: whole(cap.periodDays, `${field}.periodDays`, 1, 365)! };
}

export function schedule(startAt: string | null | undefined, endAt: string | null | undefined, field: string): { startAt?: string; endAt?: string } {
  const start = startAt ? toUtcInstant(startAt, `${field}.startAt`) : undefined;
  const end = endAt ? toUtcInstant(endAt, `${field}.endAt`) : undefined;
  if (start && end && end <= start) throw new ValidationError(`${field}.endAt must be after startAt`, `${field}.endAt`);
  return { startAt: start, endAt: end };
}

/** Checks the type settings: exactly the one for the campaign's type (none for COUPON). */
export function config(type: CampaignType, input: CampaignConfigInput | null | undefined, field: string): CampaignConfig {
  const wanted = KEY_OF[type];
  const given = Object.entries(input ?? {}).filter(([, v]) => v !== null && v !== undefined).map(([k]) => k);
  const extra = given.filter((k) => k !== wanted);
  if (extra.length > 0) throw new ValidationError(`${field}.${extra[0]} is not for a ${type} campaign`, `${field}.${extra[0]}`);
  if (wanted && !given.includes(wanted)) throw new ValidationError(`${field}.${wanted} is required for a ${type} campaign`, `${field}.${wanted}`);
  const c = input ?? {};
  switch (type) {
    case "POINTS_MULTIPLIER": {
      const m = c.pointsMultiplier!.multiplier;
      if (!Number.isFinite(m) || m <= 1 || m > 10 || Math.round(m * 10) !== m * 10) {
        throw new ValidationError(`${field}.pointsMultiplier.multiplier must be above 1 and at most 10, one decimal`, `${field}.pointsMultiplier.multiplier`);
      }
      return { pointsMultiplier: { multiplier: m } };
    }
    case "REFERRAL": {
      const r = c.referral!;
      const f = `${field}.referral`;
      const ladder = (r.ladder ?? []).map((s, i) => ({ referrals: whole(s.referrals, `${f}.ladder[${i}].referrals`, 1, 10_000)!, points: whole(s.points, `${f}.ladder[${i}].points`, 1, 1_000_000)! }));
      if (ladder.length > 10) throw new ValidationError(`${f}.ladder: at most 10 steps`, `${f}.ladder`);
      for (let i = 1; i < ladder.length; i++) if (ladder[i]!.referrals <= ladder[i - 1]!.referrals) throw new ValidationError(`${f}.ladder must go up in referrals`, `${f}.ladder`);
      return {
        referral: {
          inviteeFirstOrderPoints: whole(r.inviteeFirstOrderPoints, `${f}.inviteeFirstOrderPoints`, 1, 1_000_000),
          referrerPoints: whole(r.referrerPoints, `${f}.referrerPoints`, 1, 1_000_000),
          ...(ladder.length > 0 ? { ladder } : {}),
          ...(r.referrerCouponId ? { referrerCouponId: checkPattern(r.referrerCouponId, CLIENT_ID_PATTERN, `${f}.referrerCouponId`, "must be a coupon definition id") } : {}),
          ...(r.inviteeCouponId ? { inviteeCouponId: checkPattern(r.inviteeCouponId, CLIENT_ID_PATTERN, `${f}.inviteeCouponId`, "must be a coupon definition id") } : {}),
        },
      };
    }
    case "JOURNEY": {
      const j = c.journey!;
      const f = `${field}.journey`;
      const trigger = mv.oneOf(JOURNEY_TRIGGERS, j.trigger, `${f}.trigger`);
      const afterHours = whole(j.afterHours, `${f}.afterHours`, 1, 720);
      const inactiveDays = whole(j.inactiveDays, `${f}.inactiveDays`, 1, 730);
      if (trigger === "CART_ABANDONED" && !afterHours) throw new ValidationError(`${f}.afterHours is required for CART_ABANDONED`, `${f}.afterHours`);
      if (trigger === "INACTIVE" && !inactiveDays) throw new ValidationError(`${f}.inactiveDays is required for INACTIVE`, `${f}.inactiveDays`);
      if (afterHours && trigger !== "CART_ABANDONED") throw new ValidationError(`${f}.afterHours is only for CART_ABANDONED`, `${f}.afterHours`);
      if (inactiveDays && trigger !== "INACTIVE") throw new ValidationError(`${f}.inactiveDays is only for INACTIVE`, `${f}.inactiveDays`);
      if (j.toTier && trigger !== "TIER_CHANGED") throw new ValidationError(`${f}.toTier is only for TIER_CHANGED`, `${f}.toTier`);
      return {
        journey: {
          trigger,
          ...(afterHours ? { afterHours } : {}),
          ...(inactiveDays ? { inactiveDays } : {}),
          ...(j.toTier ? { toTier: mv.tier(j.toTier, `${f}.toTier`) } : {}),
          contentId: id(j.contentId, `${f}.contentId`),
          channel: mv.channel(j.channel, `${f}.channel`),
        },
      };
    }
    case "MEMBER_EVENT": {
      const e = c.memberEvent!;
      const f = `${field}.memberEvent`;
      return { memberEvent: { capacity: whole(e.capacity, `${f}.capacity`, 1, 1_000_000), ...(e.storeId ? { storeId: id(e.storeId, `${f}.storeId`) } : {}) } };
    }
    case "COUPON":
      return {};
  }
}
