import { isRunning } from "../campaign/item.js";
import { findCampaign } from "../campaign/store.js";
import type { Campaign } from "../campaign/types.js";
import { resolveMember } from "../member/read.js";
import type { Member } from "../member/types.js";
import { isMemberInSegment } from "../segment/membership.js";
import { findSegment } from "../segment/store.js";
import { ConflictError, NotFoundError, RetryableError } from "../shared/errors.js";
import { checkPattern } from "../shared/text.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import { findCouponDefinition, getCouponDefinition } from "./definition.js";
import { findClaimRequest, issueOne, LimitReachedError, SoldOutError } from "./issue.js";
import { findCoupon } from "./read.js";
import { withRetries } from "./retry.js";
import type { Coupon, CouponDefinition } from "./types.js";

export interface ClaimInput {
  definitionId: string;
  memberId: string;
  /** The client's id for this claim: sending it again returns the same coupon and issues nothing. */
  requestId: string;
}

export interface ClaimResult {
  coupon: Coupon;
  /** True when this request id had claimed before: nothing was issued this time. */
  duplicate: boolean;
}

/** The campaign must be running and the definition not past its window. */
export async function assertIssuable(d: CouponDefinition, now: Date): Promise<Campaign> {
  const campaign = await findCampaign(d.tenantId, d.campaignId);
  if (!campaign) throw new NotFoundError("Campaign", d.campaignId);
  if (!isRunning(campaign, now)) throw new ConflictError(`campaign ${d.campaignId} is not running: coupons are issued only while it runs`, { reason: "CAMPAIGN_NOT_RUNNING" });
  if (d.validTo && Date.parse(d.validTo) <= now.getTime()) throw new ConflictError(`coupon ${d.definitionId} expired at ${d.validTo}`, { reason: "EXPIRED" });
  return campaign;
}

/** A live member (a merged id lands on its survivor). */
export async function liveMember(tenantId: string, memberId: string): Promise<Member> {
  const member = await resolveMember(tenantId, checkPattern(memberId, CLIENT_ID_PATTERN, "input.memberId", "is not a valid id"));
  if (!member || member.status === "MERGED") throw new NotFoundError("Member", memberId);
  if (member.status !== "ACTIVE") throw new ConflictError(`member ${memberId} is ${member.status.toLowerCase()}`);
  return member;
}

async function answerDuplicate(tenantId: string, request: { code: string; definitionId: string; memberId: string }, input: ClaimInput, memberId?: string): Promise<ClaimResult> {
  if (request.definitionId !== input.definitionId || (request.memberId !== input.memberId && request.memberId !== memberId)) {
    throw new ConflictError(`request id ${input.requestId} was already used for another claim`, { field: "input.requestId", reason: "REQUEST_ID_REUSED" });
  }
  const coupon = await findCoupon(tenantId, request.code, true);
  if (!coupon) throw new ConflictError(`the coupon of request ${input.requestId} could not be read; try again`);
  return { coupon, duplicate: true };
}

/**
 * A member claims one coupon of a definition (the mini program's "领取"). Holds under any
 * concurrency: never more than `totalQuantity` issued, never more than `perMemberLimit` per
 * member, one coupon per request id. Claiming is the member's own act, so it needs no marketing
 * consent; a campaign with a target segment is claimable only by the segment's current members.
 * Errors: NOT_FOUND (definition, member), CONFLICT with a reason: SOLD_OUT, LIMIT_REACHED,
 * CAMPAIGN_NOT_RUNNING, EXPIRED, NOT_IN_AUDIENCE; RETRYABLE if DynamoDB stayed busy.
 *
 * A transient failure (even a timeout after the transaction was sent, whose outcome is unknown)
 * is retried as a whole: the request record is written in the coupon's transaction, so the retry
 * finds it and answers with that coupon instead of issuing a second one.
 */
export async function claimCoupon(tenantId: string, input: ClaimInput, now = new Date()): Promise<ClaimResult> {
  const requestId = checkPattern(input.requestId, CLIENT_ID_PATTERN, "input.requestId", "must be 1-100 letters, digits or _.:-");
  return withRetries(() => attemptClaim(tenantId, { ...input, requestId }, now), 8, "the coupon is in high demand; try again shortly with the same requestId");
}

async function attemptClaim(tenantId: string, input: ClaimInput, now: Date): Promise<ClaimResult> {
  const requestId = input.requestId;
  const [previous, first] = await Promise.all([findClaimRequest(tenantId, requestId), getCouponDefinition(tenantId, input.definitionId, true)]);
  if (previous) return answerDuplicate(tenantId, previous, input);
  // Sold out is final (the counter only goes up): answer without a transaction, so a flash
  // sale's late thousands cost one read each and never contend with the last claims.
  if (first.issued >= first.totalQuantity) throw new SoldOutError(first);
  // Read in parallel, but answer the campaign's state before the member's (deterministic errors).
  const [c, m] = await Promise.allSettled([assertIssuable(first, now), liveMember(tenantId, input.memberId)]);
  if (c.status === "rejected") throw c.reason;
  if (m.status === "rejected") throw m.reason;
  const [campaign, member] = [c.value, m.value];
  if (campaign.targetSegmentId) {
    const segment = await findSegment(tenantId, campaign.targetSegmentId);
    if (!segment || !(await isMemberInSegment(tenantId, segment, member.memberId))) {
      throw new ConflictError(`member ${input.memberId} is not in the audience of campaign ${campaign.campaignId}`, { reason: "NOT_IN_AUDIENCE" });
    }
  }
  let d = first;
  for (let round = 0; ; round++) {
    const outcome = await issueOne(d, member.memberId, "CLAIM", requestId, now);
    switch (outcome.kind) {
      case "ISSUED":
        return { coupon: outcome.coupon, duplicate: false };
      case "SOLD_OUT":
        throw new SoldOutError(d);
      case "LIMIT_REACHED":
        throw new LimitReachedError(d, input.memberId);
      case "DUPLICATE_REQUEST":
        return answerDuplicate(tenantId, outcome, input, member.memberId);
      case "ALREADY_ISSUED":
      case "CHANGED": {
        // Only an update before the first issue changes the revision: at most a round or two.
        if (round >= 3) throw new RetryableError("the coupon definition is changing; try again shortly");
        const again = await findCouponDefinition(tenantId, d.definitionId, true);
        if (!again) throw new NotFoundError("CouponDefinition", d.definitionId);
        if (again.issued >= again.totalQuantity) throw new SoldOutError(again);
        d = again;
      }
    }
  }
}
