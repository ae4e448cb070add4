import type { TransactItem } from "../db/transact.js";
import { findCouponDefinition } from "./definition.js";
import { couponIssueWrites, getClaims, newCoupon } from "./issue.js";
import type { Coupon } from "./types.js";

/** Items a reward coupon adds to a transaction: the definition's counter, the member's claims, the coupon. */
export const REWARD_COUPON_ITEMS = 3;

/**
 * A coupon as a reward inside someone else's transaction (a referral's first order): the same
 * conditional writes as `issueOne` (no oversell, per-member limit, unique code), planned from
 * consistent reads. Undefined when it cannot be given now (definition gone, its window past, sold
 * out, the member at the limit): a reward is skipped, never a reason to refuse the order. A race
 * lost between the read and the commit fails the caller's transaction, whose retry plans again
 * (and then skips a coupon that has just sold out).
 */
export async function planRewardCoupon(tenantId: string, definitionId: string, memberId: string, now: Date): Promise<{ items: TransactItem[]; coupon: Coupon } | undefined> {
  const d = await findCouponDefinition(tenantId, definitionId, true);
  if (!d || d.issued >= d.totalQuantity) return undefined;
  if (d.validTo && Date.parse(d.validTo) <= now.getTime()) return undefined;
  if (((await getClaims(tenantId, memberId, definitionId))?.claimed ?? 0) >= d.perMemberLimit) return undefined;
  const coupon = newCoupon(d, memberId, "REFERRAL", now);
  return { items: couponIssueWrites(d, coupon, now.toISOString()), coupon };
}
