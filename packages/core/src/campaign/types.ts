/**
 * Campaigns: how a brand makes money from its private domain. One item per campaign with its
 * type, audience, content, channels, schedule, budget, frequency cap, partners and the settings
 * of its type; coupons, referrals, journeys and partner access build on it. Design and keys:
 * docs/campaigns.md.
 */
import type { Channel, Tier } from "../member/types.js";

export const CAMPAIGN_TYPES = ["COUPON", "POINTS_MULTIPLIER", "REFERRAL", "MEMBER_EVENT", "JOURNEY"] as const;
export type CampaignType = (typeof CAMPAIGN_TYPES)[number];

export const CAMPAIGN_STATUSES = ["DRAFT", "SCHEDULED", "RUNNING", "PAUSED", "ENDED"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * The lifecycle. A scheduled campaign runs from its start; any live campaign ends at its end
 * (both by time, see `effectiveCampaign`); an operator can start now, pause, resume and end early.
 * ENDED is final: a campaign's results must not change meaning after it closes.
 */
export const CAMPAIGN_TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  DRAFT: ["SCHEDULED", "RUNNING", "ENDED"],
  SCHEDULED: ["DRAFT", "RUNNING", "ENDED"],
  RUNNING: ["PAUSED", "ENDED"],
  PAUSED: ["RUNNING", "ENDED"],
  ENDED: [],
};

export const JOURNEY_TRIGGERS = ["JOINED", "BIRTHDAY", "CART_ABANDONED", "FIRST_PURCHASE", "INACTIVE", "TIER_CHANGED"] as const;
export type JourneyTrigger = (typeof JOURNEY_TRIGGERS)[number];

export interface ReferralLadderStep {
  /** Successful referrals (invitees who ordered) that reach this step. */
  referrals: number;
  /** Extra points for the referrer on reaching it. */
  points: number;
}

/** Settings of a REFERRAL campaign (fission). */
export interface ReferralConfig {
  /** Points for the invitee on their first order. */
  inviteeFirstOrderPoints?: number;
  /** Points for the referrer when an invitee places a first order. */
  referrerPoints?: number;
  /** More for the referrer at 3, 5, 10 ... successful referrals. */
  ladder?: ReferralLadderStep[];
  /** A coupon (a definition of this campaign) for the referrer when an invitee places a first order. */
  referrerCouponId?: string;
  /** A coupon (a definition of this campaign) for the invitee with their first order: the first-purchase gift. */
  inviteeCouponId?: string;
}

/** Settings of a JOURNEY campaign (automated). */
export interface JourneyConfig {
  trigger: JourneyTrigger;
  /** CART_ABANDONED: hours after add-to-cart without an order. */
  afterHours?: number;
  /** INACTIVE: days without activity. */
  inactiveDays?: number;
  /** TIER_CHANGED: only changes into this tier. */
  toTier?: Tier;
  /** The content item the touch sends. */
  contentId: string;
  /** The channel the touch goes through. */
  channel: Channel;
}

/** Settings of a MEMBER_EVENT campaign (member-exclusive event). */
export interface MemberEventConfig {
  /** Places (sign-ups) available. */
  capacity?: number;
  /** The store it takes place in, if offline. */
  storeId?: string;
}

/** Type-specific settings; exactly the one of the campaign's type is set. */
export interface CampaignConfig {
  pointsMultiplier?: { multiplier: number };
  referral?: ReferralConfig;
  journey?: JourneyConfig;
  memberEvent?: MemberEventConfig;
}

export interface FrequencyCap {
  /** Touches a member may receive from this campaign per period. */
  maxTouches: number;
  periodDays: number;
}

/** A campaign as stored (key attributes stripped). */
export interface Campaign {
  tenantId: string;
  campaignId: string;
  name: string;
  description?: string;
  type: CampaignType;
  /** Stored status; `effectiveCampaign` applies the schedule. */
  status: CampaignStatus;
  targetSegmentId?: string;
  contentIds: string[];
  channels: Channel[];
  startAt?: string;
  endAt?: string;
  /** Zone of the campaign's days (frequency periods); the brand's by default. */
  timeZone: string;
  budgetMinor?: number;
  frequencyCap?: FrequencyCap;
  /** Partner brands in co-marketing. */
  partnerIds: string[];
  config: CampaignConfig;
  /** When it first ran, paused, ended. */
  startedAt?: string;
  pausedAt?: string;
  endedAt?: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
}

export const MAX_CAMPAIGN_CONTENT = 20;
export const MAX_CAMPAIGN_PARTNERS = 20;
