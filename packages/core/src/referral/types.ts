/**
 * Referral (fission) in a REFERRAL campaign: a member's invite code, the referral recorded when
 * an invitee joins with it, rewards on the invitee's first order (gift for the invitee, reward and
 * ladder for the referrer) and per-day counts for the K-factor. Design: docs/campaigns.md.
 */

export const REFERRAL_STATUSES = ["JOINED", "CONVERTED"] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** A member's invite code in one campaign (created once, resolvable by code). */
export interface InviteCode {
  tenantId: string;
  code: string;
  campaignId: string;
  memberId: string;
  createdAt: string;
}

/** One invitee's referral: there is at most one per invitee, whatever the campaign. */
export interface Referral {
  tenantId: string;
  campaignId: string;
  /** The member who referred; absent when a partner brand did (`partnerId`). */
  referrerId?: string;
  /** A partner brand that referred the invitee in a joint campaign (partner/referral.ts). */
  partnerId?: string;
  inviteeId: string;
  code: string;
  status: ReferralStatus;
  /** When the referral was recorded. */
  referredAt: string;
  /** CONVERTED: when and by which order (the invitee's first). */
  convertedAt?: string;
  orderId?: string;
  /** Points granted at conversion (0 when the campaign gives none, or the referrer could not receive them). */
  inviteePoints?: number;
  referrerPoints?: number;
  /** Ladder points the conversion unlocked for the referrer. */
  ladderPoints?: number;
  /** Reward coupons issued at conversion (the campaign's referrerCouponId / inviteeCouponId), if any. */
  referrerCouponCode?: string;
  inviteeCouponCode?: string;
}

/** A campaign's referral numbers over a range of local days. */
export interface ReferralStats {
  from: string;
  to: string;
  /** Referrals recorded in the range (members acquired by referral). */
  referred: number;
  /** Members whose first referral in this campaign was recorded in the range. */
  referrers: number;
  /** referred ÷ referrers; null without referrers. */
  kFactor: number | null;
  /** Invitees whose first order (the conversion) fell in the range (member and partner referrals). */
  converted: number;
  /** Members recorded in the range as referred by partner brands (not in `referred` nor the K-factor: a partner is not a referring member). */
  partnerReferred: number;
}
