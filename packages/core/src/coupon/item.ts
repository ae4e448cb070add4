import { stripKeys } from "../db/keys.js";
import { couponKeys } from "./keys.js";
import type { Coupon, CouponDefinition, CouponStatus } from "./types.js";

export const definitionItem = (d: CouponDefinition) => ({
  ...couponKeys.definition(d.tenantId, d.definitionId),
  gsi1pk: couponKeys.definitionsOf(d.tenantId, d.campaignId),
  gsi1sk: couponKeys.definitionSort(d.createdAt, d.definitionId),
  ...d,
});

export const couponItem = (c: Coupon) => ({
  ...couponKeys.coupon(c.tenantId, c.code),
  gsi1pk: couponKeys.memberPartitionOf(c.tenantId, c.memberId),
  gsi1sk: couponKeys.memberCouponSort(c.issuedAt, c.code),
  gsi2pk: couponKeys.couponsOf(c.tenantId, c.definitionId),
  gsi2sk: couponKeys.couponSort(c.issuedAt, c.code),
  ...c,
});

export const fromDefinitionItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as CouponDefinition;
export const fromCouponItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as Coupon;

/** The status as of `now`: an unredeemed coupon is EXPIRED from its validTo (to the millisecond). */
export function couponStatus(c: Pick<Coupon, "status" | "validTo">, now = new Date()): CouponStatus {
  if (c.status === "REDEEMED") return "REDEEMED";
  return c.validTo && Date.parse(c.validTo) <= now.getTime() ? "EXPIRED" : "ISSUED";
}

/**
 * A coupon's window from its definition at issue: the fixed window, or `validDays` from the
 * moment of issue.
 */
export function windowAt(d: Pick<CouponDefinition, "validFrom" | "validTo" | "validDays">, issuedAt: Date): { validFrom?: string; validTo?: string } {
  if (d.validDays) return { validFrom: issuedAt.toISOString(), validTo: new Date(issuedAt.getTime() + d.validDays * 86_400_000).toISOString() };
  return { validFrom: d.validFrom, validTo: d.validTo };
}

/**
 * What a redemption takes off an order of `amountMinor`: an amount-off coupon its face value,
 * capped at the order amount; a percent-off coupon that percent of the order amount, rounded
 * half up to the fen. This is the "discount given" the campaign's counters add up.
 */
export function discountFor(c: Pick<Coupon, "amountOffMinor" | "percentOff">, amountMinor: number): number {
  if (c.amountOffMinor !== undefined) return Math.min(c.amountOffMinor, amountMinor);
  return Math.floor((amountMinor * (c.percentOff ?? 0) + 50) / 100);
}
