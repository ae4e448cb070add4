import { findMember } from "../member/read.js";
import { ordersCampaignWrites, refundCampaignWrites } from "../campaign/results/orders.js";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { transact, TransactionCancelled } from "../db/transact.js";
import { isRunning } from "../campaign/item.js";
import { findCampaign } from "../campaign/store.js";
import { resolveMember } from "../member/read.js";
import { fromOrderItem } from "../order/item.js";
import type { Order } from "../order/types.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import { toMajor } from "../shared/money.js";
import { checkPattern } from "../shared/text.js";
import { couponStatus, discountFor } from "./item.js";
import { couponKeys } from "./keys.js";
import { findCoupon } from "./read.js";
import { withRetries } from "./retry.js";
import type { Coupon, RedemptionChannel } from "./types.js";

export interface RedeemInput {
  code: string;
  /** The order the coupon is used on (recorded before with recordOrder; a partner's sale too, channel PARTNER). */
  orderId: string;
  /** STORE: the store (defaults to the order's, must match it); PARTNER: the partner's store id. */
  storeId?: string | null;
  /** A co-marketing partner redeeming at its store; must be one of the campaign's partners. */
  partnerId?: string | null;
}

export interface RedeemResult {
  coupon: Coupon;
  order: Order;
  discountMinor: number;
  /** True when this coupon had already been redeemed on this same order (a retried request): nothing changed. */
  duplicate: boolean;
}

const id = (value: string, field: string) => checkPattern(value, CLIENT_ID_PATTERN, field, "is not a valid id");

async function readOrder(tenantId: string, orderId: string): Promise<Order> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.order(tenantId, orderId), ConsistentRead: true }));
  if (!out.Item) throw new NotFoundError("Order", orderId);
  return fromOrderItem(out.Item);
}

const alreadyRedeemed = (c: Coupon) => new ConflictError(`coupon ${c.code} was already redeemed at ${c.redeemedAt}`, { reason: "ALREADY_REDEEMED" });

/** Where the redemption happens, and that the coupon may be used there. */
function placeOf(coupon: Coupon, order: Order, input: RedeemInput, partnerIds: string[]): { via: RedemptionChannel; storeId?: string; partnerId?: string } {
  const allowed = (via: RedemptionChannel, field: string) => {
    if (!coupon.redeemableAt.includes(via)) throw new ValidationError(`coupon ${coupon.code} is redeemable ${coupon.redeemableAt.join(", ")} only, not ${via}`, field);
  };
  if (input.partnerId) {
    const partnerId = id(input.partnerId, "input.partnerId");
    // A partner learns nothing about codes outside its joint campaigns: not found, as if absent.
    if (!partnerIds.includes(partnerId)) throw new NotFoundError("Coupon", coupon.code);
    allowed("PARTNER", "input.partnerId");
    if (!input.storeId) throw new ValidationError("input.storeId (the partner's store) is required for a partner redemption", "input.storeId");
    const storeId = id(input.storeId, "input.storeId");
    if (coupon.partnerStoreIds.length > 0 && !coupon.partnerStoreIds.includes(storeId)) throw new ValidationError(`coupon ${coupon.code} is not redeemable at partner store ${storeId}`, "input.storeId");
    return { via: "PARTNER", storeId, partnerId };
  }
  if (order.channel === "PARTNER") throw new ValidationError("a PARTNER order is redeemed with input.partnerId", "input.partnerId");
  if (order.channel === "STORE") {
    allowed("STORE", "input.orderId");
    const storeId = input.storeId ? id(input.storeId, "input.storeId") : order.storeId;
    if (storeId !== order.storeId) throw new ValidationError(`order ${order.orderId} was placed at store ${order.storeId}, not ${storeId}`, "input.storeId");
    if (coupon.storeIds.length > 0 && !coupon.storeIds.includes(storeId!)) throw new ValidationError(`coupon ${coupon.code} is not redeemable at store ${storeId}`, "input.storeId");
    return { via: "STORE", storeId };
  }
  if (input.storeId) throw new ValidationError(`order ${order.orderId} is an online order (${order.channel}): no store`, "input.storeId");
  allowed("ONLINE", "input.orderId");
  return { via: "ONLINE" };
}

