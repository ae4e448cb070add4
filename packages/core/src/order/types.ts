import type { PointsBoost } from "../multiplier/apply.js";
import type { Channel } from "../member/types.js";

export interface OrderLine {
  sku: string;
  name?: string;
  quantity: number;
  unitPriceMinor: number;
}

export const ORDER_STATUSES = ["PLACED", "PARTIALLY_REFUNDED", "REFUNDED"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** An online or offline order. Money in minor units; `memberId` moves with a merge. */
export interface Order {
  tenantId: string;
  orderId: string;
  memberId: string;
  channel: Channel;
  storeId?: string;
  amountMinor: number;
  currency: string;
  items: OrderLine[];
  occurredAt: string;
  refundedMinor: number;
  status: OrderStatus;
  pointsEarned: number;
  pointsReversed: number;
  campaignId?: string;
  /** How `campaignId` was decided: named by the client (or its coupon / referral), or the member's last touch. */
  attribution?: "EXPLICIT" | "COUPON" | "REFERRAL" | "LAST_TOUCH";
  /** The coupon redeemed on this order (set by coupon redemption; one coupon per order). */
  couponCode?: string;
  /** Content item the order is attributed to (a shop link in an article, a live stream). */
  contentId?: string;
  /** The points multiplier campaign that multiplied `pointsEarned` (multiplier/apply.ts), if any. */
  pointsBoost?: PointsBoost;
  /** The member's owner (staff) in effect when the order was recorded (staff/orders.ts). */
  ownerStaffId?: string;
  /** The staff member the order is attributed to: the latest staff touch within the window. */
  staffId?: string;
  fingerprint: string;
  source: "API" | "IMPORT";
  createdAt: string;
}

export interface Refund {
  tenantId: string;
  refundId: string;
  orderId: string;
  memberId: string;
  amountMinor: number;
  pointsReversed: number;
  reason?: string;
  occurredAt: string;
  fingerprint: string;
  createdAt: string;
}

export const MAX_ORDER_LINES = 200;
