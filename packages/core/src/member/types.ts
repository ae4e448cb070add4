export const CHANNELS = [
  "WECHAT_OA",
  "MINI_PROGRAM",
  "WECOM",
  "COMMUNITY_GROUP",
  "APP",
  "WEB",
  "STORE",
  "LIVE",
  "SMS",
  "EMAIL",
  "PARTNER",
] as const;
export type Channel = (typeof CHANNELS)[number];

export const TIERS = ["SILENT", "ACTIVE", "LOYAL", "CORE"] as const;
export type Tier = (typeof TIERS)[number];

export const GENDERS = ["FEMALE", "MALE", "OTHER", "UNKNOWN"] as const;
export type Gender = (typeof GENDERS)[number];

/** ACTIVE: a live member. MERGED: a duplicate folded into `mergedInto`. ERASED: personal data removed. */
export const MEMBER_STATUSES = ["ACTIVE", "MERGED", "ERASED"] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

export const CONSENT_KINDS = ["MARKETING", "PARTNER_SHARING"] as const;
export type ConsentKind = (typeof CONSENT_KINDS)[number];

/** A member as stored (key attributes stripped). Money in minor units (fen). */
export interface Member {
  tenantId: string;
  memberId: string;
  status: MemberStatus;
  mergedInto?: string;
  /** Duplicates merged into this member (and into them before): erasure clears their profiles too. */
  mergedFrom?: string[];
  name?: string;
  phone?: string;
  email?: string;
  gender: Gender;
  birthday?: string;
  city?: string;
  customerNo?: string;
  sourceChannel: Channel;
  joinedAt: string;
  listShard: string;
  tier: Tier;
  tierUpdatedAt?: string;
  tags: string[];
  marketingConsent: boolean;
  partnerSharingConsent: boolean;
  referrerId?: string;
  /** A partner brand that referred the member in a joint referral campaign (no member referrer then). */
  referredByPartnerId?: string;
  referredAt?: string;
  referralCount: number;
  orderCount: number;
  grossSpendMinor: number;
  refundedMinor: number;
  firstOrderAt?: string;
  lastOrderAt?: string;
  lastActiveAt?: string;
  /** Latest ADD_TO_CART event (recordEvent): the cart-abandoned journey's clock. */
  lastCartAt?: string;
  eventCount: number;
  /** The latest campaign touch (delivery, view or click naming a campaign): last-touch attribution. */
  lastTouch?: { campaignId: string; at: string };
  pointsBalance: number;
  erasedAt?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface IdentityRef {
  channel: Channel;
  externalId: string;
}

export interface Identity extends IdentityRef {
  tenantId: string;
  memberId: string;
  linkedAt: string;
}

export interface ConsentChange {
  memberId: string;
  changeId: string;
  kind: ConsentKind;
  granted: boolean;
  source: string;
  actor: string;
  changedAt: string;
}

/** Net spend: gross minus refunds. */
export const netSpendMinor = (m: Pick<Member, "grossSpendMinor" | "refundedMinor">) => m.grossSpendMinor - m.refundedMinor;

/** Limits that keep one member's item and transactions bounded. */
export const MAX_TAGS_PER_MEMBER = 50;
export const MAX_IDENTITIES_PER_MEMBER = 20;