/**
 * Redeems a coupon on an order, once. Checks: the coupon exists, is not redeemed, expired or
 * before its window; its campaign is running; the order exists, belongs to the coupon's member
 * and meets the minimum spend; the place fits the coupon (online, one of our stores in the
 * allow-list, a partner of the campaign at an allowed partner store). Then ONE transaction:
 *  0. the coupon ISSUED → REDEEMED (with the order, time, place, discount), conditioned on ISSUED:
 *     of any number of concurrent redemptions exactly one passes;
 *  1. the order gets `couponCode`, and `campaignId` when it has none (attribution), conditioned on
 *     having no coupon yet (one coupon per order) and still belonging to the member;
 *  2. the definition's counters: ADD redeemed 1, discountMinor.
 * A retry of a redemption that succeeded on the same order answers with it (`duplicate`), so
 * transient failures (even a timeout after the write) are retried here.
 * CONFLICT (reason ALREADY_REDEEMED, EXPIRED, NOT_YET_VALID, CAMPAIGN_NOT_RUNNING, ORDER_HAS_COUPON)
 * for states that the same request cannot pass; BAD_USER_INPUT with a field when the request pairs
 * the coupon with an order, store or partner it does not fit (minimum spend, place, member).
 */
export function redeemCoupon(tenantId: string, input: RedeemInput, now = new Date()): Promise<RedeemResult> {
  return withRetries(() => attemptRedeem(tenantId, input, now));
}

