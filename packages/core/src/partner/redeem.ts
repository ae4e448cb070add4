import { findCampaign } from "../campaign/store.js";
import { redeemCouponAtPartner } from "../coupon/redeem.js";
import { findCoupon } from "../coupon/read.js";
import { recordOrder } from "../order/record.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { isRunning } from "../campaign/item.js";
import { couponStatus } from "../coupon/item.js";
import { toMajor, toMinor } from "../shared/money.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import { checkPattern } from "../shared/text.js";

export interface JointRedemptionInput {
  code: string;
  /** The partner's own sale reference (its POS ticket): the redemption is idempotent by it. */
  partnerOrderRef: string;
  /** The partner's store. */
  partnerStoreId: string;
  /** The sale's amount in major units (the coupon's minimum spend applies to it). */
  amount: number;
  occurredAt: string;
}

export interface JointRedemption {
  code: string;
  status: string;
  discountMinor: number;
  redeemedAt?: string;
  partnerOrderRef: string;
  duplicate: boolean;
}

/**
 * A partner redeems a co-branded coupon at one of its stores. The sale is recorded as an order of
 * the coupon's member (channel PARTNER, id `partner.<partner>.<ref>`, attributed to the coupon's
 * campaign), then the coupon is redeemed on it; both steps are idempotent by the partner's
 * reference, so a retry after any failure finishes the same redemption. The partner never learns
 * who the member is: the answer holds the coupon's state and the discount only. A code outside the
 * partner's joint campaigns is NOT_FOUND, as for a code that does not exist.
 */
export async function redeemJointCoupon(tenantId: string, partnerId: string, input: JointRedemptionInput, now = new Date()): Promise<JointRedemption> {
  const ref = checkPattern(input.partnerOrderRef, /^[A-Za-z0-9_:-]{1,60}$/, "input.partnerOrderRef", "must be 1-60 letters, digits or _:-");
  const partnerStoreId = checkPattern(input.partnerStoreId, CLIENT_ID_PATTERN, "input.partnerStoreId", "is not a valid id");
  const coupon = await findCoupon(tenantId, input.code, true);
  const campaign = coupon ? await findCampaign(tenantId, coupon.campaignId) : undefined;
  if (!coupon || !campaign || !campaign.partnerIds.includes(partnerId)) throw new NotFoundError("Coupon", input.code);
  if (!coupon.redeemableAt.includes("PARTNER")) throw new ValidationError(`coupon ${coupon.code} is not redeemable at partner stores`, "input.code");
  if (coupon.partnerStoreIds.length > 0 && !coupon.partnerStoreIds.includes(partnerStoreId)) throw new ValidationError(`coupon ${coupon.code} is not redeemable at partner store ${partnerStoreId}`, "input.partnerStoreId");
  const orderId = `partner.${partnerId}.${ref}`.slice(0, 100);
  // Refuse before recording the sale what the redemption would refuse, so a refused coupon leaves
  // no sale behind (only two sales racing for one code can: the loser's sale stays recorded).
  if (coupon.status === "REDEEMED" && coupon.orderId !== orderId) throw new ConflictError(`coupon ${coupon.code} was already redeemed at ${coupon.redeemedAt}`, { reason: "ALREADY_REDEEMED" });
  if (coupon.status !== "REDEEMED") {
    if (couponStatus(coupon, now) === "EXPIRED") throw new ConflictError(`coupon ${coupon.code} expired at ${coupon.validTo}`, { reason: "EXPIRED" });
    if (coupon.validFrom && Date.parse(coupon.validFrom) > now.getTime()) throw new ConflictError(`coupon ${coupon.code} is valid from ${coupon.validFrom}`, { reason: "NOT_YET_VALID" });
    if (!isRunning(campaign, now)) throw new ConflictError(`campaign ${campaign.campaignId} is not running: its coupons cannot be redeemed now`, { reason: "CAMPAIGN_NOT_RUNNING" });
    if (toMinor(input.amount, "input.amount") < coupon.minimumSpendMinor) throw new ValidationError(`the sale is below the coupon's minimum spend ${toMajor(coupon.minimumSpendMinor)}`, "input.amount");
  }
  const order = await recordOrder(tenantId, { orderId, memberId: coupon.memberId, channel: "PARTNER", amount: input.amount, occurredAt: input.occurredAt, campaignId: coupon.campaignId }, { actor: `partner:${partnerId}` });
  const r = await redeemCouponAtPartner(tenantId, { code: coupon.code, orderId: order.order.orderId, partnerId, partnerStoreId }, now);
  return { code: r.coupon.code, status: r.coupon.status, discountMinor: r.discountMinor, redeemedAt: r.coupon.redeemedAt, partnerOrderRef: ref, duplicate: r.duplicate };
}
