/**
 * Coupons: definitions on a campaign (what a coupon is worth, when and where it can be used, how
 * many exist), the coupons issued from them (one item per code), and their redemption against an
 * order. Design, keys and the concurrency argument: docs/campaigns.md#coupons.
 */

/** Where a coupon can be redeemed. ONLINE: an order on any non-store channel; STORE: one of our stores; PARTNER: a co-marketing partner's store. */
export const REDEMPTION_CHANNELS = ["ONLINE", "STORE", "PARTNER"] as const;
export type RedemptionChannel = (typeof REDEMPTION_CHANNELS)[number];

/** A coupon as readers see it: REDEEMED once used, EXPIRED from its validTo when unused, else ISSUED. */
export const COUPON_STATUSES = ["ISSUED", "REDEEMED", "EXPIRED"] as const;
export type CouponStatus = (typeof COUPON_STATUSES)[number];

/** How a coupon reached its member. */
export type CouponSource = "CLAIM" | "SEGMENT" | "REFERRAL";

/** What a coupon takes off: exactly one of the two. */
export interface CouponValue {
  /** Fixed amount off, minor units (> 0). */
  amountOffMinor?: number;
  /** Percent off the order amount, 1-99. */
  percentOff?: number;
  /** The order amount needed to redeem, minor units (0: none). */
  minimumSpendMinor: number;
}

/** The terms a coupon is redeemed under, copied into each coupon when issued (a coupon is self-contained). */
export interface CouponTerms extends CouponValue {
  redeemableAt: RedemptionChannel[];
  /** STORE redemptions only at these stores (empty: any of ours). */
  storeIds: string[];
  /** PARTNER redemptions only at these partner stores (empty: any store of the campaign's partners). */
  partnerStoreIds: string[];
}

export interface CouponDefinition extends CouponTerms {
  tenantId: string;
  definitionId: string;
  campaignId: string;
  name: string;
  /** Fixed window (both optional) or `validDays` from issue, not both. */
  validFrom?: string;
  validTo?: string;
  validDays?: number;
  totalQuantity: number;
  perMemberLimit: number;
  /** Counters, changed with ADD in the transactions that issue and redeem. */
  issued: number;
  redeemed: number;
  discountMinor: number;
  revision: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
}

export interface Coupon extends CouponTerms {
  tenantId: string;
  code: string;
  definitionId: string;
  campaignId: string;
  memberId: string;
  name: string;
  source: CouponSource;
  issuedAt: string;
  validFrom?: string;
  validTo?: string;
  /** Stored status: ISSUED until redeemed (EXPIRED is computed, see `couponStatus`). */
  status: "ISSUED" | "REDEEMED";
  redeemedAt?: string;
  orderId?: string;
  redeemedVia?: RedemptionChannel;
  storeId?: string;
  partnerId?: string;
  /** What the redemption took off the order, minor units. */
  discountMinor?: number;
}

export const MAX_DEFINITIONS_PER_CAMPAIGN = 50;
export const MAX_TOTAL_QUANTITY = 10_000_000;
export const MAX_PER_MEMBER_LIMIT = 100;
export const MAX_VALID_DAYS = 3650;
export const MAX_STORE_ALLOW_LIST = 200;
/** A segment larger than this is issued by the CLI (`npm run coupons -- issue`), not on a request. */
export const ISSUE_SYNC_MAX_MEMBERS = 20_000;