async function attemptRedeem(tenantId: string, input: RedeemInput, now: Date): Promise<RedeemResult> {
  const orderId = id(input.orderId, "input.orderId");
  const coupon = await findCoupon(tenantId, input.code, true);
  if (!coupon) throw new NotFoundError("Coupon", input.code);
  const campaign = await findCampaign(tenantId, coupon.campaignId);
  if (!campaign) throw new NotFoundError("Coupon", input.code);
  // Partner check first: a partner outside the campaign must not learn the coupon's state.
  if (input.partnerId && !campaign.partnerIds.includes(input.partnerId)) throw new NotFoundError("Coupon", input.code);
  if (coupon.status === "REDEEMED") {
    if (coupon.orderId === orderId) return { coupon, order: await readOrder(tenantId, orderId), discountMinor: coupon.discountMinor ?? 0, duplicate: true };
    throw alreadyRedeemed(coupon);
  }
  if (couponStatus(coupon, now) === "EXPIRED") throw new ConflictError(`coupon ${coupon.code} expired at ${coupon.validTo}`, { reason: "EXPIRED" });
  if (coupon.validFrom && Date.parse(coupon.validFrom) > now.getTime()) throw new ConflictError(`coupon ${coupon.code} is valid from ${coupon.validFrom}`, { reason: "NOT_YET_VALID" });
  if (!isRunning(campaign, now)) throw new ConflictError(`campaign ${campaign.campaignId} is not running: its coupons cannot be redeemed now`, { reason: "CAMPAIGN_NOT_RUNNING" });
  const order = await readOrder(tenantId, orderId);
  // The coupon's member may have been merged since it was issued: their survivor holds it.
  const holder = order.memberId === coupon.memberId ? coupon.memberId : (await resolveMember(tenantId, coupon.memberId))?.memberId;
  if (order.memberId !== holder) throw new ValidationError(`order ${orderId} belongs to another member than coupon ${coupon.code}`, "input.orderId");
  if (order.status === "REFUNDED") throw new ValidationError(`order ${orderId} has been refunded`, "input.orderId");
  if (order.couponCode) throw new ConflictError(`order ${orderId} already has coupon ${order.couponCode}`, { reason: "ORDER_HAS_COUPON" });
  const place = placeOf(coupon, order, input, campaign.partnerIds);
  if (order.amountMinor < coupon.minimumSpendMinor) {
    throw new ValidationError(`order ${orderId} amount ${toMajor(order.amountMinor)} is below the coupon's minimum spend ${toMajor(coupon.minimumSpendMinor)}`, "input.orderId");
  }
  const discountMinor = discountFor(coupon, order.amountMinor);
  const at = now.toISOString();
  const table = tableName();
  // An order without a campaign is attributed to the coupon's (COUPON), with its results counters.
  const attributes = !order.campaignId;
  const member = attributes ? await findMember(tenantId, order.memberId) : undefined;
  const results = attributes && member ? await ordersCampaignWrites(tenantId, { ...member, orderCount: member.firstOrderAt === order.occurredAt ? 0 : 1 }, [{ campaignId: coupon.campaignId, amountMinor: order.amountMinor, occurredAt: order.occurredAt }]) : [];
  if (results.length > 0 && order.refundedMinor > 0) results.push(...(await refundCampaignWrites(tenantId, member!, coupon.campaignId, order.refundedMinor)));
  const redeemed: Coupon = { ...coupon, status: "REDEEMED", redeemedAt: at, orderId, redeemedVia: place.via, discountMinor, ...(place.storeId ? { storeId: place.storeId } : {}), ...(place.partnerId ? { partnerId: place.partnerId } : {}) };
  try {
    await transact([
      {
        Update: {
          TableName: table,
          Key: couponKeys.coupon(tenantId, coupon.code),
          UpdateExpression: `SET #status = :redeemed, redeemedAt = :at, orderId = :order, redeemedVia = :via, discountMinor = :d${place.storeId ? ", storeId = :store" : ""}${place.partnerId ? ", partnerId = :partner" : ""}`,
          ConditionExpression: "#status = :issued",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":redeemed": "REDEEMED",
            ":issued": "ISSUED",
            ":at": at,
            ":order": orderId,
            ":via": place.via,
            ":d": discountMinor,
            ...(place.storeId ? { ":store": place.storeId } : {}),
            ...(place.partnerId ? { ":partner": place.partnerId } : {}),
          },
        },
      },
      {
        Update: {
          TableName: table,
          Key: keys.order(tenantId, orderId),
          UpdateExpression: attributes ? "SET couponCode = :code, campaignId = :campaign, attribution = :coupon" : "SET couponCode = :code",
          // Attributed only if it still has no campaign (an order takes one campaign, once).
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(couponCode) AND memberId = :member${attributes ? " AND attribute_not_exists(campaignId)" : ""}`,
          ExpressionAttributeValues: { ":code": coupon.code, ":member": order.memberId, ...(attributes ? { ":campaign": coupon.campaignId, ":coupon": "COUPON" } : {}) },
        },
      },
      {
        Update: {
          TableName: table,
          Key: couponKeys.definition(tenantId, coupon.definitionId),
          UpdateExpression: "ADD redeemed :one, discountMinor :d",
          ExpressionAttributeValues: { ":one": 1, ":d": discountMinor },
        },
      },
      ...results,
    ]);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedCondition(0)) {
      const current = await findCoupon(tenantId, coupon.code, true);
      if (current?.status === "REDEEMED" && current.orderId === orderId) return { coupon: current, order: await readOrder(tenantId, orderId), discountMinor: current.discountMinor ?? 0, duplicate: true };
      throw alreadyRedeemed(current ?? coupon);
    }
    if (error.failedCondition(1)) throw new ConflictError(`order ${orderId} took another coupon or changed member at the same time`, { reason: "ORDER_HAS_COUPON" });
    throw error;
  }
  return { coupon: redeemed, order: { ...order, couponCode: coupon.code, ...(attributes ? { campaignId: coupon.campaignId, attribution: "COUPON" as const } : {}) }, discountMinor, duplicate: false };
}

/**
 * The partner path (co-marketing): a partner redeems at one of its stores. The partner's
 * credential and its scoping come later; this checks that the partner is one of the campaign's
 * partners and the coupon is redeemable at PARTNER stores (and at this one, if listed).
 */
export function redeemCouponAtPartner(tenantId: string, input: { code: string; orderId: string; partnerId: string; partnerStoreId: string }, now = new Date()): Promise<RedeemResult> {
  return redeemCoupon(tenantId, { code: input.code, orderId: input.orderId, partnerId: input.partnerId, storeId: input.partnerStoreId }, now);
}
